#pragma once
// The report's statistics: intervals for a run's accuracy (over its validation samples) and for
// a level's mean accuracy (over seeds), and the chance test. Pure functions, no files.

#include <cstdint>
#include <optional>
#include <vector>

namespace helmholtz::report {

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// Mean and sample standard deviation (n - 1) of the values that exist.
struct Stat {
  int n = 0;
  std::optional<double> mean;  // none when n == 0
  std::optional<double> std;   // none when n < 2
};
Stat stat_of(const std::vector<double>& values);

// The two-sided 95% normal quantile, 1.959964.
inline constexpr double kZ95 = 1.959963984540054;

// Wilson's score interval for a proportion p observed on n samples (95% by default): the
// interval a run's accuracy gets from its number of validation samples. n must be >= 1.
Interval wilson_interval(double p, std::int64_t n, double z = kZ95);

// Student's t distribution: its CDF and the quantile t with CDF(t) = p, for df >= 1 degrees of
// freedom (the regularized incomplete beta function by its continued fraction, inverted by
// bisection; accurate to about 1e-10).
double student_t_cdf(double t, int df);
double student_t_quantile(double p, int df);

// Mean of the values and the half-width of its two-sided 95% t-interval (n - 1 degrees of
// freedom); no half-width for fewer than two values.
struct MeanInterval {
  int n = 0;
  double mean = 0.0;
  std::optional<double> half;
};
MeanInterval t_interval(const std::vector<double>& values);

// Whether an accuracy measured on n samples is above chance (1 / classes) at 95%: the lower end
// of its Wilson interval is above the chance rate.
bool above_chance(double accuracy, std::int64_t n, int classes);

}  // namespace helmholtz::report
