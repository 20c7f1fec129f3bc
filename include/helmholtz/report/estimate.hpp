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

// Which accuracy a cell's runs are scored by:
//   kTest:           the kept weights (best on the validation data) on the test split, the
//                    pre-registered estimator's, and the report's primary accuracy
//   kMeanTop10:      the mean of a run's 10 best validation accuracies, the reference's (its
//                    validation data was the test split)
enum class AccuracyMeasure { kTest, kMeanTop10 };
std::string to_string(AccuracyMeasure measure);

// All runs of one (dataset, setting, model, level kind, codec, level): the seeds of one
// experiment. A raw cell is the uncoded reference of a codec's line: the same raw runs make one
// cell in the line of every codec of their (dataset, setting, model, level kind).
struct Cell {
  std::string dataset, model, level_kind;
  std::string codec;          // the line's codec: "jpeg", "webp", ...; never "" (raw cells too)
  std::string codec_version;  // its runs' codec versions ("" for raw and when not recorded)
  int setting = 0;
  Level level;
  int runs = 0;
  Stat bits;               // bits per sample on the axis: payload or file (bits_measure)
  BitsMeasure bits_measure = BitsMeasure::kPayload;
  Stat file_bits, payload_bits;  // both sizes, whichever the axis shows
  Stat lossless_file_bits, lossless_payload_bits;  // the lossless reference, both sizes
  Stat lossless_bits;            // the lossless reference, in the axis' measure
  AccuracyMeasure accuracy_measure = AccuracyMeasure::kMeanTop10;
  Stat accuracy;           // by accuracy_measure, as a fraction
  // Its 95% interval: over seeds (Student's t) with several runs, else the one run's Wilson
  // interval over its samples (validation or test, by the measure); none without the figures.
  std::optional<Interval> accuracy_interval;
  bool interval_over_seeds = false;
  int chance_runs = 0;     // runs not above chance at 95%
  std::map<int, double> accuracy_by_seed;        // each run's accuracy, by its seed
  // The fewest samples its runs' accuracy was measured on (validation or test, by the measure;
  // none: unknown).
  std::optional<std::int64_t> validation_samples;
  int unconverged = 0;     // runs whose validation accuracy was still rising (report/inference)
  int selected_on_test = 0;  // runs whose kept weights were chosen on the test split
  std::vector<const RunRecord*> members;  // its runs (pointers into the runs given)
  Stat convergence;        // convergence epoch
  Stat train_samples;      // what the runs trained on (varies by level under a storage budget)
  std::optional<std::int64_t> storage_budget;  // bytes, for the runs of a budget
  std::vector<int> seeds;  // ascending
  int unfinished = 0;      // runs whose summary says finished = false
  // val_acc per epoch, averaged over the runs that reached that epoch (index 0 = epoch 1).
  std::vector<double> mean_val_acc;
};

// Groups runs into cells, sorted by dataset, setting, model, level kind, codec (codec_before),
// level. A coded run joins its codec's line; a raw run joins the line of every codec with coded
// runs in its (dataset, setting, model, level kind), or the default codec's (default_codec)
// when none has. The axis bits are `measure`; under kPayload, a (dataset, setting, model, level
// kind) with a run lacking payload figures (a summary from before they were recorded) uses file
// bits at every level of every codec, with a message in `notes`.
std::vector<Cell> make_cells(const std::vector<RunRecord>& runs,
                             BitsMeasure measure = BitsMeasure::kPayload,
                             std::vector<std::string>* notes = nullptr,
                             AccuracyMeasure accuracy = AccuracyMeasure::kMeanTop10);

// The best weights of the runs trained at one level, evaluated at another (cross_eval.csv):
// one cell of the train x test matrix of a (dataset, model, train codec, test codec).
struct CrossCell {
  std::string dataset, model, level_kind, codec;  // codec: the test data's
  // The codec the runs were trained through; runs trained on raw data count as trained through
  // the test codec (raw is the uncoded end of every codec's scale).
  std::string train_codec;
  int setting = 0;
  Level train, test;
  int runs = 0;
  Stat accuracy;                           // val_acc of the best weights, as a fraction
  std::optional<Interval> interval;        // Student's t over the runs (two or more)
  std::optional<double> test_payload_bits;  // of the test data (mean over runs)
};

// The cells, sorted by dataset, setting, model, level kind, codec, train codec, train level,
// test level.
std::vector<CrossCell> make_cross_cells(const std::vector<RunRecord>& runs);

// One train x test matrix: the cells of one (dataset, setting, model, level kind, codec, train
// codec), and
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
  std::string codec;          // the line's codec (its raw level is that codec's reference)
  std::string codec_version;  // its coded cells' versions ("" when not recorded)
  int setting = 0;
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

// The estimate per (dataset, setting, model, level kind, codec) from cells, in their order.
// Levels without a bits or accuracy figure are left out, with a message in `notes`; a line
// with no usable level gives none.
std::vector<HelmholtzEstimate> helmholtz_estimates(const std::vector<Cell>& cells,
                                                   double tolerance_pp,
                                                   std::vector<std::string>* notes = nullptr);

// One codec of a codec comparison: the first of its coded levels (the fewest bits) whose
// accuracy is within the tolerance of the best accuracy over all codecs of the model, by
// compare_with_best against that common best (the same test as q*).
struct CodecKnee {
  std::string codec, codec_version;
  Level best;  // the codec's own best level (raw included) and its accuracy
  double best_accuracy = 0.0;
  std::optional<Level> knee;  // none: not reached at any coded level
  double knee_bits = 0.0;     // the axis measure
  std::optional<double> knee_file_bits;
  double knee_accuracy = 0.0;
  double worse_by_at_most = 0.0;  // of the knee, against the common best
  std::string knee_test;
  // knee_bits / the baseline codec's knee_bits; none when either is not reached.
  std::optional<double> ratio_to_baseline;
};

// The codecs of one (dataset, setting, model, level kind) with two or more codecs.
struct CodecComparison {
  std::string dataset, model, level_kind;
  int setting = 0;
  double tolerance_pp = 1.0;
  BitsMeasure bits_measure = BitsMeasure::kPayload;
  // The common best: the highest accuracy over every codec's levels, raw included (ties: fewer
  // bits, then the earlier codec).
  std::string best_codec;  // whose line it is in ("" when it is the raw level, every codec's)
  Level best_level;
  double best_accuracy = 0.0;
  double best_bits = 0.0;
  // What the ratios divide by: the level kind's default codec (JPEG, MP3) when it is among the
  // codecs, else the first codec listed (baseline_is_default false).
  std::string baseline_codec;
  bool baseline_is_default = true;
  std::vector<CodecKnee> codecs;  // in codec order
};

// The comparisons of the estimates (helmholtz_estimates, same tolerance): one per (dataset,
// setting, model, level kind) whose estimates have two or more codecs, in their order.
std::vector<CodecComparison> compare_codecs(const std::vector<HelmholtzEstimate>& estimates,
                                            double tolerance_pp);

}  // namespace helmholtz::report
