#pragma once
// Figures over runs: per-cell means over seeds, and the Helmholtz estimate of how many of a
// signal's bits are noise for the task. Pure functions over values, no files.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/report/runs.hpp"

namespace helmholtz::report {

// All runs of one (dataset, model, level): the seeds of one experiment.
struct Cell {
  std::string dataset, model, level_kind;
  int setting = 0;
  Level level;
  int runs = 0;
  Stat bits;               // bits per sample on the axis: payload or file (bits_measure)
  BitsMeasure bits_measure = BitsMeasure::kPayload;
  Stat file_bits, payload_bits;  // both sizes, whichever the axis shows
  Stat lossless_file_bits, lossless_payload_bits;  // the lossless reference, both sizes
  Stat lossless_bits;            // the lossless reference, in the axis' measure
  Stat accuracy;           // mean of the 10 best val_acc, as a fraction
  // Its 95% interval: over seeds (Student's t) with several runs, else the one run's Wilson
  // interval over its validation samples; none without the figures.
  std::optional<Interval> accuracy_interval;
  bool interval_over_seeds = false;
  int chance_runs = 0;     // runs not above chance at 95%
  std::map<int, double> accuracy_by_seed;        // each run's accuracy, by its seed
  std::optional<std::int64_t> validation_samples;  // the fewest of its runs' (none: unknown)
  Stat convergence;        // convergence epoch
  Stat train_samples;      // what the runs trained on (varies by level under a storage budget)
  std::optional<std::int64_t> storage_budget;  // bytes, for the runs of a budget
  std::vector<int> seeds;  // ascending
  int unfinished = 0;      // runs whose summary says finished = false
  // val_acc per epoch, averaged over the runs that reached that epoch (index 0 = epoch 1).
  std::vector<double> mean_val_acc;
};

// Groups sorted runs into cells, in the same order. The axis bits are `measure`; under
// kPayload, a (dataset, setting, model) with a run lacking payload figures (a summary from before
// they were recorded) uses file bits at every level, with a message in `notes`.
std::vector<Cell> make_cells(const std::vector<RunRecord>& runs,
                             BitsMeasure measure = BitsMeasure::kPayload,
                             std::vector<std::string>* notes = nullptr);

// The best weights of the runs trained at one level, evaluated at another (cross_eval.csv):
// one cell of the train x test matrix of a (dataset, model, test codec).
struct CrossCell {
  std::string dataset, model, level_kind, codec;
  int setting = 0;
  Level train, test;
  int runs = 0;
  Stat accuracy;                           // val_acc of the best weights, as a fraction
  std::optional<Interval> interval;        // Student's t over the runs (two or more)
  std::optional<double> test_payload_bits;  // of the test data (mean over runs)
};

// The cells, sorted by dataset, setting, model, codec, train level, test level.
std::vector<CrossCell> make_cross_cells(const std::vector<RunRecord>& runs);

// One train x test matrix: the cells of one (dataset, setting, model, level kind, codec), and
// the levels trained and tested, each in level order.
struct CrossMatrix {
  std::vector<const CrossCell*> cells;  // never empty
  std::vector<Level> trains, tests;
  const CrossCell* at(const Level& train, const Level& test) const;  // nullptr when none
};

// The matrices of sorted cells (make_cross_cells), in their order.
std::vector<CrossMatrix> cross_matrices(const std::vector<CrossCell>& cells);

// One level of one (dataset, model) as the estimate sees it.
struct LevelPoint {
  Level level;
  double bits = 0.0;      // B(q): mean compressed bits per sample over seeds (the axis measure)
  double accuracy = 0.0;  // mean over seeds of the mean of the 10 best val_acc (fraction)
  bool at_chance = false;  // some run of the level is not above chance at 95%
  std::map<int, double> accuracy_by_seed;        // for the paired comparison
  std::optional<std::int64_t> validation_samples;  // for the comparison over samples
  // Filled by the estimate: how much worse than the best level this level may be at 95%
  // confidence (a one-sided upper bound of best - this, as a fraction), and the test.
  double worse_by_at_most = 0.0;
  std::string test;
  std::optional<double> file_bits;      // the file bits beside B(q)
  std::optional<double> lossless_bits;  // the lossless reference of the same samples
};

// The one-sided 95% upper bound of accuracy(best) - accuracy(level), by the strongest test the
// figures allow: paired Student's t over the seeds both levels have (two or more); else the
// two-proportion normal bound over validation samples (both counts known); else the point
// difference itself. Sets point.worse_by_at_most and point.test.
void compare_with_best(const LevelPoint& best, LevelPoint& point);

struct HelmholtzEstimate {
  std::string dataset, model, level_kind;
  Level reference;  // raw if present, else the highest level
  double reference_bits = 0.0;
  Level best;  // the level with the highest accuracy (ties: fewer bits)
  double best_accuracy = 0.0;
  Level knee;  // q*: the level with the fewest bits within tolerance of the best accuracy
  double knee_bits = 0.0;
  double knee_accuracy = 0.0;
  double noise_bits = 0.0;      // B(reference) - B(q*)
  double noise_fraction = 0.0;  // noise_bits / B(reference)
  BitsMeasure bits_measure = BitsMeasure::kPayload;
  // Against the lossless reference (mean over the levels that have it): B(lossless) - B(q*), and
  // that over B(lossless); negative when q* spends more bits than lossless coding does.
  std::optional<double> lossless_bits;
  std::optional<double> noise_bits_vs_lossless;
  std::optional<double> noise_fraction_vs_lossless;
  double tolerance_pp = 1.0;
  // The best level or q* rests on runs not above chance: no finding, whatever the fraction.
  bool at_chance = false;
  std::vector<LevelPoint> points;  // in level order
};

// The estimate over the levels of one (dataset, model). `tolerance_pp` is in percentage points
// of accuracy (1.0 = 0.01 as a fraction). Throws core::UsageError when `points` is empty or the
// tolerance negative.
HelmholtzEstimate estimate_helmholtz(std::vector<LevelPoint> points, double tolerance_pp);

// The estimate per (dataset, model) from cells. Levels without a bits or accuracy figure are
// left out, with a message in `notes`; a (dataset, model) with no usable level gives none.
std::vector<HelmholtzEstimate> helmholtz_estimates(const std::vector<Cell>& cells,
                                                   double tolerance_pp,
                                                   std::vector<std::string>* notes = nullptr);

}  // namespace helmholtz::report
