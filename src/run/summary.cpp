#include "helmholtz/run/summary.hpp"

#include "helmholtz/core/error.hpp"

namespace helmholtz::run {
namespace fs = std::filesystem;
using nlohmann::json;

std::string to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kFinished:
      return "finished";
    case RunStatus::kInterrupted:
      return "interrupted";
    case RunStatus::kDiverged:
      return "diverged";
  }
  return "?";
}

RunStatus parse_run_status(const std::string& text) {
  for (const RunStatus s :
       {RunStatus::kRunning, RunStatus::kFinished, RunStatus::kInterrupted, RunStatus::kDiverged}) {
    if (text == to_string(s)) return s;
  }
  throw core::DataError("unknown run status '" + text +
                        "' (running, finished, interrupted or diverged)");
}

std::string to_string(ValidationData data) {
  switch (data) {
    case ValidationData::kHoldout:
      return "holdout";
    case ValidationData::kValidation:
      return "validation";
    case ValidationData::kTest:
      return "test";
  }
  return "?";
}

ValidationData parse_validation_data(const std::string& text) {
  for (const auto d : {ValidationData::kHoldout, ValidationData::kValidation, ValidationData::kTest}) {
    if (text == to_string(d)) return d;
  }
  throw core::DataError("unknown validation data '" + text + "' (holdout, validation or test)");
}

namespace {

template <class T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json test_json(const std::optional<TestFigures>& t) {
  if (!t) return nullptr;
  return {{"epoch", t->epoch}, {"acc", t->acc}, {"loss", t->loss}};
}

// Reads the fields of one JSON object, naming the file and the key of anything wrong.
class Reader {
 public:
  Reader(const json& j, const fs::path& file, std::string prefix = "")
      : j_(j), file_(file), prefix_(std::move(prefix)) {}

  [[noreturn]] void damaged(const std::string& key, const std::string& what) const {
    throw core::DataError("'" + file_.string() + "': \"" + prefix_ + key + "\" " + what);
  }
  const json& at(const std::string& key) const {
    if (!j_.contains(key)) damaged(key, "is missing");
    return j_[key];
  }
  bool null(const std::string& key) const { return at(key).is_null(); }
  std::string string(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_string()) damaged(key, "is not a string");
    return v.get<std::string>();
  }
  std::string text(const std::string& key) const {  // a non-empty string
    std::string s = string(key);
    if (s.empty()) damaged(key, "is empty");
    return s;
  }
  template <class Int = std::int64_t>
  Int integer(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) damaged(key, "is not an integer");
    return v.get<Int>();
  }
  double number(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number()) damaged(key, "is not a number");
    return v.get<double>();
  }
  bool boolean(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_boolean()) damaged(key, "is not true or false");
    return v.get<bool>();
  }
  std::optional<double> maybe_number(const std::string& key) const {
    return null(key) ? std::nullopt : std::optional<double>(number(key));
  }
  std::optional<int> maybe_int(const std::string& key) const {
    return null(key) ? std::nullopt : std::optional<int>(integer<int>(key));
  }
  std::optional<TestFigures> test(const std::string& key) const {
    if (null(key)) return std::nullopt;
    if (!at(key).is_object()) damaged(key, "is not an object");
    const Reader r(at(key), file_, prefix_ + key + ".");
    return TestFigures{r.integer<int>("epoch"), r.number("acc"), r.number("loss")};
  }
  template <class T, class Parse>
  T parsed(const std::string& key, Parse parse) const {
    const std::string s = string(key);
    try {
      return parse(s);
    } catch (const core::Error& e) {
      damaged(key, std::string("is not valid: ") + e.what());
    }
  }

 private:
  const json& j_;
  const fs::path& file_;
  std::string prefix_;
};

}  // namespace

json to_json(const Summary& s) {
  json j;
  j["schema"] = kSummarySchema;
  j["version"] = s.version;
  j["identity"] = identity_json(s.identity);
  j["dataset"] = s.dataset;
  j["model"] = s.model;
  j["setting"] = s.setting;
  j["level_option"] = s.level_option;
  j["level"] = s.level;
  j["codec"] = s.codec;
  j["seed"] = s.seed;
  j["protocol"] = to_string(s.protocol);
  j["optimizer"] = s.optimizer;
  j["parameters"] = s.parameters;
  j["device"] = s.device;
  j["device_name"] = s.device_name;
  j["precision"] = s.precision;
  j["channels_last"] = s.channels_last;
  j["cuda_graphs"] = s.cuda_graphs;
  j["train_samples"] = s.train_samples;
  j["storage_budget"] = s.storage_budget;
  j["train_steps_per_epoch"] = s.train_steps_per_epoch;
  j["validation_data"] = to_string(s.validation_data);
  j["validation_samples"] = s.validation_samples;
  j["test_samples"] = s.test_samples;
  j["num_classes"] = s.num_classes;
  j["epochs_requested"] = s.epochs_requested;
  j["epochs_completed"] = s.epochs_completed;
  j["patience"] = s.patience;
  j["stopped_early"] = s.stopped_early;
  j["finished"] = s.finished;
  j["status"] = to_string(s.status);
  j["diverged_epoch"] = optional_json(s.diverged_epoch);
  j["stop_signal"] = optional_json(s.stop_signal);
  j["best_val_acc"] = optional_json(s.best_val_acc);
  j["best_epoch"] = optional_json(s.best_epoch);
  j["mean_top10_val_acc"] = optional_json(s.mean_top10_val_acc);
  j["convergence_epoch"] = optional_json(s.convergence_epoch);
  j["test_best"] = test_json(s.test_best);
  j["test_last"] = test_json(s.test_last);
  j["predictions"] = s.predictions;
  j["bits_per_sample"] = s.bits_per_sample;
  j["payload_bits_per_sample"] = s.payload_bits_per_sample;
  j["lossless_bits_per_sample"] = s.lossless_bits_per_sample;
  j["lossless_payload_bits_per_sample"] = s.lossless_payload_bits_per_sample;
  j["signal_bits_per_sample"] = s.signal_bits_per_sample;
  j["distortion"] = {{"metric", s.distortion_metric}, {"db", optional_json(s.distortion_db)}};
  j["compression"] = s.compression;
  j["train_samples_per_second"] = s.train_samples_per_second;
  j["wall_seconds"] = s.wall_seconds;
  return j;
}

std::string schema_problem(const json& j, const fs::path& file) {
  if (!j.is_object()) return "'" + file.string() + "' is not a JSON object";
  if (!j.contains("schema")) {
    return "'" + file.string() + "' was written by an older helmholtz (no schema version)";
  }
  if (!j["schema"].is_number_integer() || j["schema"].get<int>() != kSummarySchema) {
    return "'" + file.string() + "' has summary schema " + j["schema"].dump() +
           "; this helmholtz reads schema " + std::to_string(kSummarySchema);
  }
  return {};
}

Summary summary_from_json(const json& j, const fs::path& file) {
  if (const std::string problem = schema_problem(j, file); !problem.empty()) {
    throw core::DataError(problem);
  }
  const Reader r(j, file);
  Summary s;
  s.version = r.string("version");
  try {
    s.identity = identity_from_json(r.at("identity"));
  } catch (const core::DataError& e) {
    r.damaged("identity", std::string("is not valid: ") + e.what());
  }
  s.dataset = r.text("dataset");
  s.model = r.text("model");
  s.setting = r.integer<int>("setting");
  s.level_option = r.text("level_option");
  if (s.level_option != "quality" && s.level_option != "bitrate") {
    r.damaged("level_option", "is '" + s.level_option + "', not quality or bitrate");
  }
  s.level = r.text("level");
  s.codec = r.string("codec");
  s.seed = r.integer<std::uint64_t>("seed");
  s.protocol = r.parsed<Protocol>("protocol", parse_protocol);
  s.optimizer = r.string("optimizer");
  s.parameters = r.integer("parameters");
  s.device = r.string("device");
  s.device_name = r.string("device_name");
  s.precision = r.string("precision");
  s.channels_last = r.boolean("channels_last");
  s.cuda_graphs = r.boolean("cuda_graphs");
  s.train_samples = r.integer("train_samples");
  s.storage_budget = r.integer("storage_budget");
  s.train_steps_per_epoch = r.integer("train_steps_per_epoch");
  s.validation_data = r.parsed<ValidationData>("validation_data", parse_validation_data);
  s.validation_samples = r.integer("validation_samples");
  s.test_samples = r.integer("test_samples");
  s.num_classes = r.integer<int>("num_classes");
  s.epochs_requested = r.integer<int>("epochs_requested");
  s.epochs_completed = r.integer<int>("epochs_completed");
  s.patience = r.integer<int>("patience");
  s.stopped_early = r.boolean("stopped_early");
  s.finished = r.boolean("finished");
  s.status = r.parsed<RunStatus>("status", parse_run_status);
  s.diverged_epoch = r.maybe_int("diverged_epoch");
  if (!r.null("stop_signal")) s.stop_signal = r.string("stop_signal");
  s.best_val_acc = r.maybe_number("best_val_acc");
  s.best_epoch = r.maybe_int("best_epoch");
  s.mean_top10_val_acc = r.maybe_number("mean_top10_val_acc");
  s.convergence_epoch = r.maybe_int("convergence_epoch");
  s.test_best = r.test("test_best");
  s.test_last = r.test("test_last");
  s.predictions = r.string("predictions");
  s.bits_per_sample = r.number("bits_per_sample");
  s.payload_bits_per_sample = r.number("payload_bits_per_sample");
  s.lossless_bits_per_sample = r.number("lossless_bits_per_sample");
  s.lossless_payload_bits_per_sample = r.number("lossless_payload_bits_per_sample");
  s.signal_bits_per_sample = r.number("signal_bits_per_sample");
  if (!r.at("distortion").is_object()) r.damaged("distortion", "is not an object");
  const Reader d(r.at("distortion"), file, "distortion.");
  s.distortion_metric = d.string("metric");
  s.distortion_db = d.maybe_number("db");
  s.compression = r.at("compression");
  s.train_samples_per_second = r.number("train_samples_per_second");
  s.wall_seconds = r.number("wall_seconds");
  return s;
}

}  // namespace helmholtz::run
