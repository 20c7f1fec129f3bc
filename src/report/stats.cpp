#include "helmholtz/report/stats.hpp"

#include <cmath>
#include <numeric>

#include "helmholtz/core/error.hpp"

namespace helmholtz::report {
namespace {

// The continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 500; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1.0) < 1e-15) break;
  }
  return h;
}

// I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

}  // namespace

Stat stat_of(const std::vector<double>& values) {
  Stat s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / s.n;
  s.mean = mean;
  if (s.n >= 2) {
    double sum = 0.0;
    for (double v : values) sum += (v - mean) * (v - mean);
    s.std = std::sqrt(sum / (s.n - 1));
  }
  return s;
}

Interval wilson_interval(double p, std::int64_t n, double z) {
  if (n < 1) throw core::UsageError("a Wilson interval needs at least one sample");
  const double nn = static_cast<double>(n);
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double student_t_cdf(double t, int df) {
  if (df < 1) throw core::UsageError("Student's t needs at least one degree of freedom");
  const double v = df;
  const double tail = 0.5 * incomplete_beta(v / 2.0, 0.5, v / (v + t * t));
  return t >= 0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, int df) {
  if (!(p > 0.0 && p < 1.0)) throw core::UsageError("a t quantile needs p in (0, 1)");
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  double lo = 0.0, hi = 1.0;
  while (student_t_cdf(hi, df) < p) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

MeanInterval t_interval(const std::vector<double>& values) {
  const Stat s = stat_of(values);
  MeanInterval m;
  m.n = s.n;
  if (!s.mean) return m;
  m.mean = *s.mean;
  if (!s.std) return m;
  m.half = student_t_quantile(0.975, m.n - 1) * *s.std / std::sqrt(static_cast<double>(m.n));
  return m;
}

bool above_chance(double accuracy, std::int64_t n, int classes) {
  if (classes < 1 || n < 1) return false;
  return wilson_interval(accuracy, n).low > 1.0 / classes;
}

}  // namespace helmholtz::report
