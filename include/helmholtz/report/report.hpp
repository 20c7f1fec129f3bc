#pragma once
// `helmholtz report`: read every run folder below a log folder and write report.csv,
// helmholtz.csv, report.md and (with gnuplot) PNG plots.

#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

struct ReportOptions {
  std::filesystem::path logdir;
  std::filesystem::path out;  // empty: logdir
  double tolerance_pp = 1.0;  // percentage points of accuracy for q*
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
