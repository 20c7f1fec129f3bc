#include "helmholtz/report/runs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "helmholtz/core/error.hpp"
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
  const char* name;
  const char* display;
  const char* kind;  // the level option it takes
};

// In table order; the first of each kind is its default (and the Codecs table's baseline).
constexpr KnownCodec kKnownCodecs[] = {
    {"jpeg", "JPEG", "quality"},    {"webp", "WebP", "quality"},    {"avif", "AVIF", "quality"},
    {"jxl", "JPEG XL", "quality"},  {"j2k", "JPEG 2000", "quality"}, {"mp3", "MP3", "bitrate"},
    {"opus", "Opus", "bitrate"},    {"vorbis", "Vorbis", "bitrate"}};

const KnownCodec* known_codec(const std::string& name) {
  for (const auto& c : kKnownCodecs) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace

std::string default_codec(const std::string& level_kind) {
  return level_kind == "bitrate" ? "mp3" : "jpeg";
}

bool codec_before(const std::string& a, const std::string& b) {
  const auto rank = [](const std::string& c) {
    if (c.empty()) return std::size_t{1000};  // raw: after every codec
    const KnownCodec* k = known_codec(c);
    return k ? static_cast<std::size_t>(k - kKnownCodecs) : std::size_t{100};
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

const json& required(const json& j, const char* key, const fs::path& file) {
  if (!j.contains(key) || j[key].is_null()) damaged(file, std::string("no \"") + key + "\" key");
  return j[key];
}

std::string required_string(const json& j, const char* key, const fs::path& file) {
  const json& v = required(j, key, file);
  if (!v.is_string() || v.get<std::string>().empty()) {
    damaged(file, std::string("\"") + key + "\" is not a non-empty string");
  }
  return v.get<std::string>();
}

int required_int(const json& j, const char* key, const fs::path& file) {
  const json& v = required(j, key, file);
  if (!v.is_number_integer()) damaged(file, std::string("\"") + key + "\" is not an integer");
  return v.get<int>();
}

// A number that may be missing or null; any other type is damage.
std::optional<double> optional_number(const json& j, const char* key, const fs::path& file) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_number()) damaged(file, std::string("\"") + key + "\" is not a number");
  return j[key].get<double>();
}

std::optional<int> optional_int(const json& j, const char* key, const fs::path& file) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_number_integer()) damaged(file, std::string("\"") + key + "\" is not an integer");
  return j[key].get<int>();
}

Level level_of(const json& v, const char* key, const fs::path& file) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number()) {
    text = v.dump();
  } else {
    damaged(file, std::string("\"") + key + "\" is neither a string nor a number");
  }
  try {
    return Level::parse(text);
  } catch (const core::DataError& e) {
    damaged(file, std::string("\"") + key + "\": " + e.what());
  }
}

}  // namespace

RunRecord read_run(const fs::path& dir, const fs::path& root) {
  const run::RunFolder folder(dir);
  const fs::path file = folder.summary();
  const auto summary = folder.read_summary();  // checks the schema version
  if (!summary) damaged(file, "cannot open");
  const json& j = *summary;
  RunRecord r;
  r.dir = dir;
  r.relative = dir.lexically_relative(root);
  if (r.relative.empty()) r.relative = dir;
  r.dataset = required_string(j, "dataset", file);
  // Runs of the reference protocol are their own line: "all-cnns-reference". (Summaries from
  // before --protocol existed hold none: those runs were trained the corrected way.)
  r.protocol = j.contains("protocol") ? required_string(j, "protocol", file) : "corrected";
  // A storage budget (images): its runs are their own line, "cnns-dense-64-storage-1000000".
  if (const auto b = optional_number(j, "storage_budget", file); b && *b > 0) {
    // Converting a double past int64's range is undefined behaviour: such a budget is damage.
    if (!(*b < 0x1p63)) damaged(file, "\"storage_budget\" is out of range");
    r.storage_budget = static_cast<std::int64_t>(*b);
  }
  if (const auto n = optional_int(j, "train_samples", file); n && *n > 0) r.train_samples = *n;
  try {
    r.model = run::model_label(required_string(j, "model", file), run::parse_protocol(r.protocol),
                               r.storage_budget.value_or(0));
  } catch (const core::UsageError&) {
    damaged(file, "\"protocol\" is '" + r.protocol + "', not corrected or reference");
  }
  r.setting = required_int(j, "setting", file);
  r.seed = required_int(j, "seed", file);
  r.level_kind = required_string(j, "level_option", file);
  if (r.level_kind != "quality" && r.level_kind != "bitrate") {
    damaged(file, "\"level_option\" is '" + r.level_kind + "', not quality or bitrate");
  }
  r.level = level_of(required(j, r.level_kind.c_str(), file), r.level_kind.c_str(), file);
  // The codec: the identity's (every coded run since --codec), else the summary's own key, else
  // what the level kind meant before --codec: JPEG or MP3. A raw run is codec-free.
  if (!r.level.raw) {
    const json* identity = nullptr;
    if (j.contains("identity") && j["identity"].is_object()) identity = &j["identity"];
    const auto text = [&](const json* in, const char* key, const std::string& where) {
      if (in == nullptr || !in->contains(key) || (*in)[key].is_null()) return std::string();
      if (!(*in)[key].is_string()) damaged(file, where + "\"" + key + "\" is not a string");
      return (*in)[key].get<std::string>();
    };
    r.codec = text(identity, "codec", "identity ");
    r.codec_version = text(identity, "codec-version", "identity ");
    if (r.codec.empty()) r.codec = text(&j, "codec", "");
    if (r.codec.empty()) r.codec = default_codec(r.level_kind);
    const KnownCodec* known = known_codec(r.codec);
    if (known != nullptr && r.level_kind != known->kind) {
      damaged(file, "codec '" + r.codec + "' does not take a " + r.level_kind);
    }
  }

  r.epochs_requested = optional_int(j, "epochs_requested", file).value_or(0);
  const int epochs_completed = optional_int(j, "epochs_completed", file).value_or(0);
  if (j.contains("finished") && !j["finished"].is_null()) {
    if (!j["finished"].is_boolean()) damaged(file, "\"finished\" is not true or false");
    r.finished = j["finished"].get<bool>();
  }
  r.status = run::to_string(r.finished ? run::RunStatus::kFinished : run::RunStatus::kRunning);
  if (j.contains("status") && !j["status"].is_null()) {
    try {
      r.status = run::to_string(run::parse_run_status(required_string(j, "status", file)));
    } catch (const core::DataError& e) {
      damaged(file, std::string("\"status\": ") + e.what());
    }
  }
  r.diverged_epoch = optional_int(j, "diverged_epoch", file);
  r.wall_seconds = optional_number(j, "wall_seconds", file).value_or(0.0);
  r.samples_per_second = optional_number(j, "train_samples_per_second", file);

  r.bits_per_sample = optional_number(j, "bits_per_sample", file);
  r.payload_bits_per_sample = optional_number(j, "payload_bits_per_sample", file);
  r.lossless_bits_per_sample = optional_number(j, "lossless_bits_per_sample", file);
  r.lossless_payload_bits_per_sample =
      optional_number(j, "lossless_payload_bits_per_sample", file);
  r.distortion_metric = r.level_kind == "quality" ? "psnr" : "snr";
  if (j.contains("distortion") && j["distortion"].is_object()) {
    const json& d = j["distortion"];
    if (d.contains("metric") && d["metric"].is_string()) r.distortion_metric = d["metric"];
    r.distortion_db = optional_number(d, "db", file);
  }
  if (const auto n = optional_int(j, "validation_samples", file); n && *n > 0) {
    r.validation_samples = *n;
  }
  if (const auto k = optional_int(j, "num_classes", file); k && *k > 0) r.num_classes = *k;
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
    }
  } else {
    r.epochs_run = epochs_completed;
    r.best_val_acc = optional_number(j, "best_val_acc", file);
    r.mean_top10_val_acc = optional_number(j, "mean_top10_val_acc", file);
    r.convergence_epoch = optional_int(j, "convergence_epoch", file);
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
