#include "helmholtz/report/runs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <limits>
#include <tuple>

#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/report/inference.hpp"
#include "helmholtz/run/folder.hpp"

namespace helmholtz::report {
namespace fs = std::filesystem;
using nlohmann::json;

Level Level::parse(const std::string& text) {
  if (text == "raw") return Level{true, 0.0};
  char* end = nullptr;
  const double value = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value <= 0) {
    throw core::DataError("level '" + text + "' is neither 'raw' nor a positive number");
  }
  return Level{false, value};
}

std::string Level::to_string() const {
  if (raw) return "raw";
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

BitsMeasure parse_bits_measure(const std::string& text) {
  if (text == "payload") return BitsMeasure::kPayload;
  if (text == "file") return BitsMeasure::kFile;
  throw core::UsageError("--bits " + text + ": use payload (the coded data, the default) or file");
}

std::string to_string(BitsMeasure measure) {
  return measure == BitsMeasure::kPayload ? "payload" : "file";
}

bool operator<(const Level& a, const Level& b) {
  if (a.raw != b.raw) return b.raw;
  return !a.raw && a.value < b.value;
}

bool operator==(const Level& a, const Level& b) {
  return a.raw == b.raw && (a.raw || a.value == b.value);
}

namespace {

struct KnownCodec {
  std::string name;
  std::string display;
  std::string kind;  // the level option it takes
};

// The codec tables' codecs in table order, images first: the first of each kind is its default
// (and the Codecs table's baseline).
const std::vector<KnownCodec>& known_codecs() {
  static const std::vector<KnownCodec> list = [] {
    std::vector<KnownCodec> all;
    for (const auto& c : codec::image_codecs()) all.push_back({c.name, c.display, "quality"});
    for (const auto& c : codec::known_audio_codecs()) all.push_back({c.name, c.display, "bitrate"});
    return all;
  }();
  return list;
}

const KnownCodec* known_codec(const std::string& name) {
  for (const auto& c : known_codecs()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace

std::string default_codec(const std::string& level_kind) {
  for (const auto& c : known_codecs()) {
    if (c.kind == level_kind) return c.name;
  }
  return {};
}

bool codec_before(const std::string& a, const std::string& b) {
  const auto rank = [](const std::string& c) {
    if (c.empty()) return std::size_t{1000};  // raw: after every codec
    const KnownCodec* k = known_codec(c);
    return k ? static_cast<std::size_t>(k - known_codecs().data()) : std::size_t{100};
  };
  const std::size_t ra = rank(a), rb = rank(b);
  return ra != rb ? ra < rb : a < b;
}

std::string codec_display_name(const std::string& codec) {
  const KnownCodec* k = known_codec(codec);
  return k ? k->display : codec;
}

namespace {

// A damaged-file error that names the file.
[[noreturn]] void damaged(const fs::path& file, const std::string& what) {
  throw core::DataError("'" + file.string() + "': " + what);
}

}  // namespace

RunRecord read_run(const fs::path& dir, const fs::path& root) {
  const run::RunFolder folder(dir);
  const fs::path file = folder.summary();
  const auto summary = folder.read_summary();  // checks the schema and every field
  if (!summary) damaged(file, "cannot open");
  const run::Summary& m = *summary;
  RunRecord r;
  r.dir = dir;
  r.relative = dir.lexically_relative(root);
  if (r.relative.empty()) r.relative = dir;
  r.dataset = m.dataset;
  r.protocol = run::to_string(m.protocol);
  // A storage budget (images): its runs are their own line, "cnns-dense-64-storage-1000000".
  if (m.storage_budget > 0) r.storage_budget = m.storage_budget;
  if (m.train_samples > 0) r.train_samples = m.train_samples;
  // Runs of the reference protocol are their own line: "all-cnns-reference".
  r.model = run::model_label(m.model, m.protocol, m.storage_budget);
  r.setting = m.setting;
  r.built_in = models::is_built_in_name(m.model);
  if (m.seed > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    damaged(file, "\"seed\" is out of range");
  }
  r.seed = static_cast<int>(m.seed);
  r.level_kind = m.level_option;
  try {
    r.level = Level::parse(m.level);
  } catch (const core::DataError& e) {
    damaged(file, std::string("\"level\": ") + e.what());
  }
  // The codec of a coded run: the identity's, which a run folder is checked against. A raw run
  // is codec-free.
  if (!r.level.raw) {
    for (const auto& [key, value] : m.identity) {
      if (key == "codec") r.codec = value;
      if (key == "codec-version") r.codec_version = value;
    }
    if (r.codec.empty()) r.codec = m.codec;
    if (r.codec.empty()) damaged(file, "a coded run without a codec");
    const KnownCodec* known = known_codec(r.codec);
    if (known != nullptr && r.level_kind != known->kind) {
      damaged(file, "codec '" + r.codec + "' does not take a " + r.level_kind);
    }
  }
  r.epochs_requested = m.epochs_requested;
  const int epochs_completed = m.epochs_completed;
  r.finished = m.finished;
  r.status = run::to_string(m.status);
  r.diverged_epoch = m.diverged_epoch;
  r.stopped_early = m.stopped_early;
  r.patience = m.patience;
  r.wall_seconds = m.wall_seconds;
  r.samples_per_second = m.train_samples_per_second;
  // A size of 0 is no measurement (a sample always takes bits): the figure is left unknown, so
  // that a line falls back to what its runs did measure instead of drawing 0 bits.
  const auto measured = [](double bits) {
    return bits > 0 ? std::optional<double>(bits) : std::nullopt;
  };
  r.bits_per_sample = measured(m.bits_per_sample);
  r.payload_bits_per_sample = measured(m.payload_bits_per_sample);
  r.lossless_bits_per_sample = measured(m.lossless_bits_per_sample);
  r.lossless_payload_bits_per_sample = measured(m.lossless_payload_bits_per_sample);
  r.signal_bits_per_sample = measured(m.signal_bits_per_sample);
  r.distortion_metric = m.distortion_metric;
  r.distortion_db = m.distortion_db;
  if (m.validation_samples > 0) r.validation_samples = m.validation_samples;
  r.validation_data = run::to_string(m.validation_data);
  if (m.test_samples > 0) r.test_samples = m.test_samples;
  if (m.num_classes > 0) r.num_classes = m.num_classes;
  if (m.test_best) {
    r.test_acc = m.test_best->acc;
    r.test_epoch = m.test_best->epoch;
  }
  if (m.test_last) r.last_test_acc = m.test_last->acc;
  if (!m.predictions.empty()) r.predictions = dir / m.predictions;
  // Accuracy figures: history.csv is the ground truth when it exists.
  const fs::path history_file = folder.history();
  if (fs::exists(history_file)) {
    r.history = run::read_history_csv(history_file);  // throws DataError naming the file
    r.from_history = true;
    r.epochs_run = static_cast<int>(r.history.size());
    if (!r.history.empty()) {
      double best = r.history.front().val_acc;
      for (const auto& e : r.history) best = std::max(best, e.val_acc);
      r.best_val_acc = best;
      r.mean_top10_val_acc = run::mean_top_val_acc(r.history, 10);
      r.convergence_epoch = run::convergence_epoch(r.history);
      std::vector<double> val_acc;
      for (const auto& e : r.history) val_acc.push_back(e.val_acc);
      try {
        r.converged = converged(val_acc);
      } catch (const core::Error& e) {
        damaged(history_file, e.what());
      }
    }
  } else {
    r.epochs_run = epochs_completed;
    r.best_val_acc = m.best_val_acc;
    r.mean_top10_val_acc = m.mean_top10_val_acc;
    r.convergence_epoch = m.convergence_epoch;
  }
  if (r.mean_top10_val_acc && r.validation_samples) {
    r.accuracy_interval = wilson_interval(*r.mean_top10_val_acc, *r.validation_samples);
    if (r.num_classes) {
      r.above_chance = above_chance(*r.mean_top10_val_acc, *r.validation_samples, *r.num_classes);
    }
  }
  if (fs::exists(folder.cross_eval())) {
    try {
      r.cross_eval = run::read_cross_eval_csv(folder.cross_eval());
    } catch (const core::DataError& e) {
      r.cross_eval_problem = std::string("cross-evaluation left out: ") + e.what();
    }
  }
  return r;
}

void sort_runs(std::vector<RunRecord>& runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
    const auto key = [](const RunRecord& r) {
      return std::tie(r.dataset, r.setting, r.model, r.level_kind);
    };
    if (key(a) != key(b)) return key(a) < key(b);
    if (a.codec != b.codec) return codec_before(a.codec, b.codec);
    if (a.level != b.level) return a.level < b.level;
    if (a.seed != b.seed) return a.seed < b.seed;
    return a.relative < b.relative;
  });
}

RunScan collect_runs(const fs::path& logdir) {
  std::error_code ec;
  if (!fs::is_directory(logdir, ec)) {
    throw core::DataError("'" + logdir.string() + "' is not a folder (give the log folder that " +
                          "`helmholtz train` wrote run folders into, e.g. logs)");
  }
  std::vector<fs::path> dirs;
  RunScan scan;
  const auto holds_run = [](const fs::path& dir, std::error_code& ec) {
    return fs::is_regular_file(run::RunFolder(dir).summary(), ec);
  };
  if (holds_run(logdir, ec)) dirs.push_back(logdir);
  fs::recursive_directory_iterator it(logdir, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw core::DataError("cannot read '" + logdir.string() + "': " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      scan.warnings.push_back("cannot read below '" + logdir.string() + "': " + ec.message());
      break;
    }
    std::error_code entry_ec;
    if (it->is_directory(entry_ec) && holds_run(it->path(), entry_ec)) {
      dirs.push_back(it->path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    try {
      scan.runs.push_back(read_run(dir, logdir));
      if (!scan.runs.back().cross_eval_problem.empty()) {
        scan.warnings.push_back(scan.runs.back().cross_eval_problem);
      }
    } catch (const core::Error& e) {
      scan.warnings.push_back(std::string("skipped run folder: ") + e.what());
    }
  }
  if (scan.runs.empty()) {
    std::string message = "no run folders found below '" + logdir.string() +
                          "' (a run folder holds summary.json; `helmholtz train` writes them)";
    if (!dirs.empty()) {
      message = "no readable run folder below '" + logdir.string() +
                "': " + std::to_string(dirs.size()) + " summary.json file(s), all damaged (" +
                scan.warnings.front() + ")";
    }
    throw core::DataError(message);
  }
  sort_runs(scan.runs);
  return scan;
}

}  // namespace helmholtz::report
