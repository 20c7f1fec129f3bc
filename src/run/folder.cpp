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
  fs::path dir = s.runtime.log_root / s.data.dataset /
                 model_label(s.recipe.architecture.name, s.recipe.protocol, s.data.storage_budget) /
                 s.data.codec_level().folder_name();
  if (s.recipe.seed != 0) dir /= "seed_" + std::to_string(s.recipe.seed);
  return dir;
}

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

// Why `j` is not a summary of this build's schema; empty when it is.
std::string schema_problem(const json& j, const fs::path& file) {
  if (!j.contains("schema")) {
    return "'" + file.string() + "' was written by an older helmholtz (no schema version)";
  }
  if (!j["schema"].is_number_integer() || j["schema"].get<int>() != kSummarySchema) {
    return "'" + file.string() + "' has summary schema " + j["schema"].dump() +
           "; this helmholtz reads schema " + std::to_string(kSummarySchema);
  }
  return {};
}

}  // namespace

std::optional<json> RunFolder::read_summary() const {
  auto j = parse_summary(summary());
  if (j) {
    const std::string problem = schema_problem(*j, summary());
    if (!problem.empty()) throw core::DataError(problem);
  }
  return j;
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
  try {
    s.differences = compare(identity_from_json(j->value("identity", json())), wanted);
  } catch (const core::DataError& e) {
    s.state = FolderState::kOldSchema;
    s.detail = "'" + summary().string() + "': " + e.what();
    return s;
  }
  if (!s.differences.empty()) {
    s.state = FolderState::kMismatch;
    return s;
  }
  const json completed = j->value("epochs_completed", json(0));
  s.epochs_completed = completed.is_number_integer() ? completed.get<int>() : 0;
  const json finished = j->value("finished", json(false));
  s.finished = finished.is_boolean() && finished.get<bool>();
  const json run_status = j->value("status", json());
  if (run_status.is_string() && run_status.get<std::string>() == to_string(RunStatus::kDiverged)) {
    const json epoch = j->value("diverged_epoch", json(0));
    s.diverged_epoch = epoch.is_number_integer() ? epoch.get<int>() : 0;
    s.state = FolderState::kDiverged;
    return s;
  }
  if (s.finished && s.epochs_completed >= epochs && fs::exists(final_weights(), ec)) {
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
