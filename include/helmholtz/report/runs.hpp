#pragma once
// Finding and reading the run folders below a log folder: summary.json for what was trained,
// history.csv (when present) for the accuracy figures, which are recomputed from it.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/report/stats.hpp"
#include "helmholtz/run/cross_eval_file.hpp"
#include "helmholtz/run/history.hpp"

namespace helmholtz::report {

// One compression level of a run: "raw" (no codec) or a level in its codec's own scale (a
// quality for images, kbit/s for audio). Levels of two codecs are not comparable.
struct Level {
  bool raw = false;
  double value = 0.0;  // the codec's quality or kbit/s when !raw

  // "raw" or a positive number; throws core::DataError otherwise.
  static Level parse(const std::string& text);
  std::string to_string() const;  // "raw", "5", "32", "7.5"
};

// The order of levels in every table and plot: numeric ascending, raw last (the most bits).
bool operator<(const Level& a, const Level& b);
bool operator==(const Level& a, const Level& b);
inline bool operator!=(const Level& a, const Level& b) { return !(a == b); }

// Which size of a sample the estimate and the bits axes use: the payload (the entropy-coded data
// without the headers and tables every file repeats; the default) or the whole file.
enum class BitsMeasure { kPayload, kFile };
BitsMeasure parse_bits_measure(const std::string& text);  // "payload" or "file"; else UsageError
std::string to_string(BitsMeasure measure);

struct RunRecord {
  std::filesystem::path dir;       // the run folder
  std::filesystem::path relative;  // the run folder relative to the log folder ("." for itself)
  std::string dataset;
  std::string model;     // run::model_label: "all-cnns", or "all-cnns-reference"
  std::string protocol;  // "corrected" or "reference"
  std::optional<std::int64_t> storage_budget;  // bytes, when the run had one
  std::optional<std::int64_t> train_samples;   // what it trained on
  int setting = 0;
  bool built_in = false;   // a built-in network (its bare name, before model_label's suffixes)
  std::string level_kind;  // "quality" (images) or "bitrate" (audio, kbit/s)
  Level level;
  // The codec of a coded run ("jpeg", "webp", "avif", "jxl", "j2k"; "mp3", "opus", "vorbis"),
  // from the summary's identity; "" for a raw run, which is codec-free. Summaries from before
  // --codec hold none: JPEG for quality, MP3 for bitrate.
  std::string codec;
  std::string codec_version;  // "libwebp 1.2.4"; "" when not recorded (and for raw)
  int seed = 0;
  std::optional<double> bits_per_sample;  // mean compressed file bits per image or clip
  // The same without what every file repeats (codec::*_payload_bytes); none in summaries from
  // before payload bits were recorded.
  std::optional<double> payload_bits_per_sample;
  // The lossless reference of the same samples (PNG or FLAC of the originals): file, payload.
  std::optional<double> lossless_bits_per_sample;
  std::optional<double> lossless_payload_bits_per_sample;
  // A sample as the dataset records it (images before padding): the raw level's bits.
  std::optional<double> signal_bits_per_sample;
  std::string distortion_metric;          // "psnr" or "snr"
  std::optional<double> distortion_db;
  std::optional<double> best_val_acc;
  std::optional<double> mean_top10_val_acc;  // the reference's "accuracy" of a run
  std::optional<std::int64_t> validation_samples;  // what val_acc was measured on
  // Which samples chose the kept weights: "holdout" (images held out of the training split),
  // "validation" (audio's validation part) or "test" (the test split: selection and testing on
  // the same samples, as the reference did).
  std::string validation_data;
  // The kept weights (best on the validation data) and the last epoch's on the test split; the
  // kept weights' per-sample predictions (run/predictions.hpp). None before the run finished.
  std::optional<double> test_acc;
  std::optional<int> test_epoch;
  std::optional<double> last_test_acc;
  std::optional<std::int64_t> test_samples;
  std::optional<std::filesystem::path> predictions;
  bool stopped_early = false;  // ended by --patience
  // Whether its validation accuracy had stopped rising (report::converged over history.csv's
  // val_acc); none without a history.
  std::optional<bool> converged;
  int patience = 0;
  std::optional<int> num_classes;
  // The accuracy's 95% Wilson interval over the validation samples, and whether it is above
  // chance (1 / classes) at 95%; none without the counts.
  std::optional<Interval> accuracy_interval;
  std::optional<bool> above_chance;
  std::optional<int> convergence_epoch;
  int epochs_run = 0;  // rows of history.csv, else the summary's epochs_completed
  int epochs_requested = 0;
  bool finished = false;
  // What summary.json says ("running", "finished", "interrupted", "diverged"; from "finished"
  // in summaries from before the key), and the first epoch with a NaN or infinite training
  // loss. A diverged run is listed but left out of the cells and the estimate.
  std::string status = "running";
  std::optional<int> diverged_epoch;
  bool diverged() const { return status == "diverged"; }
  double wall_seconds = 0.0;
  std::optional<double> samples_per_second;
  bool from_history = false;  // accuracy figures recomputed from history.csv
  std::vector<run::EpochRecord> history;
  // The best weights at other levels (cross_eval.csv, from `helmholtz eval`); a damaged file
  // leaves them empty and says why in cross_eval_problem.
  std::vector<run::CrossEvalEntry> cross_eval;
  std::string cross_eval_problem;
};

// Reads one run folder. Accuracy figures come from history.csv when it exists, else from
// summary.json (read through run::RunFolder, which checks its schema version: a folder written
// by an older helmholtz is a DataError saying so). Throws core::DataError naming the file on
// anything damaged.
RunRecord read_run(const std::filesystem::path& dir, const std::filesystem::path& root);

struct RunScan {
  std::vector<RunRecord> runs;        // sorted as report_csv lists them
  std::vector<std::string> warnings;  // one per skipped run folder, naming the file
};

// Every folder below `logdir` (itself included, recursively) that holds summary.json. Damaged
// run folders are skipped with a warning. Throws core::DataError naming `logdir` when it is
// not a folder or holds no readable run.
RunScan collect_runs(const std::filesystem::path& logdir);

// The codec a level kind had before --codec existed, and the baseline the Codecs table compares
// with: "jpeg" for quality, "mp3" for bitrate.
std::string default_codec(const std::string& level_kind);

// The order of codecs in every table and plot: JPEG, WebP, AVIF, JPEG XL, JPEG 2000, MP3, Opus,
// Vorbis, then any other by name, and "" (a raw run, codec-free) last.
bool codec_before(const std::string& a, const std::string& b);

// "JPEG", "WebP", "JPEG XL", "JPEG 2000", "MP3", "Opus", ...; another codec as it is named.
std::string codec_display_name(const std::string& codec);

// The row order: dataset, setting, model, level kind, codec (codec_before: raw runs after every
// codec's), level, seed, folder.
void sort_runs(std::vector<RunRecord>& runs);

}  // namespace helmholtz::report
