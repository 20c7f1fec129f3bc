#include "helmholtz/report/inference.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::report {
namespace {

__extension__ typedef unsigned __int128 Wide;

// A uniform index in [0, n) from the engine by Lemire's multiply-and-reject method: unbiased,
// one multiplication per draw in the common case, and (unlike std::uniform_int_distribution,
// whose algorithm each standard library picks) the same on every platform.
std::uint64_t draw_below(std::mt19937_64& rng, std::uint64_t n) {
  Wide product = static_cast<Wide>(rng()) * n;
  auto low = static_cast<std::uint64_t>(product);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      product = static_cast<Wide>(rng()) * n;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

void check_probability(double p, const char* what) {
  if (!(p > 0.0 && p < 1.0)) {
    throw core::UsageError(std::string(what) + " must lie in (0, 1), not " + std::to_string(p));
  }
}

// The shape of a grid: levels, seeds, images. Throws core::DataError unless it is rectangular,
// non-empty and holds only 0 and 1.
struct GridShape {
  std::size_t levels = 0, seeds = 0, images = 0;
};

GridShape check_grid(const OutcomeGrid& grid) {
  const auto& c = grid.correct;
  if (c.empty()) throw core::DataError("the outcome grid has no levels (not even the reference)");
  GridShape shape{c.size(), c[0].size(), 0};
  if (shape.seeds == 0) throw core::DataError("the outcome grid's reference has no seeds");
  shape.images = c[0][0].size();
  if (shape.images == 0) throw core::DataError("the outcome grid's runs have no test images");
  for (std::size_t level = 0; level < shape.levels; ++level) {
    if (c[level].size() != shape.seeds) {
      throw core::DataError("level " + std::to_string(level) + " of the outcome grid has " +
                            std::to_string(c[level].size()) + " seeds, the reference " +
                            std::to_string(shape.seeds) + ": every level needs the same seeds");
    }
    for (std::size_t seed = 0; seed < shape.seeds; ++seed) {
      const auto& run = c[level][seed];
      if (run.size() != shape.images) {
        throw core::DataError("level " + std::to_string(level) + ", seed index " +
                              std::to_string(seed) + " has " + std::to_string(run.size()) +
                              " test images, not " + std::to_string(shape.images) +
                              ": every run must be scored on the same test images");
      }
      if (std::any_of(run.begin(), run.end(), [](std::uint8_t v) { return v > 1; })) {
        throw core::DataError("level " + std::to_string(level) + ", seed index " +
                              std::to_string(seed) + " holds a value other than 0 or 1");
      }
    }
  }
  return shape;
}

// The images where a level and the reference disagree, for one seed: where only the level was
// right (+1 to the difference) and where only the reference was (-1). Every other image adds 0,
// so a replicate's difference needs only these.
struct Discordant {
  std::vector<std::uint32_t> level_right, reference_right;
};

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) throw core::UsageError("a percentile needs at least one value");
  if (!(p >= 0.0 && p <= 1.0)) {
    throw core::UsageError("a percentile needs p in [0, 1], not " + std::to_string(p));
  }
  std::sort(values.begin(), values.end());
  const double h = (values.size() - 1) * p;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= values.size()) return values.back();
  return values[below] + (h - below) * (values[below + 1] - values[below]);
}

Interval percentile_interval(std::vector<double> values, double confidence) {
  check_probability(confidence, "the confidence");
  const double tail = (1.0 - confidence) / 2.0;
  return {percentile(values, tail), percentile(values, 1.0 - tail)};
}

double mcnemar_exact_p(int b, int c) {
  if (b < 0 || c < 0) throw core::UsageError("McNemar's test needs counts >= 0");
  const int n = b + c;
  const int k = std::min(b, c);
  if (n == 0) return 1.0;
  // P(X <= k) = 2^-n sum_{j <= k} C(n, j). With k <= n / 2 the terms grow with j, so factor out
  // the largest, C(n, k), and sum the ratios C(n, j) / C(n, k) <= 1 downwards: nothing
  // overflows, and the sum stops once the terms no longer change it.
  const double log_top = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
  double ratio = 1.0, sum = 1.0;
  for (int j = k; j > 0; --j) {
    ratio *= static_cast<double>(j) / (n - j + 1);  // C(n, j - 1) / C(n, j)
    sum += ratio;
    if (ratio < 1e-17 * sum) break;
  }
  const double tail = std::exp(log_top - n * std::log(2.0) + std::log(sum));
  return std::min(1.0, 2.0 * tail);
}

SequenceResult fixed_sequence_test(const OutcomeGrid& grid, const SequenceOptions& options) {
  if (!std::isfinite(options.margin) || options.margin < 0.0) {
    throw core::UsageError("the non-inferiority margin must be finite and >= 0, not " +
                           std::to_string(options.margin));
  }
  if (options.replicates < 1) throw core::UsageError("the bootstrap needs at least 1 replicate");
  check_probability(options.confidence, "the confidence");
  const GridShape shape = check_grid(grid);
  const auto& correct = grid.correct;
  const std::size_t levels = shape.levels, seeds = shape.seeds, images = shape.images;

  SequenceResult result;
  result.levels.resize(levels);

  // Point estimates and the discordant images of each (level, seed).
  std::vector<std::vector<Discordant>> discordant(levels, std::vector<Discordant>(seeds));
  for (std::size_t level = 0; level < levels; ++level) {
    LevelInference& out = result.levels[level];
    for (std::size_t seed = 0; seed < seeds; ++seed) {
      const auto& run = correct[level][seed];
      const auto& reference = correct[0][seed];
      Discordant& d = discordant[level][seed];
      std::int64_t right = 0;
      for (std::size_t i = 0; i < images; ++i) {
        right += run[i];
        if (run[i] && !reference[i]) d.level_right.push_back(static_cast<std::uint32_t>(i));
        if (!run[i] && reference[i]) d.reference_right.push_back(static_cast<std::uint32_t>(i));
      }
      const auto net =
          static_cast<double>(d.level_right.size()) - static_cast<double>(d.reference_right.size());
      out.accuracy += static_cast<double>(right) / images / seeds;
      out.difference += net / images / seeds;
      out.discordant_level_right += static_cast<int>(d.level_right.size());
      out.discordant_reference_right += static_cast<int>(d.reference_right.size());
    }
    if (seeds == 1) {
      out.mcnemar_p = mcnemar_exact_p(out.discordant_level_right, out.discordant_reference_right);
    }
  }

  // The bootstrap. Each replicate draws the seeds, then the images of each drawn seed as
  // multinomial counts (how often each image was drawn); every level reuses those counts, and
  // only its discordant images contribute.
  const auto replicates = static_cast<std::size_t>(options.replicates);
  std::vector<std::vector<double>> replicate_difference(levels,
                                                        std::vector<double>(replicates, 0.0));
  result.q_star_replicates.resize(replicates);
  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> drawn_seeds(seeds, 0);
  std::vector<std::uint32_t> counts(images);
  std::vector<double> sums(levels);
  for (std::size_t r = 0; r < replicates; ++r) {
    if (seeds > 1) {
      for (auto& s : drawn_seeds) s = draw_below(rng, seeds);
    }
    std::fill(sums.begin(), sums.end(), 0.0);
    for (const std::size_t seed : drawn_seeds) {
      std::fill(counts.begin(), counts.end(), 0u);
      for (std::size_t i = 0; i < images; ++i) ++counts[draw_below(rng, images)];
      for (std::size_t level = 1; level < levels; ++level) {
        const Discordant& d = discordant[level][seed];
        std::int64_t net = 0;
        for (const std::uint32_t i : d.level_right) net += counts[i];
        for (const std::uint32_t i : d.reference_right) net -= counts[i];
        sums[level] += static_cast<double>(net) / images;
      }
    }
    int q_star = 0;
    bool going = true;
    for (std::size_t level = 1; level < levels; ++level) {
      const double difference = sums[level] / seeds;
      replicate_difference[level][r] = difference;
      if (going && difference > -options.margin) {
        q_star = static_cast<int>(level);
      } else {
        going = false;
      }
    }
    result.q_star_replicates[r] = q_star;
  }

  // Intervals, the fixed sequence, and how often each level is the replicates' q*.
  bool going = true;
  for (std::size_t level = 0; level < levels; ++level) {
    LevelInference& out = result.levels[level];
    out.two_sided = percentile_interval(replicate_difference[level], options.confidence);
    out.lower_bound = percentile(replicate_difference[level], 1.0 - options.confidence);
    if (level == 0) {
      out.tested = out.passes = true;  // the reference against itself: difference 0
    } else if (going) {
      out.tested = true;
      out.passes = out.lower_bound > -options.margin;
      if (out.passes) {
        result.q_star = static_cast<int>(level);
      } else {
        going = false;
      }
    }
    const auto hits = std::count(result.q_star_replicates.begin(), result.q_star_replicates.end(),
                                 static_cast<int>(level));
    out.q_star_frequency = static_cast<double>(hits) / replicates;
  }
  return result;
}

std::optional<int> seeds_needed(double sd_of_paired_differences, double margin,
                                double true_difference, double power, double alpha) {
  const double sd = sd_of_paired_differences;
  check_probability(power, "the power");
  check_probability(alpha, "alpha");
  if (sd < 0.0) throw core::UsageError("a standard deviation cannot be negative");
  const double effect = margin + true_difference;
  if (!std::isfinite(sd) || !std::isfinite(effect) || effect <= 0.0) return std::nullopt;
  if (sd == 0.0) return 2;
  constexpr int kMostSeeds = 1000;
  for (int n = 2; n <= kMostSeeds; ++n) {
    const double needed = student_t_quantile(1.0 - alpha, n - 1) + student_t_quantile(power, n - 1);
    if (needed <= effect * std::sqrt(static_cast<double>(n)) / sd) return n;
  }
  return std::nullopt;
}

double detectable_difference(double sd, int n, double power, double alpha) {
  if (n < 2) throw core::UsageError("a paired t-test over seeds needs at least 2 seeds");
  if (!std::isfinite(sd) || sd < 0.0) {
    throw core::UsageError("the standard deviation must be finite and >= 0");
  }
  check_probability(power, "the power");
  check_probability(alpha, "alpha");
  return (student_t_quantile(1.0 - alpha, n - 1) + student_t_quantile(power, n - 1)) * sd /
         std::sqrt(static_cast<double>(n));
}

bool converged(const std::vector<double>& val_acc, const ConvergenceRule& rule) {
  if (rule.window < 1) throw core::UsageError("the convergence window must be >= 1 epoch");
  if (!(rule.min_gain >= 0.0)) throw core::UsageError("the convergence min_gain must be >= 0");
  for (std::size_t e = 0; e < val_acc.size(); ++e) {
    if (!std::isfinite(val_acc[e])) {
      throw core::DataError("val_acc of epoch " + std::to_string(e + 1) + " is not finite");
    }
  }
  const auto window = static_cast<std::size_t>(rule.window);
  if (val_acc.size() <= window) return false;
  const auto split = val_acc.end() - static_cast<std::ptrdiff_t>(window);
  const double earlier = *std::max_element(val_acc.begin(), split);
  const double last = *std::max_element(split, val_acc.end());
  // The allowance absorbs the rounding of decimal accuracies (0.805 - 0.8 > 0.005 in doubles).
  constexpr double kAllowance = 1e-12;
  return last - earlier <= rule.min_gain + kAllowance;
}

std::optional<int> epochs_to_reach(const std::vector<double>& val_acc, double target) {
  for (std::size_t e = 0; e < val_acc.size(); ++e) {
    if (val_acc[e] >= target) return static_cast<int>(e + 1);
  }
  return std::nullopt;
}

std::optional<double> seconds_to_reach(const std::vector<double>& val_acc,
                                       const std::vector<double>& epoch_seconds, double target) {
  if (val_acc.size() != epoch_seconds.size()) {
    throw core::DataError("the history has " + std::to_string(val_acc.size()) + " accuracies but " +
                          std::to_string(epoch_seconds.size()) +
                          " epoch times: they must cover the same epochs");
  }
  const std::optional<int> epochs = epochs_to_reach(val_acc, target);
  if (!epochs) return std::nullopt;
  double seconds = 0.0;
  for (int e = 0; e < *epochs; ++e) seconds += epoch_seconds[e];
  return seconds;
}

PairedComparison paired_t(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    throw core::DataError("a paired comparison needs as many values on each side, not " +
                          std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
  std::vector<double> differences(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) differences[i] = a[i] - b[i];
  const MeanInterval m = t_interval(differences);
  PairedComparison out;
  out.n = m.n;
  out.mean = m.mean;
  if (m.half) out.interval = Interval{m.mean - *m.half, m.mean + *m.half};
  return out;
}

}  // namespace helmholtz::report
