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

bool same_cell(const RunRecord& r, const std::string& codec, const Cell& c) {
  return r.dataset == c.dataset && r.model == c.model && r.level_kind == c.level_kind &&
         r.setting == c.setting && r.level == c.level && codec == c.codec;
}

// The (dataset, setting, model, level kind) of a run or a cell: a model line before its codec.
template <class T>
auto group_of(const T& x) {
  return std::make_tuple(x.dataset, x.setting, x.model, x.level_kind);
}

// Distinct non-empty texts joined by "; ", in order of first appearance.
void add_distinct(std::string& list, const std::string& text) {
  if (text.empty()) return;
  for (std::size_t start = 0; start < list.size();) {
    std::size_t end = list.find("; ", start);
    if (end == std::string::npos) end = list.size();
    if (list.compare(start, end - start, text) == 0) return;
    start = end + 2;
  }
  list += (list.empty() ? "" : "; ") + text;
}

// The axis bits and the lossless reference in one measure.
void use_measure(Cell& c, BitsMeasure measure) {
  const bool payload = measure == BitsMeasure::kPayload;
  c.bits_measure = measure;
  c.bits = payload ? c.payload_bits : c.file_bits;
  c.lossless_bits = payload ? c.lossless_payload_bits : c.lossless_file_bits;
}

}  // namespace

std::string to_string(AccuracyMeasure measure) {
  return measure == AccuracyMeasure::kTest ? "test" : "mean-top10";
}

std::vector<Cell> make_cells(const std::vector<RunRecord>& runs, BitsMeasure measure,
                             std::vector<std::string>* notes, AccuracyMeasure accuracy_measure) {
  std::vector<Cell> cells;
  std::vector<std::vector<const RunRecord*>> members;
  std::vector<std::string> diverged;
  // The codecs with coded runs of each (dataset, setting, model, level kind), in codec order:
  // the lines its raw runs join.
  using Group = decltype(group_of(runs.front()));
  std::map<Group, std::vector<std::string>> codecs;
  for (const auto& r : runs) {
    if (r.diverged() || r.codec.empty()) continue;
    auto& list = codecs[group_of(r)];
    if (std::find(list.begin(), list.end(), r.codec) == list.end()) list.push_back(r.codec);
  }
  for (auto& entry : codecs) std::sort(entry.second.begin(), entry.second.end(), codec_before);
  for (const auto& r : runs) {
    if (r.diverged()) {
      diverged.push_back(r.relative.generic_string() +
                         (r.diverged_epoch ? " (epoch " + std::to_string(*r.diverged_epoch) + ")"
                                           : std::string()));
      continue;
    }
    std::vector<std::string> lines = {r.codec};
    if (r.codec.empty()) {
      const auto found = codecs.find(group_of(r));
      lines = found != codecs.end() ? found->second
                                    : std::vector<std::string>{default_codec(r.level_kind)};
    }
    for (const auto& codec : lines) {
      auto it = std::find_if(cells.begin(), cells.end(),
                             [&](const Cell& c) { return same_cell(r, codec, c); });
      if (it == cells.end()) {
        Cell c;
        c.dataset = r.dataset;
        c.model = r.model;
        c.level_kind = r.level_kind;
        c.codec = codec;
        c.setting = r.setting;
        c.level = r.level;
        cells.push_back(c);
        members.emplace_back();
        it = cells.end() - 1;
      }
      members[static_cast<std::size_t>(it - cells.begin())].push_back(&r);
    }
  }
  if (!diverged.empty() && notes != nullptr) {
    std::string list;
    for (const auto& d : diverged) list += (list.empty() ? "" : ", ") + d;
    notes->push_back(std::to_string(diverged.size()) +
                     " run(s) diverged (a NaN or infinite training loss) and are left out of the "
                     "cells, the plots and the estimate; they are listed under Runs: " +
                     list);
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
      add_distinct(c.codec_version, r->codec_version);
      if (r->bits_per_sample) file_bits.push_back(*r->bits_per_sample);
      if (r->train_samples) train_samples.push_back(static_cast<double>(*r->train_samples));
      if (r->storage_budget) c.storage_budget = r->storage_budget;
      if (r->payload_bits_per_sample) payload_bits.push_back(*r->payload_bits_per_sample);
      if (r->lossless_bits_per_sample) lossless_file.push_back(*r->lossless_bits_per_sample);
      if (r->lossless_payload_bits_per_sample) {
        lossless_payload.push_back(*r->lossless_payload_bits_per_sample);
      }
      c.members.push_back(r);
      const bool test = accuracy_measure == AccuracyMeasure::kTest;
      const auto score = test ? r->test_acc : r->mean_top10_val_acc;
      const auto samples = test ? r->test_samples : r->validation_samples;
      if (score) {
        accuracy.push_back(*score);
        c.accuracy_by_seed[r->seed] = *score;
      }
      if (samples) {
        c.validation_samples =
            c.validation_samples ? std::min(*c.validation_samples, *samples) : *samples;
      }
      if (test) {
        if (score && samples && r->num_classes &&
            !above_chance(*score, *samples, *r->num_classes)) {
          ++c.chance_runs;
        }
      } else if (r->above_chance && !*r->above_chance) {
        ++c.chance_runs;
      }
      if (r->converged && !*r->converged) ++c.unconverged;
      if (r->validation_data == "test") ++c.selected_on_test;
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
    c.accuracy_measure = accuracy_measure;
    c.accuracy = stat_of(accuracy);
    c.convergence = stat_of(convergence);
    c.train_samples = stat_of(train_samples);
    if (accuracy.size() >= 2) {
      const MeanInterval m = t_interval(accuracy);
      c.accuracy_interval = Interval{m.mean - *m.half, m.mean + *m.half};
      c.interval_over_seeds = true;
    } else if (c.runs == 1 && accuracy.size() == 1 && accuracy_measure == AccuracyMeasure::kTest &&
               only->test_samples) {
      c.accuracy_interval = wilson_interval(accuracy.front(), *only->test_samples);
    } else if (c.runs == 1 && accuracy_measure == AccuracyMeasure::kMeanTop10 &&
               only->accuracy_interval) {
      c.accuracy_interval = only->accuracy_interval;
    }
    // Epochs no run reached are NaN (a gap); the curve ends at the longest run.
    for (std::size_t e = 0; e < sum.size(); ++e) {
      c.mean_val_acc.push_back(count[e] ? sum[e] / count[e] : std::nan(""));
    }
  }
  // In line order: a raw cell joined its codecs' lines after their coded cells were made.
  {
    std::vector<std::size_t> order(cells.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const Cell& x = cells[a];
      const Cell& y = cells[b];
      if (group_of(x) != group_of(y)) return group_of(x) < group_of(y);
      if (x.codec != y.codec) return codec_before(x.codec, y.codec);
      return x.level < y.level;
    });
    std::vector<Cell> sorted;
    sorted.reserve(cells.size());
    for (std::size_t i : order) sorted.push_back(std::move(cells[i]));
    cells = std::move(sorted);
  }
  // One measure per model line: a (dataset, setting, model, level kind) with a run lacking
  // payload figures falls back to file bits at every level of every codec, so that its codecs
  // are compared in one measure.
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
        notes->push_back(c.dataset + " / " + c.model +
                         ": some runs hold no payload bits (written "
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
  const auto add = [&all](const RunRecord& r, const run::CrossEvalEntry& e, const Level& test,
                          const std::string& codec) {
    const std::string train_codec = r.codec.empty() ? codec : r.codec;
    auto it = std::find_if(all.begin(), all.end(), [&](const Sums& s) {
      const auto& c = s.cell;
      return c.dataset == r.dataset && c.setting == r.setting && c.model == r.model &&
             c.level_kind == r.level_kind && c.codec == codec && c.train_codec == train_codec &&
             c.train == r.level && c.test == test;
    });
    if (it == all.end()) {
      Sums s;
      s.cell.dataset = r.dataset;
      s.cell.model = r.model;
      s.cell.setting = r.setting;
      s.cell.level_kind = r.level_kind;
      s.cell.codec = codec;
      s.cell.train_codec = train_codec;
      s.cell.train = r.level;
      s.cell.test = test;
      all.push_back(s);
      it = all.end() - 1;
    }
    ++it->cell.runs;
    it->accuracy.push_back(e.test_acc);
    it->bits.push_back(e.payload_bits_per_sample);
  };
  for (const auto& r : runs) {
    // Raw test data has no codec (cross_eval.csv names the default one): it is the reference
    // column of the run's own line, and of each line a raw-trained run was evaluated through.
    std::vector<std::string> lines;
    if (!r.codec.empty()) lines.push_back(r.codec);
    for (const auto& e : r.cross_eval) {
      if (r.codec.empty() && e.level != "raw" &&
          std::find(lines.begin(), lines.end(), e.codec) == lines.end()) {
        lines.push_back(e.codec);
      }
    }
    for (const auto& e : r.cross_eval) {
      Level test;
      try {
        test = Level::parse(e.level);
      } catch (const core::DataError&) {
        continue;  // read_cross_eval_csv keeps levels as text; a bad one has no place
      }
      if (!test.raw) {
        add(r, e, test, e.codec);
      } else if (lines.empty()) {
        add(r, e, test, e.codec);
      } else {
        for (const auto& codec : lines) add(r, e, test, codec);
      }
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
      return std::tie(c.dataset, c.setting, c.model, c.level_kind);
    };
    if (key(a) != key(b)) return key(a) < key(b);
    if (a.codec != b.codec) return codec_before(a.codec, b.codec);
    if (a.train_codec != b.train_codec) return codec_before(a.train_codec, b.train_codec);
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
           a.level_kind == b.level_kind && a.codec == b.codec && a.train_codec == b.train_codec;
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
    point.worse_by_at_most =
        *d.mean + student_t_quantile(0.95, d.n - 1) * *d.std / std::sqrt(static_cast<double>(d.n));
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
    if (*h.lossless_bits > 0)
      h.noise_fraction_vs_lossless = *h.noise_bits_vs_lossless / *h.lossless_bits;
  }
  h.at_chance = best->at_chance || knee->at_chance;
  return h;
}

std::vector<HelmholtzEstimate> helmholtz_estimates(const std::vector<Cell>& cells,
                                                   double tolerance_pp,
                                                   std::vector<std::string>* notes) {
  using Key = std::tuple<std::string, int, std::string, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, std::vector<LevelPoint>> groups;
  for (const auto& c : cells) {
    const Key key{c.dataset, c.setting, c.model, c.level_kind, c.codec};
    if (!groups.count(key)) order.push_back(key);
    auto& points = groups[key];
    if (!c.bits.mean || !c.accuracy.mean) {
      if (notes) {
        notes->push_back(c.dataset + " / " + c.model + " (" + c.codec + ") at " + c.level_kind +
                         " " + c.level.to_string() + ": left out of the Helmholtz estimate (no " +
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
    h.setting = std::get<1>(key);
    h.model = std::get<2>(key);
    h.level_kind = std::get<3>(key);
    h.codec = std::get<4>(key);
    for (const auto& c : cells) {
      if (Key{c.dataset, c.setting, c.model, c.level_kind, c.codec} == key) {
        h.bits_measure = c.bits_measure;
        for (std::size_t start = 0; start < c.codec_version.size();) {
          std::size_t end = c.codec_version.find("; ", start);
          if (end == std::string::npos) end = c.codec_version.size();
          add_distinct(h.codec_version, c.codec_version.substr(start, end - start));
          start = end + 2;
        }
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

namespace {

// Whether two points of a comparison are the same level of the same runs: the same coded level
// of one codec, or raw (every codec's line holds the same raw runs).
bool same_point(const std::string& codec_a, const LevelPoint& a, const std::string& codec_b,
                const LevelPoint& b) {
  return a.level == b.level && (a.level.raw || codec_a == codec_b);
}

}  // namespace

std::vector<CodecComparison> compare_codecs(const std::vector<HelmholtzEstimate>& estimates,
                                            double tolerance_pp) {
  std::vector<CodecComparison> out;
  std::vector<bool> done(estimates.size(), false);
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    if (done[i]) continue;
    const HelmholtzEstimate& first = estimates[i];
    std::vector<const HelmholtzEstimate*> lines;
    for (std::size_t j = i; j < estimates.size(); ++j) {
      const auto& e = estimates[j];
      if (e.dataset == first.dataset && e.setting == first.setting && e.model == first.model &&
          e.level_kind == first.level_kind) {
        lines.push_back(&e);
        done[j] = true;
      }
    }
    if (lines.size() < 2) continue;
    std::stable_sort(lines.begin(), lines.end(),
                     [](const HelmholtzEstimate* a, const HelmholtzEstimate* b) {
                       return codec_before(a->codec, b->codec);
                     });
    CodecComparison cmp;
    cmp.dataset = first.dataset;
    cmp.setting = first.setting;
    cmp.model = first.model;
    cmp.level_kind = first.level_kind;
    cmp.tolerance_pp = tolerance_pp;
    cmp.bits_measure = first.bits_measure;

    // Every codec's points, compared with the common best: the highest accuracy over all of
    // them (ties: fewer bits, then the earlier codec).
    struct Entry {
      std::string codec;
      LevelPoint point;
    };
    std::vector<Entry> all;
    for (const auto* h : lines) {
      for (const auto& p : h->points) all.push_back({h->codec, p});
    }
    const Entry* best = &all.front();
    for (const auto& e : all) {
      if (e.point.accuracy > best->point.accuracy ||
          (e.point.accuracy == best->point.accuracy && e.point.bits < best->point.bits)) {
        best = &e;
      }
    }
    cmp.best_codec = best->point.level.raw ? "" : best->codec;
    cmp.best_level = best->point.level;
    cmp.best_accuracy = best->point.accuracy;
    cmp.best_bits = best->point.bits;
    for (auto& e : all) {
      if (same_point(e.codec, e.point, best->codec, best->point)) {
        e.point.worse_by_at_most = 0.0;
        e.point.test = "the best level";
      } else {
        compare_with_best(best->point, e.point);
      }
    }

    for (const auto* h : lines) {
      CodecKnee k;
      k.codec = h->codec;
      k.codec_version = h->codec_version;
      k.best = h->best;
      k.best_accuracy = h->best_accuracy;
      const Entry* knee = nullptr;
      for (const auto& e : all) {
        if (e.codec != h->codec || e.point.level.raw) continue;  // raw is no codec's level
        if (e.point.worse_by_at_most > tolerance_pp / 100.0 + 1e-12) continue;
        if (knee == nullptr || e.point.bits < knee->point.bits) knee = &e;
      }
      if (knee != nullptr) {
        k.knee = knee->point.level;
        k.knee_bits = knee->point.bits;
        k.knee_file_bits = knee->point.file_bits;
        k.knee_accuracy = knee->point.accuracy;
        k.worse_by_at_most = knee->point.worse_by_at_most;
        k.knee_test = knee->point.test;
      }
      cmp.codecs.push_back(std::move(k));
    }

    const std::string wanted = default_codec(cmp.level_kind);
    const auto baseline = std::find_if(cmp.codecs.begin(), cmp.codecs.end(),
                                       [&](const CodecKnee& k) { return k.codec == wanted; });
    cmp.baseline_is_default = baseline != cmp.codecs.end();
    const CodecKnee& base = cmp.baseline_is_default ? *baseline : cmp.codecs.front();
    cmp.baseline_codec = base.codec;
    for (auto& k : cmp.codecs) {
      if (k.knee && base.knee && base.knee_bits > 0)
        k.ratio_to_baseline = k.knee_bits / base.knee_bits;
    }
    out.push_back(std::move(cmp));
  }
  return out;
}

}  // namespace helmholtz::report
