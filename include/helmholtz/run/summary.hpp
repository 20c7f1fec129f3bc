#pragma once
// summary.json, typed: the one place that names and checks its fields. `train` fills a Summary
// and writes it; the folder state, `report`, `eval` and `sweep` read it back through
// read_summary_json, which refuses a file of another schema with one line and names the file and
// the key of anything damaged. No torch.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "helmholtz/run/spec.hpp"

namespace helmholtz::run {

// The summary.json layout this build writes and reads. 2: "schema" and "identity" keys.
// 3: the data a run validated and was tested on ("validation_data", "test_samples"), the test
// figures of the kept and the last weights, early stopping, the predictions file and the bits of
// the signal as recorded.
inline constexpr int kSummarySchema = 3;

// What summary.json says of its run ("status"): training now (or killed while training),
// finished, stopped by a signal, or diverged (a NaN or infinite training loss).
enum class RunStatus { kRunning, kFinished, kInterrupted, kDiverged };
std::string to_string(RunStatus status);
// Throws core::DataError for a word that is none of them.
RunStatus parse_run_status(const std::string& text);

// Which samples chose the best epoch and the weights kept.
//   holdout:    images held out of the training split (the corrected protocol's images)
//   validation: audio's validation part
//   test:       the test split itself (the reference protocol's images, and audio --eval test):
//               then selection and testing share their samples
enum class ValidationData { kHoldout, kValidation, kTest };
std::string to_string(ValidationData data);
ValidationData parse_validation_data(const std::string& text);  // throws core::DataError

// A set of weights scored on the test split.
struct TestFigures {
  int epoch = 0;  // the epoch whose weights these are
  double acc = 0.0;
  double loss = 0.0;
};

struct Summary {
  std::string version;  // of the helmholtz that wrote it
  Identity identity;
  std::string dataset;
  std::string model;  // the architecture's name (run::model_label adds protocol and budget)
  int setting = 0;
  std::string level_option;  // "quality" or "bitrate"
  std::string level;         // in the level option's scale: "5", "raw", "32"
  std::string codec;         // "jpeg", "mp3", ... ("" for raw)
  std::uint64_t seed = 0;
  Protocol protocol = Protocol::kCorrected;
  std::string optimizer;
  std::int64_t parameters = 0;
  std::string device, device_name, precision;
  bool channels_last = false;
  bool cuda_graphs = false;
  std::int64_t train_samples = 0;
  std::int64_t storage_budget = 0;
  std::int64_t train_steps_per_epoch = 0;
  ValidationData validation_data = ValidationData::kHoldout;
  std::int64_t validation_samples = 0;
  std::int64_t test_samples = 0;
  int num_classes = 0;
  int epochs_requested = 0;
  int epochs_completed = 0;
  int patience = 0;             // 0: no early stopping
  bool stopped_early = false;   // ended by --patience before epochs_requested
  bool finished = false;
  RunStatus status = RunStatus::kRunning;
  std::optional<int> diverged_epoch;
  std::optional<std::string> stop_signal;
  std::optional<double> best_val_acc;
  std::optional<int> best_epoch;
  std::optional<double> mean_top10_val_acc;
  std::optional<int> convergence_epoch;  // the reference's rule (run/history.hpp)
  // The kept weights (the best epoch on the validation data) and the last epoch's on the test
  // split, once the run finished; the per-sample predictions of the kept weights, relative to
  // the run folder (run::predictions_file).
  std::optional<TestFigures> test_best;
  std::optional<TestFigures> test_last;
  std::string predictions;
  double bits_per_sample = 0.0;
  double payload_bits_per_sample = 0.0;
  double lossless_bits_per_sample = 0.0;
  double lossless_payload_bits_per_sample = 0.0;
  // The bits of one sample as the dataset records it (images: channels x height x width x 8
  // before any padding; 0 where unknown): the raw level's bits.
  double signal_bits_per_sample = 0.0;
  std::string distortion_metric;  // "psnr" or "snr"
  std::optional<double> distortion_db;
  nlohmann::json compression;  // the codec figures per split, as data::to_json writes them
  double train_samples_per_second = 0.0;
  double wall_seconds = 0.0;
};

nlohmann::json to_json(const Summary& summary);

// Parses a summary of schema kSummarySchema. Throws core::DataError naming `file` when the
// schema is another ("... has summary schema 2; this helmholtz reads schema 3") and naming the
// key of a field that is missing or of the wrong type.
Summary summary_from_json(const nlohmann::json& j, const std::filesystem::path& file);

// Why `j` is not a summary of this build's schema (one line naming `file`); empty when it is.
std::string schema_problem(const nlohmann::json& j, const std::filesystem::path& file);

}  // namespace helmholtz::run
