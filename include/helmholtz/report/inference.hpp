#pragma once
// The statistics of the pre-registered estimate of how many bits of a compressed signal are
// noise for the task: a paired hierarchical bootstrap of each level's accuracy difference from
// the reference, a fixed-sequence non-inferiority test down the levels, McNemar's exact test,
// the number of seeds a design needs, and the rules that say when a run has converged and how
// long it took to reach an accuracy. Pure functions over values, no files, no torch.

#include <cstdint>
#include <optional>
#include <vector>

#include "helmholtz/report/stats.hpp"

namespace helmholtz::report {

// --- Quantiles -----------------------------------------------------------------------------

// The p-quantile (p in [0, 1]) of the values by linear interpolation between order statistics
// (Hyndman and Fan's type 7, R's and NumPy's default): with the values sorted x_0 <= ... <=
// x_{n-1} and h = (n - 1) p, it is x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).
// Throws core::UsageError when there are no values or p is outside [0, 1].
double percentile(std::vector<double> values, double p);

// The two-sided percentile interval at `confidence` (in (0, 1)): the (1 - c) / 2 and (1 + c) / 2
// quantiles of the values by the rule above. The interval of any quantity derived from the
// bootstrap replicates (the noise bits of each replicate's q*, for instance).
Interval percentile_interval(std::vector<double> values, double confidence = 0.95);

// --- McNemar's exact test ------------------------------------------------------------------

// Two-sided exact McNemar p for the discordant pairs of two classifiers on the same images: b
// images only the first got right, c only the second. Under the null each discordant image is
// a fair coin, so p = min(1, 2 P(X <= min(b, c))) with X ~ Bin(b + c, 1/2); 1 when b + c == 0.
// Summed in log space, so b + c up to 10^5 and beyond works. Throws core::UsageError when b or c
// is negative.
double mcnemar_exact_p(int b, int c);

// --- The fixed-sequence test over a codec's levels -----------------------------------------

// correct[level][seed][image]: 1 when the run of that level and seed classified test image
// `image` right, else 0. Levels run from most bits to fewest; level 0 is the reference (raw
// data, fixed in advance). The same seeds at every level (same index = same seed) and the same
// test images in the same order everywhere.
struct OutcomeGrid {
  std::vector<std::vector<std::vector<std::uint8_t>>> correct;
};

struct SequenceOptions {
  double margin = 0.01;      // non-inferiority margin as an accuracy fraction (1 pp = 0.01)
  int replicates = 2000;     // bootstrap replicates
  std::uint64_t seed = 0;    // the bootstrap's std::mt19937_64 seed: a seed gives one result
  double confidence = 0.95;  // of the two-sided interval and the one-sided lower bound
};

struct LevelInference {
  double accuracy = 0.0;     // mean over seeds of this level's accuracy, fraction
  double difference = 0.0;   // mean over seeds of accuracy(level) - accuracy(reference)
  Interval two_sided;        // its two-sided percentile bootstrap interval at the confidence
  double lower_bound = 0.0;  // its one-sided lower bound: the (1 - confidence) quantile
  bool passes = false;       // tested and lower_bound > -margin
  bool tested = false;       // reached by the fixed sequence (false after an earlier failure)
  std::optional<double> mcnemar_p;  // exact two-sided McNemar p; only with exactly one seed
  // McNemar's discordant counts, summed over seeds: images this level got right and the
  // reference wrong, and the other way round.
  int discordant_level_right = 0;
  int discordant_reference_right = 0;
  double q_star_frequency = 0.0;  // share of bootstrap replicates whose q* is this level
};

struct SequenceResult {
  std::vector<LevelInference> levels;  // index 0 = the reference (difference 0, passes, tested)
  int q_star = 0;  // the last level that passed in the sequence (0 when level 1 fails)
  std::vector<int> q_star_replicates;  // q* of each bootstrap replicate
};

// Tests levels 1, 2, ... in order for non-inferiority to the reference: a level passes when the
// one-sided lower bound of its difference is above -margin, and the sequence stops at the first
// level that fails (the later ones are not tested, and do not pass even if their bound would).
// q* is the last level that passed. Testing a pre-set order and stopping at the first failure
// keeps the family-wise error rate at 1 - confidence with no multiplicity adjustment: any false
// claim needs the first level whose null is true to be rejected, and that one test errs with
// probability at most 1 - confidence. Skipping a failed level to test the next would break it.
//
// The bootstrap is hierarchical and paired. Each replicate draws S seed indices with
// replacement (none drawn with one seed), then for each drawn seed, in order, N image indices
// with replacement; the same draws serve every level. A level's replicate difference is the
// mean over the drawn seeds of the mean over the drawn images of correct[level] -
// correct[reference]. Indices are drawn from std::mt19937_64 by Lemire's multiply-and-reject
// mapping, so a seed gives the same replicates on every platform.
//
// Each replicate's q* applies the same rule to the replicate's differences: a level passes in
// a replicate when its replicate difference is above -margin. A level's q_star_frequency is the
// share of replicates with that q*; the shares sum to 1 over the levels.
//
// Throws core::DataError when the grid is empty, a level has no seeds or a different number
// of them, a run has no images or a different number of them, or a value is not 0 or 1; and
// core::UsageError for a negative or non-finite margin, replicates < 1 or confidence outside
// (0, 1).
SequenceResult fixed_sequence_test(const OutcomeGrid& grid, const SequenceOptions& options = {});

// --- Planning the seeds --------------------------------------------------------------------

// The seeds a design needs, from a pilot's per-seed paired differences d_s = accuracy(level,
// seed) - accuracy(reference, seed) and their standard deviation: the smallest n >= 2 with
//   t_{1-alpha, n-1} + t_{power, n-1} <= (margin + true_difference) sqrt(n) / sd,
// the sample size at which a one-sided paired t-test over seeds shows non-inferiority at
// `margin` with probability `power` when the true difference is `true_difference`. None when
// sd is not finite, margin + true_difference <= 0 (no design shows it) or n would exceed 1000;
// otherwise 2 when sd == 0.
// Throws core::UsageError for a negative sd, or power or alpha outside (0, 1).
std::optional<int> seeds_needed(double sd_of_paired_differences, double margin,
                                double true_difference = 0.0, double power = 0.8,
                                double alpha = 0.05);

// The smallest margin a design of n seeds shows at that power (true difference 0):
// (t_{1-alpha, n-1} + t_{power, n-1}) sd / sqrt(n). Throws core::UsageError for n < 2, a
// negative or non-finite sd, or power or alpha outside (0, 1).
double detectable_difference(double sd, int n, double power = 0.8, double alpha = 0.05);

// --- One run's history ---------------------------------------------------------------------

// When a run's held-out accuracy has stopped improving: it has more than `window` epochs, and
// the best accuracy of its last `window` epochs exceeds the best of all earlier epochs by at
// most `min_gain` (0.5 pp by default; compared with a 1e-12 allowance, so that a gain equal to
// min_gain in decimal counts as equal). A one-epoch run, or one still rising at the end, is not
// converged; a plateau, or a run whose best epoch lies before its last `window`, is.
struct ConvergenceRule {
  int window = 5;
  double min_gain = 0.005;
};

// val_acc per epoch, epoch 1 first. Throws core::UsageError for window < 1 or a negative
// min_gain, and core::DataError for a value that is not finite.
bool converged(const std::vector<double>& val_acc, const ConvergenceRule& rule = {});

// The first epoch (1-based) whose val_acc is >= target; none if no epoch reaches it.
std::optional<int> epochs_to_reach(const std::vector<double>& val_acc, double target);

// The seconds spent until that epoch, inclusive: the sum of epoch_seconds over epochs 1 to
// epochs_to_reach. None if no epoch reaches the target. Throws core::DataError when the two
// histories differ in length.
std::optional<double> seconds_to_reach(const std::vector<double>& val_acc,
                                       const std::vector<double>& epoch_seconds, double target);

// --- Paired comparison ---------------------------------------------------------------------

// The mean of the pairwise differences a_i - b_i and, for n >= 2, its two-sided 95% t-interval
// (n - 1 degrees of freedom): two conditions measured on the same seeds.
struct PairedComparison {
  int n = 0;
  double mean = 0.0;
  std::optional<Interval> interval;
};
// Throws core::DataError when a and b differ in length.
PairedComparison paired_t(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace helmholtz::report
