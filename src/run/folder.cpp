#include "helmholtz/run/folder.hpp"

#include <algorithm>
#include <fstream>

#include "helmholtz/core/error.hpp"

namespace helmholtz::run {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kWhatToDo = "train into another folder with --log-dir or --log-root";

}  // namespace

fs::path run_directory(const RunSpec& s) {
  if (!s.runtime.log_dir.empty()) return s.runtime.log_dir;
  fs::path dir = s.runtime.log_root / s.data.label() /
                 model_label(s.recipe.architecture.name, s.recipe.protocol, s.data.storage_budget) /
                 s.data.codec_level().folder_name();
  if (s.recipe.seed != 0) dir /= "seed_" + std::to_string(s.recipe.seed);
  return dir;
}

std::string to_string(FolderState state) {
  switch (state) {
    case FolderState::kFresh:
      return "to run";
    case FolderState::kInterrupted:
      return "interrupted";
    case FolderState::kFinished:
      return "finished";
    case FolderState::kDiverged:
      return "diverged";
    case FolderState::kMismatch:
      return "other settings";
    case FolderState::kOldSchema:
      return "older schema";
  }
  return "?";
}

namespace {

// The summary's JSON: nullopt when there is none; throws core::DataError naming the file when
// it is damaged. Its schema is not checked here.
std::optional<json> parse_summary(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  std::ifstream in(file);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw core::DataError("'" + file.string() + "' is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw core::DataError("'" + file.string() + "' is not a JSON object");
  return j;
}

}  // namespace

std::optional<Summary> RunFolder::read_summary() const {
  const auto j = parse_summary(summary());
  if (!j) return std::nullopt;
  return summary_from_json(*j, summary());
}

FolderStatus RunFolder::status(const Identity& wanted, int epochs) const {
  FolderStatus s;
  std::error_code ec;
  // Between the two renames of a checkpoint save only the previous generation exists.
  const bool has_checkpoint = fs::exists(checkpoint(), ec) || fs::exists(previous_checkpoint(), ec);
  std::optional<json> j;
  try {
    j = parse_summary(summary());
  } catch (const core::DataError&) {
    // A damaged summary is rewritten from the checkpoint, whose identity is checked on load.
    s.state = has_checkpoint ? FolderState::kInterrupted : FolderState::kFresh;
    return s;
  }
  if (!j) {
    s.state = has_checkpoint ? FolderState::kInterrupted : FolderState::kFresh;
    return s;
  }
  s.detail = schema_problem(*j, summary());
  if (!s.detail.empty()) {
    s.state = FolderState::kOldSchema;
    return s;
  }
  Summary summary_read;
  try {
    summary_read = summary_from_json(*j, summary());
  } catch (const core::DataError& e) {
    // A field damaged: the identity still decides whose run the folder holds. Without one that
    // reads, nothing can be checked and the folder is refused; of this run, the summary is
    // rewritten from the checkpoint, whose identity is checked again on load.
    try {
      s.differences = compare(identity_from_json(j->value("identity", json())), wanted);
    } catch (const core::DataError&) {
      s.state = FolderState::kOldSchema;
      s.detail = e.what();
      s.damaged = true;
      return s;
    }
    s.state = !s.differences.empty() ? FolderState::kMismatch
              : has_checkpoint       ? FolderState::kInterrupted
                                     : FolderState::kFresh;
    return s;
  }
  s.differences = compare(summary_read.identity, wanted);
  if (!s.differences.empty()) {
    s.state = FolderState::kMismatch;
    return s;
  }
  s.epochs_completed = summary_read.epochs_completed;
  s.finished = summary_read.finished;
  if (summary_read.status == RunStatus::kDiverged) {
    s.diverged_epoch = summary_read.diverged_epoch.value_or(0);
    s.state = FolderState::kDiverged;
    return s;
  }
  // A run ended by --patience is finished at fewer epochs than asked.
  const bool enough = s.epochs_completed >= epochs || summary_read.stopped_early;
  if (s.finished && enough && fs::exists(final_weights(), ec)) {
    s.state = FolderState::kFinished;
  } else {
    s.state = has_checkpoint ? FolderState::kInterrupted : FolderState::kFresh;
  }
  return s;
}
std::string RunFolder::refusal(const FolderStatus& s, int epochs) const {
  const std::string where = "run folder '" + dir_.string() + "'";
  switch (s.state) {
    case FolderState::kMismatch: {
      const bool library =
          std::any_of(s.differences.begin(), s.differences.end(),
                      [](const Difference& d) { return d.key == "codec-version"; });
      if (library && s.differences.size() == 1) {
        // Not an option anyone can repeat: the codec's library changed under the run.
        return where + " holds a run coded through another version of its codec's library (" +
               describe(s.differences) +
               "): another library may give other bytes, so this "
               "build does not add to it or count it as this run; nothing was changed there: " +
               kWhatToDo + ", or run the build that has that library";
      }
      return where + " holds a run of other settings: this folder holds " +
             describe(s.differences) + "; nothing was changed there: " + kWhatToDo +
             ", or repeat its settings (helmholtz train --config " + config().string() + ")";
    }
    case FolderState::kOldSchema:
      if (s.damaged) {
        return where + " holds a damaged summary whose settings cannot be read (" + s.detail +
               "): nothing was changed there; " + kWhatToDo + ", or remove that folder";
      }
      return where + " was written by an older helmholtz (" + s.detail +
             "): its settings cannot be checked against this run; " + kWhatToDo +
             ", or remove that folder";
    case FolderState::kInterrupted:
      if (s.finished) {
        return where + " holds this run, finished after " + std::to_string(s.epochs_completed) +
               " epochs; add --resume to train it on to " + std::to_string(epochs) + ", or " +
               kWhatToDo;
      }
      return where + " holds an interrupted run (" + std::to_string(s.epochs_completed) + " of " +
             std::to_string(epochs) + " epochs); add --resume to continue it, or " + kWhatToDo;
    case FolderState::kDiverged:
      return where + " holds this run, diverged at epoch " + std::to_string(s.diverged_epoch) +
             " (a NaN or infinite training loss); nothing to train. To train on through it as "
             "the reference did: --resume --on-divergence continue; or " +
             kWhatToDo;
    default:
      return where + " is " + to_string(s.state);
  }
}

RunFolder::Claim::Claim(const RunFolder& folder) : dir_(folder.dir()) {
  std::error_code ec;
  for (fs::path p = dir_; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) top_ = p;
  fs::create_directories(dir_, ec);
  if (ec) {
    throw core::RunError("cannot create run folder '" + dir_.string() + "': " + ec.message() +
                         " (choose another with --log-root or --log-dir)");
  }
  // Another process holding the lock throws here: the folder is then its, not ours to remove.
  lock_ =
      std::make_unique<core::FileLock>(folder.lock_file(), "run folder '" + dir_.string() + "'");
  // A process killed in the middle of an atomic write leaves its temporary file; with the lock
  // held no one else is writing one, so what is there is stale.
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() == ".tmp" && e.is_regular_file(ec)) fs::remove(e.path(), ec);
  }
}

RunFolder::Claim::~Claim() {
  lock_.reset();
  if (keep_ || top_.empty()) return;
  std::error_code ec;
  fs::remove(dir_ / ".lock", ec);
  for (fs::path p = dir_; !p.empty(); p = p.parent_path()) {
    if (!fs::remove(p, ec) || p == top_) break;  // stops at a folder that is not empty
  }
}

}  // namespace helmholtz::run
