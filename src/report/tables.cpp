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
        csv_field(r.codec), csv_field(r.codec_version));
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
      "is the validation data coded at another (`helmholtz eval`, `sweep --cross-eval`). A "
      "cell is the validation accuracy of the runs' best weights (best.pt: the epoch of the "
      "best val_acc, so the diagonal is the runs' best val_acc, not the mean of their 10 best), "
      "mean over seeds ± the 95% t half-width (two or more seeds), the number of runs in "
      "brackets. **Bold**: the diagonal, trained and tested at the same "
      "level.\n";
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

std::string report_markdown(const MarkdownInput& in) {
  const auto& runs = *in.runs;
  const auto& cells = *in.cells;
  const auto& estimates = *in.estimates;
  std::string md = "# Helmholtz report\n\n";
  md += std::to_string(runs.size()) + " run(s) found below `" + in.logdir +
        "`. The *accuracy* of a run is the mean of its 10 highest per-epoch validation "
        "accuracies; the *convergence epoch* is the first epoch i at which the mean validation "
        "accuracy over epochs i..i+9 exceeds 0.99 x the run's best (both recomputed from "
        "history.csv where it exists). Accuracies are in percent; bits are per sample (image or "
        "clip). Machine-readable: `report.csv`, `helmholtz.csv`.\n\n";

  md += "## Runs\n\n";
  md +=
      header({"dataset", "model", "setting", "codec", "level", "seed", "payload bits", "file bits",
              distortion_header(runs), "best val_acc", "mean of 10 best [95% Wilson]",
              "conv. epoch", "epochs", "status", "wall time", "samples/s", "run"});
  for (const auto& r : runs) {
    md += row({cell_text(r.dataset), cell_text(r.model),
               r.setting < 0 ? std::string("file") : std::to_string(r.setting),
               r.codec.empty() ? std::string("none") : cell_text(r.codec),
               level_name(r.level_kind, r.level), std::to_string(r.seed),
               bits_text(r.payload_bits_per_sample), bits_text(r.bits_per_sample),
               db_text(r.distortion_db), pct(r.best_val_acc), accuracy_text(r),
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
        "validation samples). A seed fixes the initial weights and the batch order at every "
        "level, so levels compare best seed by seed. A raw cell is listed in the line of each "
        "codec it is the uncoded reference of.\n\n";
    md += header({"dataset", "model", "codec", "level", "n", "seeds", "payload bits", "file bits",
                  "mean of 10 best", "95% interval", "chance runs", "conv. epoch"},
                 4);
    for (const auto& c : cells) {
      std::string seeds;
      for (int s : c.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(s);
      md += row({cell_text(c.dataset), cell_text(c.model), cell_text(c.codec),
                 level_name(c.level_kind, c.level), std::to_string(c.runs), seeds,
                 mean_std(c.payload_bits, bits_text, c.runs),
                 mean_std(c.file_bits, bits_text, c.runs), mean_std(c.accuracy, pct, c.runs),
                 interval_text(c.accuracy_interval), std::to_string(c.chance_runs),
                 mean_std(c.convergence, plain, c.runs)});
    }
  }

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
