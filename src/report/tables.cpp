#include "helmholtz/report/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace helmholtz::report {

namespace {

std::string format(const char* spec, double value) {
  char text[64];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

// CSV: full precision, empty for a missing value; fields quoted only when they need it.
std::string csv_number(std::optional<double> v) { return v ? format("%.10g", *v) : ""; }
std::string csv_int(std::optional<int> v) { return v ? std::to_string(*v) : ""; }

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

template <typename... Fields>
std::string csv_line(const Fields&... fields) {
  std::string line;
  ((line += (line.empty() ? "" : ",") + std::string(fields)), ...);
  return line + "\n";
}

// Markdown: rounded for reading; "n/a" for a missing value. Accuracies in percent.
std::string pct(std::optional<double> fraction) {
  return fraction ? format("%.2f", *fraction * 100.0) : "n/a";
}
std::string bits_text(std::optional<double> bits) {
  if (!bits) return "n/a";
  return std::fabs(*bits) >= 100 ? format("%.0f", *bits) : format("%.1f", *bits);
}
std::string db_text(std::optional<double> db) { return db ? format("%.2f", *db) : "n/a"; }

std::string duration_text(double seconds) {
  const long s = std::lround(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

std::string cell_text(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const auto& c : cells) line += " " + c + " |";
  return line + "\n";
}

// A table header; the first `left` columns are left-aligned, the rest (numbers) right-aligned.
std::string header(const std::vector<std::string>& cells, std::size_t left = 2) {
  std::string out = row(cells) + "|";
  for (std::size_t i = 0; i < cells.size(); ++i) out += i < left ? "---|" : "--:|";
  return out + "\n";
}

// "mean ± std", with "(n=k)" when only k of the cell's runs have the figure.
std::string mean_std(const Stat& s, std::string (*text)(std::optional<double>), int runs) {
  if (!s.mean) return "n/a";
  std::string out = text(*s.mean);
  if (s.std) out += " ± " + text(*s.std);
  if (s.n < runs) out += " (n=" + std::to_string(s.n) + ")";
  return out;
}

std::string plain(std::optional<double> v) { return v ? format("%.1f", *v) : "n/a"; }

// "[72.21, 74.60]": an accuracy interval in percent.
std::string interval_text(const std::optional<Interval>& i) {
  return i ? "[" + pct(i->low) + ", " + pct(i->high) + "]" : "n/a";
}

// A run's accuracy with its Wilson interval, marked when it is not above chance.
std::string accuracy_text(const RunRecord& r) {
  std::string out = pct(r.mean_top10_val_acc);
  if (r.accuracy_interval) out += " " + interval_text(r.accuracy_interval);
  if (r.above_chance && !*r.above_chance) out += " **chance**";
  return out;
}

std::string level_name(const std::string& kind, const Level& level) {
  if (level.raw) return "raw";
  return kind == "bitrate" ? level.to_string() + " kbit/s" : "q" + level.to_string();
}

std::string distortion_header(const std::vector<RunRecord>& runs) {
  std::set<std::string> metrics;
  for (const auto& r : runs) metrics.insert(r.distortion_metric);
  std::string out;
  for (const auto& m : metrics) {
    std::string upper;
    for (char c : m) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : "/") + upper;
  }
  return (out.empty() ? "PSNR" : out) + " (dB)";
}

}  // namespace

namespace {

// The level point of q*.
const LevelPoint& knee_point(const HelmholtzEstimate& h) {
  for (const auto& p : h.points) {
    if (p.level == h.knee) return p;
  }
  static const LevelPoint none;
  return none;
}

// The test that admitted q*.
std::string knee_test(const HelmholtzEstimate& h) { return knee_point(h).test; }

// "finished", "interrupted", "**diverged** at epoch 3", ...
std::string status_text(const RunRecord& r) {
  if (!r.diverged()) return r.status;
  return "**diverged**" +
         (r.diverged_epoch ? " at epoch " + std::to_string(*r.diverged_epoch) : std::string());
}

// A run's setting: its number, "-" for a built-in network without one (a ResNet), "file" for an
// architecture file's network.
std::string setting_text(const RunRecord& r) {
  if (r.setting >= 0) return std::to_string(r.setting);
  return r.built_in ? "-" : "file";
}

std::string measure_name(BitsMeasure m) { return m == BitsMeasure::kPayload ? "payload" : "file"; }

// "8.5%", or the finding withheld when it rests on chance-level runs.
std::string fraction_text(const HelmholtzEstimate& e, std::optional<double> fraction) {
  if (e.at_chance) return "none: runs at chance";
  return fraction ? format("%.1f%%", *fraction * 100.0) : "n/a";
}

}  // namespace

std::string report_csv(const std::vector<RunRecord>& runs) {
  std::string out = std::string(kReportCsvHeader) + "\n";
  for (const auto& r : runs) {
    out += csv_line(
        csv_field(r.dataset), csv_field(r.model), std::to_string(r.setting), r.level_kind,
        r.level.to_string(), std::to_string(r.seed), csv_number(r.bits_per_sample),
        csv_number(r.payload_bits_per_sample), csv_number(r.lossless_bits_per_sample),
        csv_number(r.lossless_payload_bits_per_sample), r.distortion_metric,
        csv_number(r.distortion_db), csv_number(r.best_val_acc), csv_number(r.mean_top10_val_acc),
        csv_int(r.convergence_epoch), std::to_string(r.epochs_run),
        std::to_string(r.epochs_requested), std::string(r.finished ? "true" : "false"),
        csv_number(r.wall_seconds), csv_number(r.samples_per_second),
        std::string(r.from_history ? "history" : "summary"),
        r.validation_samples ? std::to_string(*r.validation_samples) : "",
        csv_number(r.accuracy_interval ? std::optional(r.accuracy_interval->low) : std::nullopt),
        csv_number(r.accuracy_interval ? std::optional(r.accuracy_interval->high) : std::nullopt),
        std::string(!r.above_chance   ? ""
                    : *r.above_chance ? "true"
                                      : "false"),
        csv_field(r.relative.generic_string()), r.status, csv_int(r.diverged_epoch),
        csv_field(r.codec), csv_field(r.codec_version), r.validation_data,
        r.test_samples ? std::to_string(*r.test_samples) : "", csv_number(r.test_acc),
        csv_int(r.test_epoch), csv_number(r.last_test_acc),
        std::string(!r.converged ? "" : *r.converged ? "true" : "false"),
        std::string(r.stopped_early ? "true" : "false"));
  }
  return out;
}

std::string preregistered_csv(const std::vector<PreregisteredEstimate>& estimates) {
  std::string out = std::string(kPreregisteredCsvHeader) + "\n";
  for (const auto& e : estimates) {
    const auto& q = e.levels[e.q_star];
    std::string seeds;
    for (int s : e.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(s);
    out += csv_line(
        csv_field(e.dataset), csv_field(e.model), std::to_string(e.setting), e.level_kind,
        csv_field(e.codec), to_string(e.bits_measure), csv_number(e.tolerance_pp),
        e.levels.front().level.to_string(), csv_number(e.levels.front().bits), seeds,
        std::to_string(e.test_samples), q.level.to_string(), csv_number(q.bits),
        csv_number(q.inference.q_star_frequency), csv_number(e.noise_bits),
        csv_number(e.noise_bits_interval.low), csv_number(e.noise_bits_interval.high),
        csv_number(e.noise_fraction), csv_number(e.noise_fraction_interval.low),
        csv_number(e.noise_fraction_interval.high), std::string(e.finding ? "true" : "false"),
        csv_field(e.withheld), std::to_string(e.unconverged),
        std::string(e.selected_on_test ? "true" : "false"), csv_number(e.paired_sd),
        csv_int(e.seeds_needed), csv_number(e.detectable_pp), std::to_string(e.replicates),
        std::to_string(e.bootstrap_seed), csv_field(e.codec_version));
  }
  return out;
}

namespace {

std::optional<double> low_of(const std::optional<PairedComparison>& p) {
  return p && p->interval ? std::optional(p->interval->low) : std::nullopt;
}
std::optional<double> high_of(const std::optional<PairedComparison>& p) {
  return p && p->interval ? std::optional(p->interval->high) : std::nullopt;
}
std::optional<double> mean_of(const std::optional<PairedComparison>& p) {
  return p ? std::optional(p->mean) : std::nullopt;
}

}  // namespace

std::string preregistered_levels_csv(const std::vector<PreregisteredEstimate>& estimates) {
  std::string out = std::string(kPreregisteredLevelsCsvHeader) + "\n";
  for (const auto& e : estimates) {
    for (const auto& p : e.levels) {
      const auto& i = p.inference;
      const auto& t = p.time;
      out += csv_line(
          csv_field(e.dataset), csv_field(e.model), std::to_string(e.setting), csv_field(e.codec),
          p.level.to_string(), csv_number(p.bits), csv_number(i.accuracy),
          csv_number(i.difference), csv_number(i.two_sided.low), csv_number(i.two_sided.high),
          csv_number(i.lower_bound), std::string(i.tested ? "true" : "false"),
          std::string(i.passes ? "true" : "false"), csv_number(i.mcnemar_p),
          csv_number(i.q_star_frequency), csv_number(p.seed_difference_sd),
          std::to_string(p.unconverged), csv_number(e.target_accuracy), std::to_string(t.reached),
          csv_number(t.epochs ? std::optional(t.epochs->mean) : std::nullopt),
          csv_number(t.epochs ? t.epochs->half : std::nullopt),
          csv_number(mean_of(t.epochs_vs_reference)), csv_number(low_of(t.epochs_vs_reference)),
          csv_number(high_of(t.epochs_vs_reference)),
          csv_number(t.seconds ? std::optional(t.seconds->mean) : std::nullopt),
          csv_number(mean_of(t.seconds_vs_reference)), csv_number(low_of(t.seconds_vs_reference)),
          csv_number(high_of(t.seconds_vs_reference)));
    }
  }
  return out;
}

std::string helmholtz_csv(const std::vector<HelmholtzEstimate>& estimates) {
  std::string out = std::string(kHelmholtzCsvHeader) + "\n";
  for (const auto& h : estimates) {
    std::string levels;
    for (const auto& p : h.points) levels += (levels.empty() ? "" : " ") + p.level.to_string();
    out += csv_line(csv_field(h.dataset), csv_field(h.model), h.level_kind,
                    csv_number(h.tolerance_pp), h.reference.to_string(),
                    csv_number(h.reference_bits), h.best.to_string(), csv_number(h.best_accuracy),
                    h.knee.to_string(), csv_number(h.knee_bits), csv_number(h.knee_accuracy),
                    csv_number(h.noise_bits), csv_number(h.noise_fraction), levels,
                    std::string(h.at_chance ? "true" : "false"), csv_field(knee_test(h)),
                    to_string(h.bits_measure), csv_number(knee_point(h).file_bits),
                    csv_number(h.lossless_bits), csv_number(h.noise_bits_vs_lossless),
                    csv_number(h.noise_fraction_vs_lossless), csv_field(h.codec));
  }
  return out;
}

std::string cross_eval_report_csv(const std::vector<CrossCell>& cells) {
  std::string out = std::string(kCrossEvalReportCsvHeader) + "\n";
  for (const auto& c : cells) {
    out += csv_line(csv_field(c.dataset), csv_field(c.model), std::to_string(c.setting),
                    c.level_kind, csv_field(c.codec), c.train.to_string(), c.test.to_string(),
                    std::to_string(c.runs), csv_number(c.accuracy.mean), csv_number(c.accuracy.std),
                    csv_number(c.interval ? std::optional(c.interval->low) : std::nullopt),
                    csv_number(c.interval ? std::optional(c.interval->high) : std::nullopt),
                    csv_number(c.test_payload_bits), csv_field(c.train_codec));
  }
  return out;
}

std::string codecs_csv(const std::vector<CodecComparison>& comparisons) {
  std::string out = std::string(kCodecsCsvHeader) + "\n";
  for (const auto& m : comparisons) {
    for (const auto& k : m.codecs) {
      out += csv_line(csv_field(m.dataset), csv_field(m.model), std::to_string(m.setting),
                      m.level_kind, csv_field(k.codec), csv_field(k.codec_version),
                      k.best.to_string(), csv_number(k.best_accuracy), csv_field(m.best_codec),
                      m.best_level.to_string(), csv_number(m.best_accuracy),
                      csv_number(m.tolerance_pp), k.knee ? k.knee->to_string() : std::string(),
                      csv_number(k.knee ? std::optional(k.knee_accuracy) : std::nullopt),
                      csv_number(k.knee ? std::optional(k.knee_bits) : std::nullopt),
                      csv_number(k.knee ? k.knee_file_bits : std::nullopt),
                      csv_number(k.knee ? std::optional(k.worse_by_at_most) : std::nullopt),
                      csv_field(k.knee_test), csv_number(k.ratio_to_baseline),
                      csv_field(m.baseline_codec), to_string(m.bits_measure));
    }
  }
  return out;
}

namespace {

// Per (dataset, model, codec): the matrix train level x test level, the diagonal in bold.
std::string cross_eval_markdown(const std::vector<CrossCell>& cells) {
  std::string md =
      "\n## Cross-level evaluation\n\nEach row's runs were trained at one level; each column "
      "is the test data coded at another (`helmholtz eval`, `sweep --cross-eval`); raw test "
      "data has no codec, so it is the last column of every line. A cell is the test accuracy "
      "of the runs' kept weights (best.pt: the epoch of the best validation accuracy, so the "
      "diagonal is the runs' own test accuracy), mean over seeds ± the 95% t half-width (two or "
      "more seeds), the number of runs in brackets. **Bold**: the diagonal, trained and tested "
      "at the same level.\n";
  for (const auto& m : cross_matrices(cells)) {
    const CrossCell& first = *m.cells.front();
    md += "\n### " + cell_text(first.dataset) + " / " + cell_text(first.model) +
          (first.train_codec != first.codec ? ", trained through " + cell_text(first.train_codec)
                                            : std::string()) +
          ", test data through " + cell_text(first.codec) + "\n\n";
    std::vector<std::string> head = {"trained at \\ tested at"};
    for (const auto& t : m.tests) head.push_back(level_name(first.level_kind, t));
    md += header(head, 1);
    for (const auto& train : m.trains) {
      std::vector<std::string> line = {level_name(first.level_kind, train)};
      for (const auto& test : m.tests) {
        const CrossCell* c = m.at(train, test);
        if (c == nullptr || !c->accuracy.mean) {
          line.push_back("");
          continue;
        }
        std::string text = pct(c->accuracy.mean);
        if (c->interval)
          text += " ± " + format("%.2f", (c->interval->high - c->interval->low) * 50.0);
        if (c->runs > 1 || c->interval) text += " (" + std::to_string(c->runs) + ")";
        line.push_back(train == test ? "**" + text + "**" : text);
      }
      md += row(line);
    }
  }
  return md;
}

}  // namespace

namespace {

// Per (dataset, setting, model) trained through two or more codecs: each codec's first level
// within tolerance of the common best, its bits and their ratio to the baseline codec's.
std::string codecs_markdown(const std::vector<CodecComparison>& comparisons) {
  const CodecComparison& any = comparisons.front();
  const std::string tol = format("%g", any.tolerance_pp);
  std::string md =
      "\n## Codecs\n\nFor each model trained through two or more codecs. Levels of two codecs "
      "are not comparable; bits per sample are. The *common best* is the highest accuracy over "
      "every level of every codec of the model (raw included: it is every codec's uncoded "
      "reference). A codec's *first level within tolerance* is its coded level with the fewest "
      "bits whose accuracy is not worse than the common best by more than " +
      tol +
      " percentage point(s) at 95% confidence, by the test of q\\* (compare_with_best against "
      "the common best instead of the codec's own best); **not reached**: no coded level of the "
      "codec gets there. The *ratio* is its bits over the baseline codec's at their first levels "
      "within tolerance (below 1: the same accuracy in fewer bits). The baseline is JPEG for "
      "images and MP3 for audio, or the first codec listed where that one was not trained. "
      "Machine-readable: `codecs.csv`.\n";
  for (const auto& m : comparisons) {
    const std::string base = codec_display_name(m.baseline_codec);
    md += "\n### " + cell_text(m.dataset) + " / " + cell_text(m.model) + "\n\n";
    md += "Common best: " + pct(m.best_accuracy) + " at " + level_name(m.level_kind, m.best_level) +
          (m.best_codec.empty() ? std::string(" (no codec)")
                                : " through " + cell_text(codec_display_name(m.best_codec))) +
          ", " + bits_text(m.best_bits) + " " + measure_name(m.bits_measure) + " bits.";
    if (!m.baseline_is_default) {
      md += " " + codec_display_name(default_codec(m.level_kind)) +
            " was not trained here: "
            "the ratios are to " +
            cell_text(base) + ", the first codec listed.";
    }
    const auto baseline = std::find_if(m.codecs.begin(), m.codecs.end(), [&](const CodecKnee& k) {
      return k.codec == m.baseline_codec;
    });
    if (baseline != m.codecs.end() && !baseline->knee) {
      md += " " + cell_text(base) + " does not reach it: no ratios.";
    }
    md += "\n\n";
    md += header(
        {"codec", "version", "own best level", "own best accuracy", "first level within tolerance",
         "B " + measure_name(m.bits_measure), "file bits", "accuracy",
         "worse than common best by at most (95%, points)", "test", "ratio to " + cell_text(base)},
        2);
    for (const auto& k : m.codecs) {
      std::vector<std::string> line = {cell_text(k.codec),
                                       k.codec_version.empty() ? "n/a" : cell_text(k.codec_version),
                                       level_name(m.level_kind, k.best), pct(k.best_accuracy)};
      if (k.knee) {
        line.insert(line.end(),
                    {"**" + level_name(m.level_kind, *k.knee) + "**", bits_text(k.knee_bits),
                     bits_text(k.knee_file_bits), pct(k.knee_accuracy),
                     format("%.2f", k.worse_by_at_most * 100.0), cell_text(k.knee_test),
                     k.ratio_to_baseline ? format("%.2f", *k.ratio_to_baseline) : "n/a"});
      } else {
        line.insert(line.end(), {"not reached", "n/a", "n/a", "n/a", "n/a", "", "n/a"});
      }
      md += row(line);
    }
  }
  return md;
}

}  // namespace

std::string helmholtz_definition(double tolerance_pp, BitsMeasure bits) {
  const std::string tol = format("%g", tolerance_pp);
  const bool payload = bits == BitsMeasure::kPayload;
  return "For each dataset, model and codec, B(q) is the mean size of one sample (image or "
         "clip) in bits at level q of that codec (in the codec's own scale: JPEG quality, MP3 "
         "bitrate, ...; levels of two codecs are not comparable, so each codec is a line of its "
         "own, and the raw runs are the uncoded reference of every codec's line), averaged over "
         "seeds, and accuracy(q) is the mean over seeds of each run's mean of its 10 best "
         "validation accuracies. " +
         std::string(payload
                         ? "B(q) counts **payload bits** (`--bits payload`, the default): the "
                           "entropy-coded data without what every file repeats (JPEG's markers, "
                           "quantisation and Huffman tables; MP3's ID3 tags and LAME's Info "
                           "frame, keeping the frame headers, which are part of the stream; the "
                           "other codecs' container boxes and chunk headers; Ogg's page headers "
                           "and the Opus and Vorbis header packets), so "
                           "a constant header does not pass for information; file bits stand "
                           "beside them. "
                         : "B(q) counts **file bits** (`--bits file`): whole files, headers and "
                           "tables included. ") +
         "The *reference* level is `raw` when it was trained, else the highest "
         "level. The *best* level is the one with the highest accuracy. **q\\*** is the level "
         "with the fewest bits whose accuracy is not worse than the best level's by more than " +
         tol +
         " percentage point(s) (`--tolerance`) at 95% confidence: the one-sided 95% upper "
         "bound of accuracy(best) - accuracy(q) is at most the tolerance. The bound is a paired "
         "Student's t over the seeds both levels have (two or more; a seed fixes the initial "
         "weights and batch order at every level), else the normal bound for two proportions "
         "over the runs' validation samples, else (no seeds or counts) the point difference; "
         "each level's row names its test. The bits that "
         "compression removed down to q\\* did not help the task: **noise bits** = B(reference) "
         "- B(q\\*), and the **noise fraction** = noise bits / B(reference), the share of the "
         "reference signal's bits that were noise for the task. Beside `raw` (the container's "
         "bits: 8 per pixel and channel, 16 per audio sample), B(lossless) is the lossless size "
         "of the same samples (PNG through libpng for images, FLAC through libsndfile for audio; "
         "" +
         std::string(payload ? "their payload: IDAT data, FLAC frames" : "whole files") +
         "), the better measure of the information the sensor delivered; **noise vs lossless** "
         "= B(lossless) - B(q\\*) and its fraction of B(lossless) (negative when q\\* spends "
         "more bits than lossless coding). A run whose accuracy is not "
         "above chance (1 / classes) at 95% (the lower end of its Wilson interval over its "
         "validation samples) is marked **chance**; an estimate whose best level or q\\* rests "
         "on such runs states no noise fraction: it would be a number about noise, not a "
         "finding.\n";
}

std::string preregistered_definition(const EstimatorOptions& o, BitsMeasure bits) {
  const std::string tol = format("%g", o.tolerance_pp);
  return "The estimate was fixed before looking at the results (`--estimator preregistered`, the "
         "default). For each dataset, model and codec line, B(q) is the mean " +
         std::string(bits == BitsMeasure::kPayload ? "payload" : "file") +
         " bits of one sample at level q (raw: the sample as the dataset records it, e.g. 28 x 28 "
         "x 8 = 6,272 bits for Fashion-MNIST, not the padding to the network's input), and "
         "accuracy(q) is the mean over seeds of each run's **test accuracy of its kept weights**: "
         "the weights of its best epoch on the validation data (images held out of the training "
         "split under the corrected protocol), scored once on the test split. The **reference** "
         "is `raw` (the highest level where a line has none), fixed in advance, never the best "
         "level. Levels are tested for non-inferiority to it at a margin of " +
         tol +
         " percentage point(s) (`--tolerance`) in a **fixed sequence** from the most bits to the "
         "fewest, stopping at the first level that fails: a level passes when the one-sided 95% "
         "lower bound of accuracy(q) - accuracy(reference) is above -" +
         tol +
         " points. Testing in a pre-set order and stopping at the first failure keeps the "
         "family-wise error at 5% without adjustment. **q\\*** is the last level that passed "
         "(the reference itself when the first fails). The bound and each level's two-sided 95% "
         "interval come from a **hierarchical paired bootstrap** (" +
         std::to_string(o.replicates) + " replicates, seed " + std::to_string(o.seed) +
         "): each replicate draws seeds with replacement, then test images with replacement "
         "within each drawn seed, the same draws for every level, from the runs' per-sample "
         "predictions (`predictions/<level>.csv`). With one seed, McNemar's exact test of the "
         "discordant images stands beside it. **noise bits** = B(reference) - B(q\\*), the "
         "**noise fraction** = noise bits / B(reference); their 95% intervals apply the same "
         "sequence rule to every bootstrap replicate (a level passes in a replicate when its "
         "difference there is above the margin), and *q\\* share* is how often each level was "
         "q\\* over the replicates. A run is **unconverged** when the best validation accuracy of "
         "its last " +
         std::to_string(o.convergence.window) + " epochs exceeds the best before them by more than " +
         format("%g", o.convergence.min_gain * 100.0) +
         " points, or it has no more than " + std::to_string(o.convergence.window) +
         " epochs: a line with an unconverged run, or whose reference or q\\* has runs not "
         "above chance on the test split, states no noise fraction. **Planning**: from the "
         "largest standard deviation over levels of the per-seed paired differences, the seeds a "
         "study needs to show non-inferiority at the margin with 80% power (one-sided paired t, "
         "5%), and the smallest margin this study's own seeds detect at that power. "
         "**Convergence speed**: the epochs and seconds each run took to first reach " +
         format("%g", o.target_share * 100.0) +
         "% of the reference level's mean best validation accuracy, with 95% t-intervals over "
         "seeds and the paired difference from the reference by seed. `--estimator reference` "
         "gives the earlier definition instead (the mean of each run's 10 best validation "
         "accuracies, q\\* against the best level, levels that fail skipped); see the README.\n";
}

namespace {

std::string interval_pp(const Interval& i) {
  return "[" + format("%+.2f", i.low * 100.0) + ", " + format("%+.2f", i.high * 100.0) + "]";
}

std::string paired_text(const std::optional<PairedComparison>& p, const char* spec) {
  if (!p) return "n/a";
  std::string text = format(spec, p->mean);
  if (p->interval) {
    text += " [" + format(spec, p->interval->low) + ", " + format(spec, p->interval->high) + "]";
  }
  return text;
}

std::string mean_interval_text(const std::optional<MeanInterval>& m, const char* spec) {
  if (!m) return "n/a";
  return format(spec, m->mean) + (m->half ? " ± " + format(spec, *m->half) : std::string());
}

std::string preregistered_markdown(const std::vector<PreregisteredEstimate>& estimates) {
  std::string md;
  for (const auto& e : estimates) {
    const auto& q = e.levels[e.q_star];
    const auto& ref = e.levels.front();
    std::string seeds;
    for (int s : e.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
    md += "\n### " + cell_text(e.dataset) + " / " + cell_text(e.model) + " / " +
          codec_display_name(e.codec) + "\n\n";
    md += "Comparator (fixed): **" + level_name(e.level_kind, ref.level) + "**, " +
          bits_text(ref.bits) + " bits. Seeds " + seeds + ", " + std::to_string(e.test_samples) +
          " test images per run, margin " + format("%g", e.tolerance_pp) + " point(s).\n\n";
    if (e.finding) {
      md += "**q\\* = " + level_name(e.level_kind, q.level) + "** (" + bits_text(q.bits) +
            " bits; q\\* in " + format("%.0f", q.inference.q_star_frequency * 100.0) +
            "% of the bootstrap replicates): **noise bits " + format("%.0f", e.noise_bits) +
            "** [95% " + format("%.0f", e.noise_bits_interval.low) + ", " +
            format("%.0f", e.noise_bits_interval.high) + "], **noise fraction " +
            format("%.1f%%", e.noise_fraction * 100.0) + "** [" +
            format("%.1f", e.noise_fraction_interval.low * 100.0) + "%, " +
            format("%.1f", e.noise_fraction_interval.high * 100.0) + "%].\n\n";
    } else {
      md += "**No noise fraction is stated**: " + e.withheld + ". (q\\* would be " +
            level_name(e.level_kind, q.level) + ".)\n\n";
    }
    if (e.selected_on_test) {
      md += "Some runs chose their kept weights on the test split (`--protocol reference`): "
            "selection and testing share their images, so these figures are optimistic.\n\n";
    }
    md += header({"level", "bits", "test accuracy", "difference (points)", "95% interval",
                  "one-sided bound", "sequence", "McNemar p", "q\\* share", "unconverged"},
                 1);
    for (std::size_t l = 0; l < e.levels.size(); ++l) {
      const auto& p = e.levels[l];
      const auto& i = p.inference;
      std::string verdict = l == 0 ? "reference"
                            : !i.tested ? "not tested"
                            : i.passes  ? "passes"
                                        : "**fails**";
      if (l == e.q_star && l > 0) verdict += ", **q\\***";
      md += row({level_name(e.level_kind, p.level), bits_text(p.bits), pct(i.accuracy),
                 l == 0 ? "0" : format("%+.2f", i.difference * 100.0),
                 l == 0 ? "" : interval_pp(i.two_sided),
                 l == 0 ? "" : format("%+.2f", i.lower_bound * 100.0), verdict,
                 l > 0 && i.mcnemar_p ? format("%.3g", *i.mcnemar_p) : "",
                 format("%.0f%%", i.q_star_frequency * 100.0), std::to_string(p.unconverged)});
    }
    md += "\nPlanning: ";
    if (e.paired_sd) {
      md += "the per-seed paired differences spread by up to " +
            format("%.2f", *e.paired_sd * 100.0) + " points (standard deviation); ";
      md += e.seeds_needed ? "showing non-inferiority at " + format("%g", e.tolerance_pp) +
                                 " point(s) with 80% power needs " +
                                 std::to_string(*e.seeds_needed) + " seeds"
                           : std::string("no number of seeds up to 1,000 shows it");
      if (e.detectable_pp) {
        md += "; with its " + std::to_string(e.seeds.size()) +
              " seeds this study detects a margin of " + format("%.2f", *e.detectable_pp) +
              " points at that power";
      }
      md += ".\n";
    } else {
      md += "one seed: no paired spread over seeds to plan from (the bootstrap's interval rests "
            "on the test images alone).\n";
    }
    md += "\nConvergence speed: epochs and seconds to first reach " + pct(e.target_accuracy) +
          "% validation accuracy (mean ± 95% half-width over seeds; paired by seed against " +
          level_name(e.level_kind, ref.level) + ", mean [95% interval]):\n\n";
    md += header({"level", "runs reaching", "epochs", "epochs vs reference", "seconds",
                  "seconds vs reference"},
                 1);
    for (std::size_t l = 0; l < e.levels.size(); ++l) {
      const auto& t = e.levels[l].time;
      md += row({level_name(e.level_kind, e.levels[l].level),
                 std::to_string(t.reached) + "/" + std::to_string(t.runs),
                 mean_interval_text(t.epochs, "%.1f"),
                 l == 0 ? "" : paired_text(t.epochs_vs_reference, "%+.1f"),
                 mean_interval_text(t.seconds, "%.0f"),
                 l == 0 ? "" : paired_text(t.seconds_vs_reference, "%+.0f")});
    }
  }
  return md;
}

}  // namespace

std::string report_markdown(const MarkdownInput& in) {
  const auto& runs = *in.runs;
  const auto& cells = *in.cells;
  const auto& estimates = *in.estimates;
  std::string md = "# Helmholtz report\n\n";
  const bool test = in.accuracy == AccuracyMeasure::kTest;
  md += std::to_string(runs.size()) + " run(s) found below `" + in.logdir + "`. " +
        (test ? std::string(
                    "The *accuracy* of a run is the test accuracy of its kept weights: the "
                    "weights of its best epoch on its validation data (held-out images under the "
                    "corrected protocol), scored on the test split, which chose nothing. ")
              : std::string("The *accuracy* of a run is the mean of its 10 highest per-epoch "
                            "validation accuracies, as the reference defined it. ")) +
        "The *convergence epoch* is the reference's: the first epoch i at which the mean "
        "validation accuracy over epochs i..i+9 exceeds 0.99 x the run's best; *converged* is "
        "this report's rule (below). Accuracies are in percent; bits are per sample (image or "
        "clip). Machine-readable: `report.csv`, `helmholtz.csv`" +
        (in.preregistered != nullptr ? std::string(", `levels.csv`") : std::string()) + ".\n\n";

  md += "## Runs\n\n";
  md +=
      header({"dataset", "model", "setting", "codec", "level", "seed", "payload bits", "file bits",
              distortion_header(runs), "validated on", "best val_acc",
              "mean of 10 best [95% Wilson]", "test acc, kept (epoch)", "test acc, last",
              "converged", "conv. epoch", "epochs", "status", "wall time", "samples/s", "run"});
  for (const auto& r : runs) {
    md += row({cell_text(r.dataset), cell_text(r.model),
               setting_text(r),
               r.codec.empty() ? std::string("none") : cell_text(r.codec),
               level_name(r.level_kind, r.level), std::to_string(r.seed),
               bits_text(r.payload_bits_per_sample), bits_text(r.bits_per_sample),
               db_text(r.distortion_db),
               r.validation_data.empty() ? std::string("n/a") : r.validation_data,
               pct(r.best_val_acc), accuracy_text(r),
               r.test_acc ? pct(r.test_acc) + " (" + std::to_string(r.test_epoch.value_or(0)) + ")"
                          : std::string("n/a"),
               pct(r.last_test_acc),
               !r.converged ? std::string("n/a")
               : *r.converged ? std::string("yes")
                              : std::string("**unconverged**"),
               r.convergence_epoch ? std::to_string(*r.convergence_epoch) : "n/a",
               std::to_string(r.epochs_run) + "/" + std::to_string(r.epochs_requested),
               status_text(r), duration_text(r.wall_seconds),
               r.samples_per_second ? format("%.0f", *r.samples_per_second) : "n/a",
               "`" + cell_text(r.relative.generic_string()) + "`"});
  }

  bool several_seeds = false;
  for (const auto& c : cells) several_seeds |= c.runs > 1;
  if (several_seeds) {
    md +=
        "\n## Seeds per cell\n\nMean ± sample standard deviation over the runs of each "
        "(dataset, model, codec, level), n = runs, and the 95% interval of the mean accuracy: "
        "Student's t over the seeds (a cell of one run: its Wilson interval over its "
        "samples). A seed fixes the initial weights and the batch order at every "
        "level, so levels compare best seed by seed. A raw cell is listed in the line of each "
        "codec it is the uncoded reference of.\n\n";
    md += header({"dataset", "model", "codec", "level", "n", "seeds", "payload bits", "file bits",
                  test ? "test accuracy" : "mean of 10 best", "95% interval", "chance runs",
                  "unconverged", "conv. epoch"},
                 4);
    for (const auto& c : cells) {
      std::string seeds;
      for (int s : c.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(s);
      md += row({cell_text(c.dataset), cell_text(c.model), cell_text(c.codec),
                 level_name(c.level_kind, c.level), std::to_string(c.runs), seeds,
                 mean_std(c.payload_bits, bits_text, c.runs),
                 mean_std(c.file_bits, bits_text, c.runs), mean_std(c.accuracy, pct, c.runs),
                 interval_text(c.accuracy_interval), std::to_string(c.chance_runs),
                 std::to_string(c.unconverged), mean_std(c.convergence, plain, c.runs)});
    }
  }

  if (in.preregistered != nullptr) {
    EstimatorOptions o = in.estimator_options;
    md += "\n## Helmholtz estimate\n\n" + preregistered_definition(o, in.bits);
    md += preregistered_markdown(*in.preregistered);
    if (in.preregistered->empty()) {
      md += "\nNo codec line had predictions to compare (see the notes).\n";
    }
  } else {
  md += "\n## Helmholtz estimate\n\n" + helmholtz_definition(in.tolerance_pp, in.bits);
    std::string dataset;
    for (const auto& h : estimates) {
      if (h.dataset != dataset) {
        dataset = h.dataset;
        md += "\n### " + cell_text(dataset) + "\n\n";
        md += header({"model", "codec", "bits", "reference", "B(ref)", "best level", "best accuracy",
                      "q\\*", "B(q\\*)", "accuracy(q\\*)", "noise bits", "noise fraction",
                      "B(lossless)", "noise vs lossless", "fraction vs lossless"},
                     3);
        for (const auto& e : estimates) {
          if (e.dataset != dataset) continue;
          md +=
              row({cell_text(e.model), cell_text(e.codec), measure_name(e.bits_measure),
                   level_name(e.level_kind, e.reference), bits_text(e.reference_bits),
                   level_name(e.level_kind, e.best), pct(e.best_accuracy),
                   "**" + level_name(e.level_kind, e.knee) + "**", bits_text(e.knee_bits),
                   pct(e.knee_accuracy), bits_text(e.noise_bits), fraction_text(e, e.noise_fraction),
                   bits_text(e.lossless_bits), bits_text(e.noise_bits_vs_lossless),
                   fraction_text(e, e.noise_fraction_vs_lossless)});
        }
      }
      md += "\n" + cell_text(h.model) + " (" + cell_text(h.codec) + "), by level:\n\n";
      md += header({"level", "B(q) " + measure_name(h.bits_measure), "file bits", "accuracy(q)",
                    "vs best (points)", "worse than best by at most (95%, points)", "test", "role"},
                   1);
      for (const auto& p : h.points) {
        std::string marks;
        const auto mark = [&](const char* role) {
          marks += (marks.empty() ? "" : ", ") + std::string(role);
        };
        if (p.level == h.reference) mark("reference");
        if (p.level == h.best) mark("best");
        if (p.level == h.knee) mark("**q\\***");
        if (p.at_chance) mark("chance");
        md += row({level_name(h.level_kind, p.level), bits_text(p.bits), bits_text(p.file_bits),
                   pct(p.accuracy), format("%+.2f", (p.accuracy - h.best_accuracy) * 100.0),
                   format("%.2f", p.worse_by_at_most * 100.0), p.test, marks});
      }
    }
    if (estimates.empty()) md += "\nNo (dataset, model) had a level with both figures.\n";
  }
  if (in.codecs != nullptr && !in.codecs->empty()) md += codecs_markdown(*in.codecs);

  if (std::any_of(cells.begin(), cells.end(), [](const Cell& c) { return c.storage_budget; })) {
    md +=
        "\n## Equal storage\n\nRuns trained under `--storage-budget BYTES`: at each level, "
        "the first floor(BYTES / mean file bytes of the training split coded at that level) "
        "training images (raw: pixel bytes), so that every level had the same storage. More "
        "samples at a lower quality against fewer at a higher one.\n\n";
    md += header({"dataset", "model", "codec", "budget (bytes)", "level", "n", "training images",
                  "mean of 10 best", "95% interval"},
                 3);
    for (const auto& c : cells) {
      if (!c.storage_budget) continue;
      md += row({cell_text(c.dataset), cell_text(c.model), cell_text(c.codec),
                 std::to_string(*c.storage_budget), level_name(c.level_kind, c.level),
                 std::to_string(c.runs),
                 c.train_samples.mean ? format("%.0f", *c.train_samples.mean) : "n/a",
                 mean_std(c.accuracy, pct, c.runs), interval_text(c.accuracy_interval)});
    }
  }
  if (in.cross != nullptr && !in.cross->empty()) md += cross_eval_markdown(*in.cross);

  md += "\n## Plots\n\n";
  if (in.images.empty()) {
    md += (in.plots_note.empty() ? std::string("No plots.") : in.plots_note) + "\n";
  }
  for (const auto& [file, title] : in.images) {
    md += "### " + cell_text(title) + "\n\n![" + cell_text(title) + "](" + file + ")\n\n";
  }

  std::vector<std::string> notes = in.notes;
  int unfinished = 0;
  for (const auto& r : runs) unfinished += !r.finished && !r.diverged();
  if (unfinished > 0) {
    notes.push_back(std::to_string(unfinished) +
                    " run(s) have not finished; their figures are from the epochs run so far "
                    "and count in the means and the estimate.");
  }
  if (!notes.empty()) {
    md += "\n## Notes\n\n";
    for (const auto& n : notes) md += "- " + n + "\n";
  }
  return md;
}

}  // namespace helmholtz::report
