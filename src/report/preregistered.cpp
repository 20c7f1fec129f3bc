#include "helmholtz/report/preregistered.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "helmholtz/core/error.hpp"
#include "helmholtz/run/predictions.hpp"

namespace helmholtz::report {
namespace {

bool same_line(const Cell& a, const Cell& b) {
  return a.dataset == b.dataset && a.setting == b.setting && a.model == b.model &&
         a.level_kind == b.level_kind && a.codec == b.codec;
}

std::string line_name(const Cell& c) {
  return c.dataset + " / " + c.model + " / " + codec_display_name(c.codec);
}

// The run of each seed in a cell (the first one listed when a seed repeats).
std::map<int, const RunRecord*> runs_by_seed(const Cell& c) {
  std::map<int, const RunRecord*> out;
  for (const RunRecord* r : c.members) out.emplace(r->seed, r);
  return out;
}

std::optional<double> sd_of(const std::vector<double>& values) {
  const Stat s = stat_of(values);
  return s.std;
}

// Epochs and seconds to the target for each run of a cell, by seed.
struct Reached {
  std::map<int, double> epochs, seconds;
  int runs = 0;
};

Reached time_to(const Cell& c, double target) {
  Reached out;
  for (const auto& [seed, r] : runs_by_seed(c)) {
    if (r->history.empty()) continue;
    ++out.runs;
    std::vector<double> acc, seconds;
    for (const auto& e : r->history) {
      acc.push_back(e.val_acc);
      seconds.push_back(e.seconds);
    }
    if (const auto epochs = epochs_to_reach(acc, target)) {
      out.epochs[seed] = *epochs;
      out.seconds[seed] = *seconds_to_reach(acc, seconds, target);
    }
  }
  return out;
}

std::optional<MeanInterval> mean_of(const std::map<int, double>& by_seed) {
  if (by_seed.empty()) return std::nullopt;
  std::vector<double> v;
  for (const auto& [seed, x] : by_seed) v.push_back(x);
  return t_interval(v);
}

std::optional<PairedComparison> paired(const std::map<int, double>& level,
                                       const std::map<int, double>& reference) {
  std::vector<double> a, b;
  for (const auto& [seed, x] : level) {
    const auto it = reference.find(seed);
    if (it == reference.end()) continue;
    a.push_back(x);
    b.push_back(it->second);
  }
  if (a.empty()) return std::nullopt;
  return paired_t(a, b);
}

// One line's estimate from its cells (in level order); none, with a note, when its
// predictions cannot be paired.
std::optional<PreregisteredEstimate> estimate_line(const std::vector<const Cell*>& line,
                                                   const EstimatorOptions& o,
                                                   std::vector<std::string>& notes) {
  const Cell& first = *line.front();
  const std::string name = line_name(first);
  // The reference: raw where the line has it (it sorts last), else the highest level.
  const Cell* reference = line.back();
  // Test order: the reference, then the others from the most bits to the fewest.
  std::vector<const Cell*> order;
  for (const Cell* c : line) {
    if (c != reference) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(), [](const Cell* a, const Cell* b) {
    const double x = a->bits.mean.value_or(0.0), y = b->bits.mean.value_or(0.0);
    return x != y ? x > y : b->level < a->level;
  });
  order.insert(order.begin(), reference);

  // The seeds every level has predictions for; levels without any of the reference's seeds are
  // left out.
  std::set<int> seeds;
  for (const auto& [seed, r] : runs_by_seed(*reference)) {
    if (r->predictions) seeds.insert(seed);
  }
  if (seeds.empty()) {
    notes.push_back(name + ": no pre-registered estimate: the reference level's runs have no "
                           "predictions file (unfinished, or trained by an older helmholtz)");
    return std::nullopt;
  }
  std::vector<const Cell*> kept;
  for (const Cell* c : order) {
    std::set<int> has;
    for (const auto& [seed, r] : runs_by_seed(*c)) {
      if (r->predictions && seeds.count(seed) != 0) has.insert(seed);
    }
    if (has.empty()) {
      notes.push_back(name + ": level " + c->level.to_string() +
                      " left out of the pre-registered estimate: none of its runs has a "
                      "predictions file for a seed the reference level has");
      continue;
    }
    if (has.size() < seeds.size() && c != reference) {
      std::set<int> dropped;
      std::set_difference(seeds.begin(), seeds.end(), has.begin(), has.end(),
                          std::inserter(dropped, dropped.begin()));
      std::string list;
      for (int s : dropped) list += (list.empty() ? "" : ", ") + std::to_string(s);
      notes.push_back(name + ": seed(s) " + list + " left out of the pre-registered estimate: "
                      "level " + c->level.to_string() + " has no finished run of them");
    }
    seeds = has.size() < seeds.size() && c != reference ? has : seeds;
    kept.push_back(c);
  }
  if (kept.size() < 2) {
    notes.push_back(name + ": no pre-registered estimate: no level besides the reference has "
                           "predictions to compare");
    return std::nullopt;
  }

  PreregisteredEstimate e;
  e.dataset = first.dataset;
  e.model = first.model;
  e.level_kind = first.level_kind;
  e.codec = first.codec;
  e.setting = first.setting;
  e.bits_measure = first.bits_measure;
  e.tolerance_pp = o.tolerance_pp;
  e.replicates = o.replicates;
  e.bootstrap_seed = o.seed;
  e.seeds.assign(seeds.begin(), seeds.end());
  for (const Cell* c : kept) {
    if (!c->codec_version.empty() && e.codec_version.empty()) e.codec_version = c->codec_version;
  }

  // The outcome grid from the predictions files; every file must score the same test images.
  OutcomeGrid grid;
  std::vector<std::int32_t> labels;
  for (const Cell* c : kept) {
    const auto by_seed = runs_by_seed(*c);
    auto& level = grid.correct.emplace_back();
    for (int seed : e.seeds) {
      const RunRecord& r = *by_seed.at(seed);
      run::Predictions p;
      try {
        p = run::read_predictions(*r.predictions);
      } catch (const core::DataError& error) {
        notes.push_back(name + ": no pre-registered estimate: " + error.what());
        return std::nullopt;
      }
      if (labels.empty()) labels = p.label;
      if (p.label != labels) {
        notes.push_back(name + ": no pre-registered estimate: '" + r.predictions->string() +
                        "' scores other test images than the reference level's runs (another "
                        "--val-size or dataset); compare runs of one test split");
        return std::nullopt;
      }
      auto& outcome = level.emplace_back(p.size());
      for (std::size_t i = 0; i < p.size(); ++i) outcome[i] = p.correct(i) ? 1 : 0;
    }
  }
  e.test_samples = static_cast<std::int64_t>(labels.size());
  SequenceOptions so;
  so.margin = o.tolerance_pp / 100.0;
  so.replicates = o.replicates;
  so.seed = o.seed;
  const SequenceResult result = fixed_sequence_test(grid, so);

  // Per level: bits, the inference, the per-seed paired differences, convergence and speed.
  double best_reference = 0.0;
  int reference_runs = 0;
  for (const auto& [seed, r] : runs_by_seed(*kept.front())) {
    if (r->best_val_acc) {
      best_reference += *r->best_val_acc;
      ++reference_runs;
    }
  }
  e.target_accuracy = reference_runs > 0 ? o.target_share * best_reference / reference_runs : 0.0;
  const Reached reference_time = time_to(*kept.front(), e.target_accuracy);
  for (std::size_t l = 0; l < kept.size(); ++l) {
    const Cell& c = *kept[l];
    PreregisteredLevel p;
    p.level = c.level;
    p.bits = c.bits.mean.value_or(0.0);
    p.file_bits = c.file_bits.mean;
    p.inference = result.levels[l];
    for (std::size_t s = 0; s < e.seeds.size(); ++s) {
      const auto& mine = grid.correct[l][s];
      const auto& ref = grid.correct[0][s];
      double d = 0.0;
      for (std::size_t i = 0; i < mine.size(); ++i) d += static_cast<double>(mine[i]) - ref[i];
      p.seed_differences.push_back(d / static_cast<double>(mine.size()));
    }
    p.seed_difference_sd = sd_of(p.seed_differences);
    // Of the runs the estimate pairs (the line's common seeds).
    const auto by_seed = runs_by_seed(c);
    for (int seed : e.seeds) {
      const RunRecord& r = *by_seed.at(seed);
      p.unconverged += r.converged && !*r.converged ? 1 : 0;
    }
    p.chance_runs = c.chance_runs;
    const Reached time = time_to(c, e.target_accuracy);
    p.time.runs = time.runs;
    p.time.reached = static_cast<int>(time.epochs.size());
    p.time.epochs = mean_of(time.epochs);
    p.time.seconds = mean_of(time.seconds);
    if (l > 0) {
      p.time.epochs_vs_reference = paired(time.epochs, reference_time.epochs);
      p.time.seconds_vs_reference = paired(time.seconds, reference_time.seconds);
    }
    e.unconverged += p.unconverged;
    e.selected_on_test |= c.selected_on_test > 0;
    if (l > 0 && p.seed_difference_sd) {
      e.paired_sd = std::max(e.paired_sd.value_or(0.0), *p.seed_difference_sd);
    }
    e.levels.push_back(std::move(p));
  }

  // q* and its bits, with the bootstrap's intervals.
  e.q_star = static_cast<std::size_t>(result.q_star);
  const double reference_bits = e.levels.front().bits;
  e.noise_bits = reference_bits - e.levels[e.q_star].bits;
  e.noise_fraction = reference_bits > 0 ? e.noise_bits / reference_bits : 0.0;
  std::vector<double> noise, fraction;
  for (int q : result.q_star_replicates) {
    const double n = reference_bits - e.levels[static_cast<std::size_t>(q)].bits;
    noise.push_back(n);
    fraction.push_back(reference_bits > 0 ? n / reference_bits : 0.0);
  }
  e.noise_bits_interval = percentile_interval(noise);
  e.noise_fraction_interval = percentile_interval(fraction);

  // Planning the seeds from the measured paired spread.
  if (e.paired_sd) {
    e.seeds_needed = seeds_needed(*e.paired_sd, so.margin);
    if (e.seeds.size() >= 2) {
      e.detectable_pp = 100.0 * detectable_difference(*e.paired_sd, static_cast<int>(e.seeds.size()));
    }
  }

  // When the line states no noise fraction.
  const auto& q = e.levels[e.q_star];
  if (e.unconverged > 0) {
    e.finding = false;
    e.withheld = std::to_string(e.unconverged) +
                 " run(s) had not converged (validation accuracy still rising at the end): "
                 "train them longer (--epochs, --resume) or with --patience";
  } else if (e.levels.front().chance_runs > 0 || q.chance_runs > 0) {
    e.finding = false;
    e.withheld = "the reference level or q* has runs not above chance on the test split";
  }
  return e;
}

}  // namespace

std::vector<PreregisteredEstimate> preregistered_estimates(const std::vector<Cell>& cells,
                                                           const EstimatorOptions& o,
                                                           std::vector<std::string>* notes) {
  if (!std::isfinite(o.tolerance_pp) || o.tolerance_pp < 0) {
    throw core::UsageError("--tolerance must be 0 or more percentage points");
  }
  std::vector<std::string> local;
  std::vector<PreregisteredEstimate> out;
  for (std::size_t i = 0; i < cells.size();) {
    std::vector<const Cell*> line;
    std::size_t j = i;
    for (; j < cells.size() && same_line(cells[i], cells[j]); ++j) line.push_back(&cells[j]);
    if (auto e = estimate_line(line, o, local)) out.push_back(std::move(*e));
    i = j;
  }
  if (notes != nullptr) notes->insert(notes->end(), local.begin(), local.end());
  return out;
}

}  // namespace helmholtz::report
