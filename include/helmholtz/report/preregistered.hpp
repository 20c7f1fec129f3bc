#pragma once
// The pre-registered Helmholtz estimate: per codec line, every level against a reference level
// fixed before looking (raw; the highest level where a line has none), tested for
// non-inferiority at a stated margin in a fixed sequence from the most bits to the fewest, by a
// paired hierarchical bootstrap over seeds and test images read from the runs' predictions
// files (report/inference.hpp). q*, the noise bits and the noise fraction get intervals from the
// same bootstrap. A line with a run that had not converged, or a reference or q* at chance,
// states no noise fraction. Beside it: how many seeds the line's paired spread asks for, the
// smallest margin its own design detects, and the epochs and seconds each level takes to reach a
// target held-out accuracy (the study's second claim). Reads the predictions files it is
// pointed to; nothing else from disk.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/report/estimate.hpp"
#include "helmholtz/report/inference.hpp"
#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

struct EstimatorOptions {
  double tolerance_pp = 1.0;  // the non-inferiority margin, percentage points of accuracy
  int replicates = 2000;      // bootstrap replicates
  std::uint64_t seed = 0;     // the bootstrap's seed
  ConvergenceRule convergence;
  // The convergence-speed target: this share of the reference level's mean best validation
  // accuracy.
  double target_share = 0.98;
};

// How long a level's runs took to first reach the target validation accuracy.
struct TimeToTarget {
  int runs = 0;     // runs with a history
  int reached = 0;  // of those, the ones that reached the target
  std::optional<MeanInterval> epochs, seconds;  // over the runs that reached it
  // Paired by seed against the reference level (seeds where both reached it): level - reference.
  std::optional<PairedComparison> epochs_vs_reference, seconds_vs_reference;
};

struct PreregisteredLevel {
  Level level;
  double bits = 0.0;  // mean bits per sample (the axis measure)
  std::optional<double> file_bits;
  LevelInference inference;  // accuracy, difference from the reference, test outcome
  // The per-seed paired differences from the reference (accuracy fractions) and their standard
  // deviation (none with fewer than two seeds).
  std::vector<double> seed_differences;
  std::optional<double> seed_difference_sd;
  int unconverged = 0;  // runs of the level not converged
  int chance_runs = 0;  // runs not above chance on the test split
  TimeToTarget time;
};

struct PreregisteredEstimate {
  std::string dataset, model, level_kind, codec, codec_version;
  int setting = 0;
  BitsMeasure bits_measure = BitsMeasure::kPayload;
  double tolerance_pp = 1.0;
  int replicates = 0;
  std::uint64_t bootstrap_seed = 0;
  std::vector<int> seeds;           // the seeds every level of the line has
  std::int64_t test_samples = 0;    // per run
  // The levels in test order: the reference first, then from the most bits to the fewest.
  std::vector<PreregisteredLevel> levels;
  std::size_t q_star = 0;  // index into levels (0: no level passed)
  double noise_bits = 0.0;       // B(reference) - B(q*)
  double noise_fraction = 0.0;   // noise_bits / B(reference)
  Interval noise_bits_interval, noise_fraction_interval;  // 95%, from the bootstrap's q*
  // Whether the line states a noise fraction, and why not when it does not.
  bool finding = true;
  std::string withheld;
  bool selected_on_test = false;  // some run chose its weights on the test split
  int unconverged = 0;
  // Planning: the largest per-seed paired spread over the levels, the seeds a design needs to
  // show non-inferiority at the margin with 80% power, and the smallest margin this design
  // (its seeds) detects at that power.
  std::optional<double> paired_sd;
  std::optional<int> seeds_needed;
  std::optional<double> detectable_pp;
  double target_accuracy = 0.0;  // of the time-to-target figures
};

// The estimates of the lines of `cells` (make_cells with AccuracyMeasure::kTest), in their
// order. A line whose runs lack predictions files, or whose predictions do not share their test
// images, gets none, with a message in `notes`; so do levels left out for missing seeds.
std::vector<PreregisteredEstimate> preregistered_estimates(const std::vector<Cell>& cells,
                                                           const EstimatorOptions& options,
                                                           std::vector<std::string>* notes);

}  // namespace helmholtz::report
