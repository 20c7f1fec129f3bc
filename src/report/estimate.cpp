#include "helmholtz/report/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "helmholtz/core/error.hpp"
#include "helmholtz/report/stats.hpp"

namespace helmholtz::report {

namespace {

bool same_cell(const RunRecord& r, const Cell& c) {
  return r.dataset == c.dataset && r.model == c.model && r.level_kind == c.level_kind &&
         r.setting == c.setting && r.level == c.level;
}

// The axis bits and the lossless reference in one measure.
void use_measure(Cell& c, BitsMeasure measure) {
  const bool payload = measure == BitsMeasure::kPayload;
  c.bits_measure = measure;
  c.bits = payload ? c.payload_bits : c.file_bits;
  c.lossless_bits = payload ? c.lossless_payload_bits : c.lossless_file_bits;
}

}  // namespace

std::vector<Cell> make_cells(const std::vector<RunRecord>& runs, BitsMeasure measure,
                             std::vector<std::string>* notes) {
  std::vector<Cell> cells;
  std::vector<std::vector<const RunRecord*>> members;
  std::vector<std::string> diverged;
  for (const auto& r : runs) {
    if (r.diverged()) {
      diverged.push_back(r.relative.generic_string() +
                         (r.diverged_epoch ? " (epoch " + std::to_string(*r.diverged_epoch) + ")"
                                           : std::string()));
      continue;
    }
    auto it =
        std::find_if(cells.begin(), cells.end(), [&](const Cell& c) { return same_cell(r, c); });
    if (it == cells.end()) {
      Cell c;
      c.dataset = r.dataset;
      c.model = r.model;
      c.level_kind = r.level_kind;
      c.setting = r.setting;
      c.level = r.level;
      cells.push_back(c);
      members.emplace_back();
      it = cells.end() - 1;
    }
    members[static_cast<std::size_t>(it - cells.begin())].push_back(&r);
  }
  if (!diverged.empty() && notes != nullptr) {
    std::string list;
    for (const auto& d : diverged) list += (list.empty() ? "" : ", ") + d;
    notes->push_back(std::to_string(diverged.size()) +
                     " run(s) diverged (a NaN or infinite training loss) and are left out of the "
                     "cells, the plots and the estimate; they are listed under Runs: " + list);
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    Cell& c = cells[i];
    std::vector<double> file_bits, payload_bits, lossless_file, lossless_payload, accuracy,
        convergence, train_samples;
    const RunRecord* only = nullptr;
    std::vector<double> sum;
    std::vector<int> count;
    for (const RunRecord* r : members[i]) {
      ++c.runs;
      c.seeds.push_back(r->seed);
      c.unfinished += !r->finished;
      if (r->bits_per_sample) file_bits.push_back(*r->bits_per_sample);
      if (r->train_samples) train_samples.push_back(static_cast<double>(*r->train_samples));
      if (r->storage_budget) c.storage_budget = r->storage_budget;
      if (r->payload_bits_per_sample) payload_bits.push_back(*r->payload_bits_per_sample);
      if (r->lossless_bits_per_sample) lossless_file.push_back(*r->lossless_bits_per_sample);
      if (r->lossless_payload_bits_per_sample) {
        lossless_payload.push_back(*r->lossless_payload_bits_per_sample);
      }
      if (r->mean_top10_val_acc) {
        accuracy.push_back(*r->mean_top10_val_acc);
        c.accuracy_by_seed[r->seed] = *r->mean_top10_val_acc;
      }
      if (r->validation_samples) {
        c.validation_samples = c.validation_samples
                                   ? std::min(*c.validation_samples, *r->validation_samples)
                                   : *r->validation_samples;
      }
      if (r->above_chance && !*r->above_chance) ++c.chance_runs;
      only = r;
      if (r->convergence_epoch) convergence.push_back(*r->convergence_epoch);
      for (const auto& e : r->history) {
        if (e.epoch < 1) continue;
        const auto index = static_cast<std::size_t>(e.epoch - 1);
        if (sum.size() <= index) {
          sum.resize(index + 1, 0.0);
          count.resize(index + 1, 0);
        }
        sum[index] += e.val_acc;
        ++count[index];
      }
    }
    std::sort(c.seeds.begin(), c.seeds.end());
    c.file_bits = stat_of(file_bits);
    c.payload_bits = stat_of(payload_bits);
    c.lossless_file_bits = stat_of(lossless_file);
    c.lossless_payload_bits = stat_of(lossless_payload);
    use_measure(c, measure);
    c.accuracy = stat_of(accuracy);
    c.convergence = stat_of(convergence);
    c.train_samples = stat_of(train_samples);
    if (accuracy.size() >= 2) {
      const MeanInterval m = t_interval(accuracy);
      c.accuracy_interval = Interval{m.mean - *m.half, m.mean + *m.half};
      c.interval_over_seeds = true;
    } else if (c.runs == 1 && only->accuracy_interval) {
      c.accuracy_interval = only->accuracy_interval;
    }
    // Epochs no run reached are NaN (a gap); the curve ends at the longest run.
    for (std::size_t e = 0; e < sum.size(); ++e) {
      c.mean_val_acc.push_back(count[e] ? sum[e] / count[e] : std::nan(""));
    }
  }
  // One measure per line: a (dataset, setting, model) with a run lacking payload figures falls
  // back to file bits at every level.
  if (measure == BitsMeasure::kPayload) {
    for (const auto& c : cells) {
      if (c.runs == 0 || c.payload_bits.n == c.file_bits.n) continue;
      bool already = false;
      for (auto& other : cells) {
        if (other.dataset != c.dataset || other.setting != c.setting || other.model != c.model ||
            other.level_kind != c.level_kind) {
          continue;
        }
        already |= other.bits_measure == BitsMeasure::kFile;
        use_measure(other, BitsMeasure::kFile);
      }
      if (notes && !already) {
        notes->push_back(c.dataset + " / " + c.model + ": some runs hold no payload bits (written "
                         "before they were recorded), so this line uses file bits at every "
                         "level; train them again for payload bits");
      }
    }
  }
  return cells;
}

std::vector<CrossCell> make_cross_cells(const std::vector<RunRecord>& runs) {
  struct Sums {
    CrossCell cell;
    std::vector<double> accuracy, bits;
  };
  std::vector<Sums> all;
  for (const auto& r : runs) {
    for (const auto& e : r.cross_eval) {
      Level test;
      try {
        test = Level::parse(e.level);
      } catch (const core::DataError&) {
        continue;  // read_cross_eval_csv keeps levels as text; a bad one has no place
      }
      auto it = std::find_if(all.begin(), all.end(), [&](const Sums& s) {
        const auto& c = s.cell;
        return c.dataset == r.dataset && c.setting == r.setting && c.model == r.model &&
               c.level_kind == r.level_kind && c.codec == e.codec && c.train == r.level &&
               c.test == test;
      });
      if (it == all.end()) {
        Sums s;
        s.cell.dataset = r.dataset;
        s.cell.model = r.model;
        s.cell.setting = r.setting;
        s.cell.level_kind = r.level_kind;
        s.cell.codec = e.codec;
        s.cell.train = r.level;
        s.cell.test = test;
        all.push_back(s);
        it = all.end() - 1;
      }
      ++it->cell.runs;
      it->accuracy.push_back(e.val_acc);
      it->bits.push_back(e.payload_bits_per_sample);
    }
  }
  std::vector<CrossCell> cells;
  for (auto& s : all) {
    s.cell.accuracy = stat_of(s.accuracy);
    s.cell.test_payload_bits = stat_of(s.bits).mean;
    if (s.accuracy.size() >= 2) {
      const MeanInterval m = t_interval(s.accuracy);
      s.cell.interval = Interval{m.mean - *m.half, m.mean + *m.half};
    }
    cells.push_back(s.cell);
  }
  std::stable_sort(cells.begin(), cells.end(), [](const CrossCell& a, const CrossCell& b) {
    const auto key = [](const CrossCell& c) {
      return std::tie(c.dataset, c.setting, c.model, c.level_kind, c.codec);
    };
    if (key(a) != key(b)) return key(a) < key(b);
    if (a.train != b.train) return a.train < b.train;
    return a.test < b.test;
  });
  return cells;
}

const CrossCell* CrossMatrix::at(const Level& train, const Level& test) const {
  for (const CrossCell* c : cells) {
    if (c->train == train && c->test == test) return c;
  }
  return nullptr;
}

std::vector<CrossMatrix> cross_matrices(const std::vector<CrossCell>& cells) {
  const auto same = [](const CrossCell& a, const CrossCell& b) {
    return a.dataset == b.dataset && a.setting == b.setting && a.model == b.model &&
           a.level_kind == b.level_kind && a.codec == b.codec;
  };
  std::vector<CrossMatrix> out;
  for (const auto& c : cells) {
    if (out.empty() || !same(*out.back().cells.front(), c)) out.emplace_back();
    CrossMatrix& m = out.back();
    m.cells.push_back(&c);
    if (std::find(m.trains.begin(), m.trains.end(), c.train) == m.trains.end()) {
      m.trains.push_back(c.train);
    }
    if (std::find(m.tests.begin(), m.tests.end(), c.test) == m.tests.end()) {
      m.tests.push_back(c.test);
    }
  }
  for (auto& m : out) {
    std::sort(m.trains.begin(), m.trains.end());
    std::sort(m.tests.begin(), m.tests.end());
  }
  return out;
}

void compare_with_best(const LevelPoint& best, LevelPoint& point) {
  const double difference = best.accuracy - point.accuracy;
  std::vector<double> paired;
  for (const auto& [seed, accuracy] : point.accuracy_by_seed) {
    const auto other = best.accuracy_by_seed.find(seed);
    if (other != best.accuracy_by_seed.end()) paired.push_back(other->second - accuracy);
  }
  if (&best == &point) {
    point.worse_by_at_most = 0.0;
    point.test = "the best level";
  } else if (paired.size() >= 2) {
    const Stat d = stat_of(paired);
    point.worse_by_at_most = *d.mean + student_t_quantile(0.95, d.n - 1) * *d.std /
                                           std::sqrt(static_cast<double>(d.n));
    point.test = "paired t over " + std::to_string(paired.size()) + " seeds";
  } else if (best.validation_samples && point.validation_samples) {
    const double pb = best.accuracy, pl = point.accuracy;
    const double se = std::sqrt(pb * (1 - pb) / static_cast<double>(*best.validation_samples) +
                                pl * (1 - pl) / static_cast<double>(*point.validation_samples));
    point.worse_by_at_most = difference + 1.6448536269514722 * se;
    point.test = "two proportions over validation samples";
  } else {
    point.worse_by_at_most = difference;
    point.test = "point estimate (no seeds or counts to test)";
  }
}

HelmholtzEstimate estimate_helmholtz(std::vector<LevelPoint> points, double tolerance_pp) {
  if (points.empty()) throw core::UsageError("the Helmholtz estimate needs at least one level");
  if (!(tolerance_pp >= 0)) {
    throw core::UsageError("--tolerance must be 0 or more percentage points");
  }
  std::sort(points.begin(), points.end(),
            [](const LevelPoint& a, const LevelPoint& b) { return a.level < b.level; });
  HelmholtzEstimate h;
  h.tolerance_pp = tolerance_pp;

  // Reference: raw when present, else the highest level; both are the last in level order.
  const LevelPoint& reference = points.back();
  h.reference = reference.level;
  h.reference_bits = reference.bits;

  // Best: the highest accuracy; among equals the one with fewer bits.
  const LevelPoint* best = &points.front();
  for (const auto& p : points) {
    if (p.accuracy > best->accuracy || (p.accuracy == best->accuracy && p.bits < best->bits)) {
      best = &p;
    }
  }
  h.best = best->level;
  h.best_accuracy = best->accuracy;

  // q*: the fewest bits among the levels not worse than the best by more than the tolerance at
  // 95% confidence (lower level on ties). A small epsilon keeps a level exactly at the boundary
  // inside despite rounding.
  for (auto& p : points) compare_with_best(*best, p);
  const LevelPoint* knee = nullptr;
  for (const auto& p : points) {
    if (p.worse_by_at_most > tolerance_pp / 100.0 + 1e-12) continue;
    if (knee == nullptr || p.bits < knee->bits) knee = &p;
  }
  h.points = points;
  h.knee = knee->level;
  h.knee_bits = knee->bits;
  h.knee_accuracy = knee->accuracy;
  h.noise_bits = h.reference_bits - h.knee_bits;
  h.noise_fraction = h.reference_bits > 0 ? h.noise_bits / h.reference_bits : 0.0;
  std::vector<double> lossless;
  for (const auto& p : points) {
    if (p.lossless_bits) lossless.push_back(*p.lossless_bits);
  }
  if (!lossless.empty()) {
    h.lossless_bits = *stat_of(lossless).mean;
    h.noise_bits_vs_lossless = *h.lossless_bits - h.knee_bits;
    if (*h.lossless_bits > 0) h.noise_fraction_vs_lossless = *h.noise_bits_vs_lossless / *h.lossless_bits;
  }
  h.at_chance = best->at_chance || knee->at_chance;
  return h;
}

std::vector<HelmholtzEstimate> helmholtz_estimates(const std::vector<Cell>& cells,
                                                   double tolerance_pp,
                                                   std::vector<std::string>* notes) {
  using Key = std::tuple<std::string, int, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, std::vector<LevelPoint>> groups;
  for (const auto& c : cells) {
    const Key key{c.dataset, c.setting, c.model, c.level_kind};
    if (!groups.count(key)) order.push_back(key);
    auto& points = groups[key];
    if (!c.bits.mean || !c.accuracy.mean) {
      if (notes) {
        notes->push_back(c.dataset + " / " + c.model + " at " + c.level_kind + " " +
                         c.level.to_string() + ": left out of the Helmholtz estimate (no " +
                         (c.bits.mean ? "accuracy" : "bits per sample") + " figure)");
      }
      continue;
    }
    LevelPoint p;
    p.level = c.level;
    p.bits = *c.bits.mean;
    p.accuracy = *c.accuracy.mean;
    p.at_chance = c.chance_runs > 0;
    p.file_bits = c.file_bits.mean;
    p.lossless_bits = c.lossless_bits.mean;
    p.accuracy_by_seed = c.accuracy_by_seed;
    p.validation_samples = c.validation_samples;
    points.push_back(std::move(p));
  }
  std::vector<HelmholtzEstimate> out;
  for (const auto& key : order) {
    auto& points = groups[key];
    if (points.empty()) continue;
    HelmholtzEstimate h = estimate_helmholtz(points, tolerance_pp);
    h.dataset = std::get<0>(key);
    h.model = std::get<2>(key);
    h.level_kind = std::get<3>(key);
    for (const auto& c : cells) {
      if (c.dataset == h.dataset && c.setting == std::get<1>(key) && c.model == h.model) {
        h.bits_measure = c.bits_measure;
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace helmholtz::report
