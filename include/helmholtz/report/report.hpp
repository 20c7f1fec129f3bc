#pragma once
// `helmholtz report`: read every run folder below a log folder and write report.csv,
// helmholtz.csv, report.md and (with gnuplot) PNG plots.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

// --estimator: preregistered (the default: test accuracy of the kept weights, raw as the fixed
// comparator, the fixed-sequence bootstrap test; report/preregistered.hpp) or reference (the
// earlier definition: the mean of the 10 best validation accuracies against the best level;
// report/estimate.hpp), kept so that the two can be compared.
enum class Estimator { kPreregistered, kReference };
Estimator parse_estimator(const std::string& text);  // throws core::UsageError naming --estimator
std::string to_string(Estimator estimator);

struct ReportOptions {
  std::filesystem::path logdir;
  std::filesystem::path out;  // empty: logdir
  double tolerance_pp = 1.0;  // percentage points of accuracy for q*
  Estimator estimator = Estimator::kPreregistered;
  int replicates = 2000;       // the pre-registered estimate's bootstrap
  std::uint64_t bootstrap_seed = 0;
  BitsMeasure bits = BitsMeasure::kPayload;  // the estimate's and the bits axes' measure
  bool plots = true;
};

struct ReportResult {
  std::filesystem::path out;
  std::size_t runs = 0;
  std::vector<std::filesystem::path> files;  // tables and PNGs written
  std::vector<std::string> warnings;         // also logged as they happen
};

// Throws core::DataError when `logdir` holds no readable run, core::UsageError on a bad
// option, core::RunError when the output cannot be written. Skipped run folders and plot
// failures are warnings.
ReportResult write_report(const ReportOptions& options);

}  // namespace helmholtz::report
