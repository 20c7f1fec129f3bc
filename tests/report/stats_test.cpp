// The report's statistics against values worked out by hand (and the published t table).

#include "helmholtz/report/stats.hpp"

#include <gtest/gtest.h>

#include "helmholtz/core/error.hpp"

namespace helmholtz::report {
namespace {

TEST(ReportStats, WilsonIntervalByHand) {
  // 50 of 100: centre (0.5 + z²/200) / (1 + z²/100) = 0.5; half z sqrt(0.0025 + z²/40000) /
  // (1 + z²/100) = 1.959964 x 0.0509513 / 1.0384146 = 0.0961685.
  const Interval half = wilson_interval(0.5, 100);
  EXPECT_NEAR(half.low, 0.5 - 0.0961685, 1e-6);
  EXPECT_NEAR(half.high, 0.5 + 0.0961685, 1e-6);
  // 0 of 10: centre = half = (z²/20) / (1 + z²/10) = 0.1920729 / 1.3841459 = 0.1387668.
  const Interval none = wilson_interval(0.0, 10);
  EXPECT_NEAR(none.low, 0.0, 1e-12);
  EXPECT_NEAR(none.high, 2 * 0.1387668, 1e-6);
  EXPECT_THROW(wilson_interval(0.5, 0), core::UsageError);
}

TEST(ReportStats, StudentTQuantilesAreTheTables) {
  // Two-sided 95% (p = 0.975), from the published table.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.3027, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0423, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.95, 4), 2.1318, 1e-4);  // one-sided 95%
  EXPECT_NEAR(student_t_quantile(0.025, 2), -4.3027, 1e-4);
  EXPECT_DOUBLE_EQ(student_t_cdf(0.0, 3), 0.5);
  // df 1 is the Cauchy distribution: CDF(1) = 3/4.
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-12);
  EXPECT_THROW(student_t_quantile(1.0, 3), core::UsageError);
}

TEST(ReportStats, TIntervalOverSeedsByHand) {
  // {1, 2, 3}: mean 2, sd 1, half = t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051 = 2.484138.
  const MeanInterval m = t_interval({1.0, 2.0, 3.0});
  EXPECT_EQ(m.n, 3);
  EXPECT_DOUBLE_EQ(m.mean, 2.0);
  ASSERT_TRUE(m.half.has_value());
  EXPECT_NEAR(*m.half, 2.484138, 1e-5);
  EXPECT_FALSE(t_interval({0.7}).half.has_value());
  EXPECT_EQ(t_interval({}).n, 0);
}

TEST(ReportStats, AboveChanceAtTheBoundary) {
  // 10 classes, 1,000 samples. 0.12: Wilson low = 0.121461 - 0.020156 = 0.1013 > 0.1, above.
  // 0.115: low = 0.116467 - 0.019791 = 0.0967, not above chance.
  EXPECT_TRUE(above_chance(0.12, 1000, 10));
  EXPECT_FALSE(above_chance(0.115, 1000, 10));
  EXPECT_NEAR(wilson_interval(0.12, 1000).low, 0.10130, 1e-4);
  EXPECT_NEAR(wilson_interval(0.115, 1000).low, 0.09668, 1e-4);
  EXPECT_FALSE(above_chance(0.09, 100000, 10));
  EXPECT_TRUE(above_chance(0.9, 50, 10));
}

}  // namespace
}  // namespace helmholtz::report
