// The noise-bits estimate's statistics against values worked out by hand, exact binomial sums
// and normal theory.

#include "helmholtz/report/inference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::report {
namespace {

using Outcomes = std::vector<std::uint8_t>;

// A run of n images of which the first `right` are classified right.
Outcomes first_right(int n, int right) {
  Outcomes run(n, 0);
  for (int i = 0; i < right; ++i) run[i] = 1;
  return run;
}

// One seed's runs against a reference right on the first `reference_right` of n images: a run
// that is also right on `gained` images the reference got wrong (right after it) and wrong on
// `lost` images the reference got right (its last ones). Its difference is (gained - lost) / n.
Outcomes changed(int n, int reference_right, int gained, int lost) {
  Outcomes run = first_right(n, reference_right);
  for (int i = 0; i < gained; ++i) run[reference_right + i] = 1;
  for (int i = 0; i < lost; ++i) run[reference_right - 1 - i] = 0;
  return run;
}

// A one-seed grid: the reference, then one run per level.
OutcomeGrid one_seed(const Outcomes& reference, const std::vector<Outcomes>& levels) {
  OutcomeGrid grid;
  grid.correct.push_back({reference});
  for (const Outcomes& run : levels) grid.correct.push_back({run});
  return grid;
}

// The standard normal CDF.
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

TEST(InferencePercentile, LinearInterpolationType7) {
  // Sorted {1, 2, 3, 4}: h = 3p. p = 0.5: h = 1.5, 2 + 0.5 = 2.5; p = 0.25: h = 0.75, 1.75.
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(percentile({7.0}, 0.3), 7.0);
  // 0, 1, ..., 100 at 90%: h = 100 x 0.05 = 5 and 100 x 0.95 = 95.
  std::vector<double> hundred(101);
  std::iota(hundred.begin(), hundred.end(), 0.0);
  const Interval i = percentile_interval(hundred, 0.90);
  EXPECT_NEAR(i.low, 5.0, 1e-9);
  EXPECT_NEAR(i.high, 95.0, 1e-9);
  EXPECT_THROW(percentile({}, 0.5), core::UsageError);
  EXPECT_THROW(percentile({1.0}, 1.5), core::UsageError);
  EXPECT_THROW(percentile_interval({1.0}, 1.0), core::UsageError);
}

TEST(InferenceMcNemar, ExactByHand) {
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
  // n = 6, P(X <= 1) = (C(6,0) + C(6,1)) / 64 = 7/64, p = 14/64.
  EXPECT_NEAR(mcnemar_exact_p(1, 5), 0.21875, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(5, 1), 0.21875, 1e-12);
  // n = 10, P(X <= 0) = 1/1024.
  EXPECT_NEAR(mcnemar_exact_p(0, 10), 2.0 / 1024, 1e-15);
  EXPECT_NEAR(mcnemar_exact_p(10, 0), 2.0 / 1024, 1e-15);
  // Balanced counts: 2 P(X <= n/2) > 1, capped at 1.
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(7, 7), 1.0);
  // n = 4, one side empty: 2/16.
  EXPECT_NEAR(mcnemar_exact_p(4, 0), 0.125, 1e-15);
  EXPECT_THROW(mcnemar_exact_p(-1, 3), core::UsageError);
}

TEST(InferenceMcNemar, LargeCountsMatchTheNormalApproximation) {
  // With continuity correction, z = (|b - c| - 1) / sqrt(b + c) and p = 2 (1 - Phi(z)).
  // 480 vs 520: z = 39 / sqrt(1000) = 1.2333, p = 0.2175 (the exact sum is 0.217448).
  const double z1 = 39.0 / std::sqrt(1000.0);
  EXPECT_NEAR(mcnemar_exact_p(480, 520), 2 * (1 - phi(z1)), 1e-3);
  EXPECT_NEAR(mcnemar_exact_p(480, 520), 0.217448, 1e-6);
  // 10^5 discordant images: 49,500 vs 50,500, z = 999 / 316.23 = 3.159, p = 0.00158.
  const double z2 = 999.0 / std::sqrt(100000.0);
  const double normal = 2 * (1 - phi(z2));
  const double exact = mcnemar_exact_p(49500, 50500);
  EXPECT_TRUE(std::isfinite(exact));
  EXPECT_NEAR(exact / normal, 1.0, 0.02);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(49500, 50500), mcnemar_exact_p(50500, 49500));
}

TEST(InferenceBootstrap, ConstantDifferenceCollapsesTheInterval) {
  // One seed, 4 images: the level is right exactly where the reference is wrong, so every
  // image's difference is +1 and so is every replicate's, whatever images it draws. A second
  // level equal to the reference differs by 0 in every replicate.
  const Outcomes reference = {0, 0, 0, 0};
  const OutcomeGrid grid = one_seed(reference, {{1, 1, 1, 1}, reference});
  SequenceOptions options;
  options.replicates = 500;
  const SequenceResult r = fixed_sequence_test(grid, options);
  ASSERT_EQ(r.levels.size(), 3u);
  const LevelInference& up = r.levels[1];
  EXPECT_DOUBLE_EQ(up.difference, 1.0);
  EXPECT_DOUBLE_EQ(up.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(up.two_sided.low, 1.0);
  EXPECT_DOUBLE_EQ(up.two_sided.high, 1.0);
  EXPECT_DOUBLE_EQ(up.lower_bound, 1.0);
  EXPECT_EQ(up.discordant_level_right, 4);
  EXPECT_EQ(up.discordant_reference_right, 0);
  ASSERT_TRUE(up.mcnemar_p.has_value());  // one seed: McNemar applies; 2 / 2^4
  EXPECT_NEAR(*up.mcnemar_p, 0.125, 1e-15);
  const LevelInference& same = r.levels[2];
  EXPECT_DOUBLE_EQ(same.difference, 0.0);
  EXPECT_DOUBLE_EQ(same.two_sided.low, 0.0);
  EXPECT_DOUBLE_EQ(same.two_sided.high, 0.0);
  EXPECT_DOUBLE_EQ(same.lower_bound, 0.0);
  // The reference: difference 0, tested and passing by definition.
  const LevelInference& ref = r.levels[0];
  EXPECT_DOUBLE_EQ(ref.difference, 0.0);
  EXPECT_DOUBLE_EQ(ref.accuracy, 0.0);
  EXPECT_TRUE(ref.tested);
  EXPECT_TRUE(ref.passes);
  EXPECT_EQ(r.q_star, 2);
  EXPECT_EQ(r.q_star_replicates, std::vector<int>(500, 2));
}

TEST(InferenceBootstrap, TwoSeedsPointDifferenceByHand) {
  // Seed A: reference 3/4, level 2/4 (-0.25). Seed B: reference 2/4, level 4/4 (+0.5).
  // Difference = (-0.25 + 0.5) / 2 = 0.125; level accuracy (0.5 + 1) / 2 = 0.75, reference
  // (0.75 + 0.5) / 2 = 0.625. Discordant: A has level-only {} and reference-only {1};
  // B level-only {2, 3}: 2 and 1 summed.
  OutcomeGrid grid;  // [level][seed][image]
  grid.correct = {{{1, 1, 1, 0}, {1, 1, 0, 0}}, {{1, 0, 1, 0}, {1, 1, 1, 1}}};
  SequenceOptions options;
  options.replicates = 400;
  const SequenceResult r = fixed_sequence_test(grid, options);
  const LevelInference& level = r.levels[1];
  EXPECT_DOUBLE_EQ(level.difference, 0.125);
  EXPECT_DOUBLE_EQ(level.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(r.levels[0].accuracy, 0.625);
  EXPECT_EQ(level.discordant_level_right, 2);
  EXPECT_EQ(level.discordant_reference_right, 1);
  EXPECT_FALSE(level.mcnemar_p.has_value());  // two seeds: no McNemar
  // Replicate differences are means of image differences in {-1, 0, 1}, and with 4 images a
  // seed's mean is a multiple of 1/4: the interval lies on that grid's range and holds 0.125.
  EXPECT_GE(level.two_sided.low, -1.0);
  EXPECT_LE(level.two_sided.high, 1.0);
  EXPECT_LT(level.two_sided.low, 0.125);
  EXPECT_GT(level.two_sided.high, 0.125);
  EXPECT_LE(level.two_sided.low, level.lower_bound);
}

// A seed of 1,000 images near the margin: the reference right on 800, levels losing a little
// more each, so that replicates disagree on q*.
OutcomeGrid near_the_margin() {
  const int n = 1000;
  const Outcomes reference = first_right(n, 800);
  return one_seed(reference,
                  {changed(n, 800, 20, 22), changed(n, 800, 20, 27), changed(n, 800, 20, 30)});
}

TEST(InferenceBootstrap, SeedGivesTheSameReplicates) {
  SequenceOptions options;
  options.replicates = 300;
  options.seed = 42;
  const SequenceResult a = fixed_sequence_test(near_the_margin(), options);
  const SequenceResult b = fixed_sequence_test(near_the_margin(), options);
  EXPECT_EQ(a.q_star_replicates, b.q_star_replicates);
  for (std::size_t level = 0; level < a.levels.size(); ++level) {
    EXPECT_EQ(a.levels[level].two_sided.low, b.levels[level].two_sided.low);
    EXPECT_EQ(a.levels[level].two_sided.high, b.levels[level].two_sided.high);
    EXPECT_EQ(a.levels[level].lower_bound, b.levels[level].lower_bound);
  }
  options.seed = 43;
  const SequenceResult c = fixed_sequence_test(near_the_margin(), options);
  EXPECT_NE(a.q_star_replicates, c.q_star_replicates);
  // The point estimates do not depend on the bootstrap.
  EXPECT_EQ(a.levels[2].difference, c.levels[2].difference);
}

TEST(InferenceBootstrap, SeedsAreResampled) {
  // Two seeds whose image differences are constant: +1 on seed A (the level right everywhere,
  // the reference wrong), -1 on seed B. Image draws change nothing, so a replicate's difference
  // is the mean over its two drawn seeds: -1, 0 or +1 with chances 1/4, 1/2, 1/4. At a margin
  // of 0.5 a replicate passes unless it drew B twice: q* = 1 in 3/4 of the replicates (sd of
  // that share at 4,000 replicates: 0.007). Resampling images alone would give 0 every time.
  OutcomeGrid grid;
  grid.correct = {{{0, 0, 0}, {1, 1, 1}}, {{1, 1, 1}, {0, 0, 0}}};
  SequenceOptions options;
  options.replicates = 4000;
  options.margin = 0.5;
  const SequenceResult r = fixed_sequence_test(grid, options);
  EXPECT_DOUBLE_EQ(r.levels[1].difference, 0.0);
  EXPECT_NEAR(r.levels[1].q_star_frequency, 0.75, 0.03);
  EXPECT_DOUBLE_EQ(r.levels[1].two_sided.low, -1.0);
  EXPECT_DOUBLE_EQ(r.levels[1].two_sided.high, 1.0);
  EXPECT_DOUBLE_EQ(r.levels[1].lower_bound, -1.0);
  EXPECT_FALSE(r.levels[1].passes);
}

TEST(InferenceBootstrap, LevelsShareTheDraws) {
  // Levels 1 and 2 are the same runs, near the margin. Paired draws give them the same
  // difference in every replicate, so a replicate passes both or neither: q* is never 1.
  const int n = 1000;
  const Outcomes reference = first_right(n, 800);
  const Outcomes level = changed(n, 800, 20, 30);
  SequenceOptions options;
  options.replicates = 1000;
  const SequenceResult r = fixed_sequence_test(one_seed(reference, {level, level}), options);
  EXPECT_DOUBLE_EQ(r.levels[1].q_star_frequency, 0.0);
  EXPECT_GT(r.levels[0].q_star_frequency, 0.2);
  EXPECT_GT(r.levels[2].q_star_frequency, 0.2);
  EXPECT_EQ(r.levels[1].two_sided.low, r.levels[2].two_sided.low);
  EXPECT_EQ(r.levels[1].lower_bound, r.levels[2].lower_bound);
}

TEST(InferenceBootstrap, ManyReplicatesApproachNormalTheory) {
  // One seed, 2,000 images: the level gains 100 images and loses 140, a difference of -0.02.
  // The image differences d_i have plug-in variance 240/2000 - 0.02^2 = 0.1196, so the
  // bootstrap's standard error is sqrt(0.1196 / 2000) = 0.0077330; its percentile interval is
  // -0.02 -+ 1.95996 x 0.0077330 = [-0.035156, -0.004844], its 5% point -0.02 - 1.64485 x
  // 0.0077330 = -0.032720. Monte Carlo error at 20,000 replicates is about 1.5e-4, and the
  // replicate differences lie on a 1/2000 grid.
  const int n = 2000;
  const OutcomeGrid grid = one_seed(first_right(n, 1500), {changed(n, 1500, 100, 140)});
  SequenceOptions options;
  options.replicates = 20000;
  options.seed = 7;
  const LevelInference level = fixed_sequence_test(grid, options).levels[1];
  EXPECT_DOUBLE_EQ(level.difference, -0.02);
  const double se = std::sqrt(0.1196 / n);
  EXPECT_NEAR(level.two_sided.low, -0.02 - kZ95 * se, 1e-3);
  EXPECT_NEAR(level.two_sided.high, -0.02 + kZ95 * se, 1e-3);
  EXPECT_NEAR(level.lower_bound, -0.02 - 1.644854 * se, 1e-3);
  // McNemar on the same counts: n = 240, z = 39 / sqrt(240) = 2.517, p = 0.0118.
  ASSERT_TRUE(level.mcnemar_p.has_value());
  EXPECT_NEAR(*level.mcnemar_p, 2 * (1 - phi(39.0 / std::sqrt(240.0))), 1e-3);
}

TEST(InferenceSequence, StopsAtTheFirstFailure) {
  // One seed, 1,000 images, reference right on 800. Level 1 equals the reference (every
  // replicate 0, passes); level 2 loses 200 images (-0.2, far below -0.01, fails); level 3
  // equals the reference again and would pass, but the sequence has stopped: no skipping.
  const int n = 1000;
  const Outcomes reference = first_right(n, 800);
  const OutcomeGrid grid = one_seed(reference, {reference, changed(n, 800, 0, 200), reference});
  const SequenceResult r = fixed_sequence_test(grid, {});
  EXPECT_EQ(r.q_star, 1);
  EXPECT_TRUE(r.levels[1].tested);
  EXPECT_TRUE(r.levels[1].passes);
  EXPECT_TRUE(r.levels[2].tested);
  EXPECT_FALSE(r.levels[2].passes);
  EXPECT_FALSE(r.levels[3].tested);
  EXPECT_FALSE(r.levels[3].passes);
  EXPECT_GT(r.levels[3].lower_bound, -0.01);  // it would have passed on its own
  // Every replicate stops at level 2 as well.
  EXPECT_DOUBLE_EQ(r.levels[1].q_star_frequency, 1.0);
  EXPECT_DOUBLE_EQ(r.levels[3].q_star_frequency, 0.0);
}

TEST(InferenceSequence, AllPassAndFirstFails) {
  const int n = 1000;
  const Outcomes reference = first_right(n, 800);
  // Every level at least as good as the reference: q* is the last.
  const OutcomeGrid good =
      one_seed(reference, {reference, changed(n, 800, 5, 0), changed(n, 800, 10, 0)});
  const SequenceResult all = fixed_sequence_test(good, {});
  EXPECT_EQ(all.q_star, 3);
  for (const LevelInference& level : all.levels) {
    EXPECT_TRUE(level.tested);
    EXPECT_TRUE(level.passes);
  }
  EXPECT_DOUBLE_EQ(all.levels[3].q_star_frequency, 1.0);
  // Level 1 loses 100 images: q* is the reference itself, nothing after it is tested.
  const OutcomeGrid bad = one_seed(reference, {changed(n, 800, 0, 100), reference});
  const SequenceResult none = fixed_sequence_test(bad, {});
  EXPECT_EQ(none.q_star, 0);
  EXPECT_TRUE(none.levels[1].tested);
  EXPECT_FALSE(none.levels[1].passes);
  EXPECT_FALSE(none.levels[2].tested);
  EXPECT_DOUBLE_EQ(none.levels[0].q_star_frequency, 1.0);
  // A grid with only the reference: q* = 0.
  EXPECT_EQ(fixed_sequence_test(one_seed(reference, {}), {}).q_star, 0);
}

TEST(InferenceSequence, PassingIsStrictlyAboveMinusTheMargin) {
  // One seed, 4 images, the level wrong on all of them: every replicate's difference is -1, so
  // is the lower bound. -1 > -1 is false: a margin of 1 fails it, 1.01 passes it.
  const OutcomeGrid all_lost = one_seed({1, 1, 1, 1}, {{0, 0, 0, 0}});
  SequenceOptions options;
  options.replicates = 100;
  options.margin = 1.0;
  EXPECT_FALSE(fixed_sequence_test(all_lost, options).levels[1].passes);
  options.margin = 1.01;
  EXPECT_TRUE(fixed_sequence_test(all_lost, options).levels[1].passes);
  // One image of 4 lost: a replicate draws it k = 0..4 times (none with chance (3/4)^4 = 0.32),
  // so the 5% point is below 0 and a margin of 0 fails it.
  options.margin = 0.0;
  const SequenceResult one_lost =
      fixed_sequence_test(one_seed({1, 1, 1, 1}, {{1, 1, 1, 0}}), options);
  EXPECT_LT(one_lost.levels[1].lower_bound, 0.0);
  EXPECT_EQ(one_lost.q_star, 0);
}

TEST(InferenceSequence, QStarFrequenciesSumToOne) {
  SequenceOptions options;
  options.replicates = 1000;
  options.seed = 3;
  const SequenceResult r = fixed_sequence_test(near_the_margin(), options);
  ASSERT_EQ(r.q_star_replicates.size(), 1000u);
  double total = 0.0;
  int levels_seen = 0;
  for (std::size_t level = 0; level < r.levels.size(); ++level) {
    const double f = r.levels[level].q_star_frequency;
    total += f;
    if (f > 0) ++levels_seen;
    const auto hits =
        std::count(r.q_star_replicates.begin(), r.q_star_replicates.end(), static_cast<int>(level));
    EXPECT_DOUBLE_EQ(f, hits / 1000.0);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_GE(levels_seen, 3);  // the replicates really disagree about q*
}

TEST(InferenceSequence, RejectsMalformedGrids) {
  OutcomeGrid empty;
  EXPECT_THROW(fixed_sequence_test(empty, {}), core::DataError);
  OutcomeGrid seeds;
  seeds.correct = {{{1, 0}, {1, 1}}, {{1, 0}}};
  EXPECT_THROW(fixed_sequence_test(seeds, {}), core::DataError);
  OutcomeGrid images;
  images.correct = {{{1, 0}}, {{1, 0, 1}}};
  EXPECT_THROW(fixed_sequence_test(images, {}), core::DataError);
  OutcomeGrid values;
  values.correct = {{{1, 0}}, {{2, 0}}};
  EXPECT_THROW(fixed_sequence_test(values, {}), core::DataError);
  OutcomeGrid no_images;
  no_images.correct = {{{}}};
  EXPECT_THROW(fixed_sequence_test(no_images, {}), core::DataError);
  const OutcomeGrid fine = one_seed({1, 0}, {{1, 1}});
  SequenceOptions options;
  options.replicates = 0;
  EXPECT_THROW(fixed_sequence_test(fine, options), core::UsageError);
  options = {};
  options.confidence = 1.0;
  EXPECT_THROW(fixed_sequence_test(fine, options), core::UsageError);
  options = {};
  options.margin = -0.01;
  EXPECT_THROW(fixed_sequence_test(fine, options), core::UsageError);
}

TEST(InferencePower, SeedsNeededByHand) {
  // sd = margin = 0.01: need t(0.95, n-1) + t(0.80, n-1) <= sqrt(n). From the t table:
  // n = 7: 1.9432 + 0.9057 = 2.849 > 2.646; n = 8: 1.8946 + 0.8960 = 2.791 <= 2.828.
  const std::optional<int> n = seeds_needed(0.01, 0.01);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 8);
  const auto lhs = [](int k) {
    return student_t_quantile(0.95, k - 1) + student_t_quantile(0.8, k - 1);
  };
  EXPECT_LE(lhs(*n), std::sqrt(static_cast<double>(*n)));
  EXPECT_GT(lhs(*n - 1), std::sqrt(static_cast<double>(*n - 1)));
  // A true difference of +0.01 doubles the effect: n = 3: 2.920 + 1.061 = 3.981 > 3.464;
  // n = 4: 2.353 + 0.978 = 3.331 <= 4.
  EXPECT_EQ(seeds_needed(0.01, 0.01, 0.01), 4);
  EXPECT_EQ(seeds_needed(0.0, 0.01), 2);
  EXPECT_FALSE(seeds_needed(std::nan(""), 0.01).has_value());
  EXPECT_FALSE(seeds_needed(0.01, 0.01, -0.01).has_value());  // nothing to show
  EXPECT_FALSE(seeds_needed(1.0, 0.01).has_value());          // ~60,000 seeds
  EXPECT_THROW(seeds_needed(-0.01, 0.01), core::UsageError);
  EXPECT_THROW(seeds_needed(0.01, 0.01, 0.0, 1.0), core::UsageError);
}

TEST(InferencePower, DetectableDifferenceByHand) {
  // n = 8, sd = 0.01: (1.894579 + 0.896030) x 0.01 / sqrt(8) = 0.0098662.
  EXPECT_NEAR(detectable_difference(0.01, 8), 0.0098662, 1e-6);
  double previous = detectable_difference(0.01, 2);
  for (int n = 3; n <= 50; ++n) {
    const double d = detectable_difference(0.01, n);
    EXPECT_LT(d, previous) << n;
    previous = d;
  }
  // It is the margin seeds_needed reaches: at that margin, n seeds are enough.
  EXPECT_EQ(seeds_needed(0.02, detectable_difference(0.02, 12) * (1 + 1e-9)), 12);
  EXPECT_DOUBLE_EQ(detectable_difference(0.0, 5), 0.0);
  EXPECT_THROW(detectable_difference(0.01, 1), core::UsageError);
  EXPECT_THROW(detectable_difference(-0.01, 5), core::UsageError);
}

TEST(InferenceConvergence, Histories) {
  EXPECT_FALSE(converged({0.6}));
  // Exactly `window` epochs is too few, however flat.
  EXPECT_FALSE(converged({0.8, 0.8, 0.8, 0.8, 0.8}));
  // Rising 1 pp per epoch to the end.
  std::vector<double> rising(20);
  for (int e = 0; e < 20; ++e) rising[e] = 0.5 + 0.01 * e;
  EXPECT_FALSE(converged(rising));
  // Rise to 0.9 by epoch 10, then flat within 0.2 pp.
  std::vector<double> plateau = {0.5, 0.6, 0.7, 0.75, 0.8, 0.84, 0.87, 0.89, 0.9, 0.9};
  for (double noise : {0.001, -0.002, 0.0015, 0.0, -0.001, 0.002, -0.0005, 0.001, 0.0, 0.001}) {
    plateau.push_back(0.9 + noise);
  }
  EXPECT_TRUE(converged(plateau));
  // Early stopped: the best epoch (0.88) is 5 epochs before the end.
  EXPECT_TRUE(converged({0.6, 0.7, 0.8, 0.85, 0.88, 0.87, 0.86, 0.87, 0.86, 0.85}));
  // A late jump after a plateau is not convergence.
  EXPECT_FALSE(converged({0.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.83}));
}

TEST(InferenceConvergence, GainAtTheBoundary) {
  // Earlier best 0.8, last-window best 0.805: a gain of exactly min_gain = 0.005 is converged
  // (even though 0.805 - 0.8 is 0.0050000000000000044 in doubles), 0.8051 is not.
  EXPECT_TRUE(converged({0.7, 0.8, 0.79, 0.8, 0.805, 0.8, 0.8, 0.8}));
  EXPECT_FALSE(converged({0.7, 0.8, 0.79, 0.8, 0.8051, 0.8, 0.8, 0.8}));
  ConvergenceRule rule;
  rule.window = 2;
  rule.min_gain = 0.01;
  EXPECT_TRUE(converged({0.5, 0.7, 0.71, 0.705}, rule));
  EXPECT_FALSE(converged({0.5, 0.7, 0.711, 0.705}, rule));
  rule.window = 0;
  EXPECT_THROW(converged({0.5, 0.7}, rule), core::UsageError);
  EXPECT_THROW(converged({0.5, std::nan(""), 0.5, 0.5, 0.5, 0.5, 0.5}), core::DataError);
}

TEST(InferenceTimeToTarget, EpochsAndSeconds) {
  const std::vector<double> acc = {0.1, 0.5, 0.7, 0.6, 0.9};
  const std::vector<double> seconds = {10, 12, 11, 9, 10};
  EXPECT_EQ(epochs_to_reach(acc, 0.6), 3);
  EXPECT_EQ(epochs_to_reach(acc, 0.7), 3);  // reaching is >=
  EXPECT_EQ(epochs_to_reach(acc, 0.05), 1);
  EXPECT_EQ(epochs_to_reach(acc, 0.9), 5);
  EXPECT_FALSE(epochs_to_reach(acc, 0.95).has_value());
  EXPECT_FALSE(epochs_to_reach({}, 0.1).has_value());
  // Up to and including epoch 3: 10 + 12 + 11.
  EXPECT_EQ(seconds_to_reach(acc, seconds, 0.6), 33.0);
  EXPECT_EQ(seconds_to_reach(acc, seconds, 0.05), 10.0);
  EXPECT_EQ(seconds_to_reach(acc, seconds, 0.9), 52.0);
  EXPECT_FALSE(seconds_to_reach(acc, seconds, 0.95).has_value());
  EXPECT_THROW(seconds_to_reach(acc, {10, 12}, 0.6), core::DataError);
}

TEST(InferencePaired, TIntervalByHand) {
  // Differences {0.02, -0.01, 0.03}: mean 0.0133333, sd sqrt(0.00086667 / 2) = 0.0208167,
  // half = 4.302653 x 0.0208167 / sqrt(3) = 0.0517117.
  const PairedComparison p = paired_t({0.90, 0.80, 0.85}, {0.88, 0.81, 0.82});
  EXPECT_EQ(p.n, 3);
  EXPECT_NEAR(p.mean, 0.0133333, 1e-6);
  ASSERT_TRUE(p.interval.has_value());
  EXPECT_NEAR(p.interval->low, 0.0133333 - 0.0517117, 1e-6);
  EXPECT_NEAR(p.interval->high, 0.0133333 + 0.0517117, 1e-6);
  const PairedComparison one = paired_t({0.9}, {0.8});
  EXPECT_EQ(one.n, 1);
  EXPECT_NEAR(one.mean, 0.1, 1e-12);
  EXPECT_FALSE(one.interval.has_value());
  EXPECT_EQ(paired_t({}, {}).n, 0);
  EXPECT_THROW(paired_t({0.9, 0.8}, {0.8}), core::DataError);
}

}  // namespace
}  // namespace helmholtz::report
