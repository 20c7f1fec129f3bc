#pragma once
// A run folder: the one place that knows its files, its lock and its state against the run a
// command asks for. `train`, `sweep` and `report` all ask it; none repeats a file name or a
// state rule.
//
//   config.toml  history.csv  summary.json  train.log
//   last.pt  last.pt.prev (the checkpoint and the generation before it)
//   best.pt  best.pt.prev  model.pt
//   last.pt.damaged (a damaged checkpoint set aside when resuming fell back on the previous)
//   cross_eval.csv (after `helmholtz eval`)
//   .lock (flock: one process per folder)
//
// summary.json states its schema version and the run's identity (every setting that changes
// what is trained); the state is read from it before anything else is loaded. No torch.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/core/file_lock.hpp"
#include "helmholtz/run/spec.hpp"
#include "helmholtz/run/summary.hpp"

namespace helmholtz::run {

// <log_dir> if set, else <log_root>/<dataset>/<model>/<quality_q or bitrate_b>, with a further
// seed_<s> folder for a seed other than 0.
std::filesystem::path run_directory(const RunSpec& spec);

enum class FolderState {
  kFresh,        // nothing trained here yet
  kInterrupted,  // a checkpoint of this run, fewer epochs than asked (or not finished)
  kFinished,     // this run, finished with at least the epochs asked (or stopped early)
  kDiverged,     // this run, stopped as diverged: a result, not trained again
  kMismatch,     // a run of other settings
  kOldSchema,    // written by an older helmholtz: its settings cannot be checked
};
std::string to_string(FolderState state);

struct FolderStatus {
  FolderState state = FolderState::kFresh;
  int epochs_completed = 0;
  bool finished = false;                // the summary says the run finished (maybe short)
  int diverged_epoch = 0;               // kDiverged: the epoch whose loss was not finite
  std::vector<Difference> differences;  // kMismatch: each setting that differs
  std::string detail;                   // kOldSchema: what was found
  bool damaged = false;  // kOldSchema: a summary of this schema whose identity does not read
};

class RunFolder {
 public:
  explicit RunFolder(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config() const { return dir_ / "config.toml"; }
  std::filesystem::path history() const { return dir_ / "history.csv"; }
  std::filesystem::path summary() const { return dir_ / "summary.json"; }
  std::filesystem::path checkpoint() const { return dir_ / "last.pt"; }
  std::filesystem::path previous_checkpoint() const { return dir_ / "last.pt.prev"; }
  std::filesystem::path best_weights() const { return dir_ / "best.pt"; }
  std::filesystem::path previous_best_weights() const { return dir_ / "best.pt.prev"; }
  std::filesystem::path final_weights() const { return dir_ / "model.pt"; }
  std::filesystem::path log() const { return dir_ / "train.log"; }
  std::filesystem::path lock_file() const { return dir_ / ".lock"; }
  // The best weights on the validation data at other levels (`helmholtz eval`).
  std::filesystem::path cross_eval() const { return dir_ / "cross_eval.csv"; }

  // Where this folder stands for a run of `wanted` identity trained to `epochs` epochs.
  // Reads summary.json only (and whether the checkpoint and final weights exist).
  FolderStatus status(const Identity& wanted, int epochs) const;

  // The one-line refusal for kMismatch and kOldSchema (and kInterrupted without --resume, and
  // kDiverged), saying what differs and what to do.
  std::string refusal(const FolderStatus& status, int epochs) const;

  // The summary, checked: nullopt when there is none; throws core::DataError naming the file
  // when it is damaged, and when its schema is not kSummarySchema (saying which it is).
  std::optional<Summary> read_summary() const;

  // The per-sample predictions of the kept weights on the test split at a test level (its
  // folder name: "quality_5", "webp_quality_50", "raw"): predictions/<level>.csv
  // (run/predictions.hpp). `train` writes its own level's, `eval` one per level it tests.
  std::filesystem::path predictions(const std::string& level_folder) const {
    return dir_ / "predictions" / (level_folder + ".csv");
  }

  // Holds the folder for one process: creates it (and missing parents), takes the lock, and
  // removes the temporary files a killed process left (`*.tmp`). Unless
  // keep() is called, removes what it created again when it holds nothing but the lock file.
  class Claim {
   public:
    explicit Claim(const RunFolder& folder);
    ~Claim();
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    void keep() { keep_ = true; }

   private:
    std::filesystem::path dir_;
    std::filesystem::path top_;  // the outermost folder created here (empty: it existed)
    std::unique_ptr<core::FileLock> lock_;
    bool keep_ = false;
  };

 private:
  std::filesystem::path dir_;
};

}  // namespace helmholtz::run
