#include "helmholtz/sweep/local.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <thread>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/core/progress.hpp"
#include "helmholtz/core/stop_signals.hpp"

extern char** environ;

namespace helmholtz::sweep {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Slot {
  int gpu = -1;  // -1: CPU
  pid_t pid = 0;
  std::size_t cell = 0;
  Clock::time_point start;
};

// Starts `binary train --config <config> --resume --no-progress` with stdout and stderr appended
// to `log_file`, CUDA_VISIBLE_DEVICES set for a GPU slot.
pid_t spawn_train(const fs::path& binary, const fs::path& config, const fs::path& log_file,
                  int gpu) {
  {
    std::ofstream header(log_file, std::ios::app);
    const std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    header << "=== " << when << ": helmholtz train --config " << config.string() << " --resume"
           << (gpu >= 0 ? " on GPU " + std::to_string(gpu) : std::string()) << "\n";
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (gpu >= 0 && std::strncmp(*e, "CUDA_VISIBLE_DEVICES=", 21) == 0) continue;
    env_strings.emplace_back(*e);
  }
  if (gpu >= 0) env_strings.push_back("CUDA_VISIBLE_DEVICES=" + std::to_string(gpu));
  std::vector<char*> env;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);

  std::vector<std::string> arg_strings = {binary.string(), "train",    "--config",
                                          config.string(), "--resume", "--no-progress"};
  std::vector<char*> argv;
  for (auto& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw core::RunError("cannot start '" + binary.string() + "': " + std::strerror(rc));
  }
  return pid;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace

std::vector<Outcome> run_local(const std::vector<Cell>& cells, const LocalOptions& options,
                               spdlog::logger& log) {
  std::vector<Outcome> outcomes(cells.size());
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    outcomes[i].id = cells[i].id;
    outcomes[i].run_dir = cells[i].run_dir;
    const run::FolderStatus status = cell_status(cells[i]);
    if (status.state == run::FolderState::kFinished) {
      outcomes[i].status = Outcome::Status::kSkipped;
      outcomes[i].detail = "finished before";
    } else if (status.state == run::FolderState::kDiverged &&
               !should_start(status, !cells[i].spec.runtime.stop_on_divergence)) {
      outcomes[i].status = Outcome::Status::kDiverged;
      outcomes[i].detail =
          "diverged at epoch " + std::to_string(status.diverged_epoch) + " before; not retried";
    } else if (refused(status)) {
      outcomes[i].status = Outcome::Status::kRefused;
      outcomes[i].detail = run::to_string(status.state) + " in the run folder";
    } else {
      queue.push_back(i);
    }
  }
  std::vector<Slot> slots;
  if (options.gpus.empty()) {
    slots.resize(static_cast<std::size_t>(std::max(1, options.jobs)));
  } else {
    for (int gpu : options.gpus) {
      for (int k = 0; k < std::max(1, options.jobs_per_gpu); ++k) slots.push_back(Slot{gpu});
    }
  }
  std::size_t skipped = 0, refused = 0, diverged = 0;
  for (const auto& out : outcomes) {
    skipped += out.status == Outcome::Status::kSkipped ? 1 : 0;
    diverged += out.status == Outcome::Status::kDiverged ? 1 : 0;
    refused += out.status == Outcome::Status::kRefused ? 1 : 0;
  }
  const std::size_t to_run = queue.size();
  log.info("sweep: {} runs, {} finished before, {}{}{} to run on {} slot(s)", cells.size(),
           skipped, diverged > 0 ? std::to_string(diverged) + " diverged before, " : std::string(),
           refused > 0 ? std::to_string(refused) + " refused, " : std::string(), to_run,
           slots.size());
  if (to_run == 0) return outcomes;

  const fs::path cells_dir = options.sweep_dir / "cells";
  const fs::path logs_dir = options.sweep_dir / "logs";
  std::error_code ec;
  fs::create_directories(logs_dir, ec);
  if (ec) throw core::RunError("cannot create '" + logs_dir.string() + "': " + ec.message());

  const core::StopSignals signals;
  std::size_t done = 0, failed = 0;
  double done_seconds = 0;
  const auto status_line = [&] {
    std::size_t running = 0;
    for (const auto& s : slots) running += s.pid != 0 ? 1 : 0;
    std::string eta = "unknown";
    if (done > 0) {
      const double mean = done_seconds / static_cast<double>(done);
      const double left = static_cast<double>(queue.size() + running);
      eta = core::format_duration(mean * left / static_cast<double>(slots.size()));
    }
    log.info("sweep: {}/{} done ({} failed), {} running, {} queued; ETA {}", done, to_run, failed,
             running, queue.size(), eta);
  };

  bool stopping = false;
  while (true) {
    // Fill free slots.
    for (auto& slot : slots) {
      if (slot.pid != 0 || queue.empty() || stopping) continue;
      const std::size_t i = queue.front();
      queue.pop_front();
      auto cell = cells[i];
      if (cell.spec.runtime.threads == 0) {
        // Share the cores between the runs at once instead of oversubscribing them.
        cell.spec.runtime.threads =
            std::max(1, core::resolve_threads(0) / static_cast<int>(slots.size()));
      }
      const fs::path config = write_cell_config(cell, cells_dir);
      outcomes[i].log = logs_dir / (cell.id + ".log");
      slot.pid = spawn_train(options.binary, config, outcomes[i].log, slot.gpu);
      slot.cell = i;
      slot.start = Clock::now();
      log.info("sweep: started {} (pid {}{})", cell.id, slot.pid,
               slot.gpu >= 0 ? ", GPU " + std::to_string(slot.gpu) : std::string());
      status_line();
    }
    bool any_running = false;
    for (const auto& slot : slots) any_running = any_running || slot.pid != 0;
    if (!any_running) break;

    if (core::stop_requested() && !stopping) {
      stopping = true;
      log.warn("sweep: {} received; stopping the running runs (rerun the sweep to resume)",
               core::signal_name(core::stop_signal()));
      for (const auto& slot : slots) {
        if (slot.pid != 0) kill(slot.pid, SIGTERM);
      }
    }

    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    for (auto& slot : slots) {
      if (slot.pid != pid) continue;
      auto& out = outcomes[slot.cell];
      out.seconds = std::chrono::duration<double>(Clock::now() - slot.start).count();
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      const bool ok = code == core::kExitOk;
      out.status = ok ? Outcome::Status::kFinished : Outcome::Status::kFailed;
      out.detail = describe_status(status);
      ++done;
      if (ok) {
        done_seconds += out.seconds;
        log.info("sweep: {} finished in {}", out.id, core::format_duration(out.seconds));
      } else if (code == core::kExitDiverged) {
        out.status = Outcome::Status::kDiverged;
        out.detail = "diverged at epoch " +
                     std::to_string(cell_status(cells[slot.cell]).diverged_epoch) +
                     " (NaN or infinite loss); not retried";
        log.warn("sweep: {} {}", out.id, out.detail);
      } else if (code == core::kExitInterrupted) {
        out.status = Outcome::Status::kInterrupted;
        out.detail = "interrupted; rerun the sweep to resume it";
        log.warn("sweep: {} interrupted", out.id);
      } else {
        ++failed;
        log.warn("sweep: {} failed ({}); see {}", out.id, out.detail, out.log.string());
      }
      slot.pid = 0;
      status_line();
    }
  }
  for (auto i : queue) {
    outcomes[i].status = Outcome::Status::kInterrupted;
    outcomes[i].detail = "not started (sweep stopped); rerun the sweep to run it";
  }
  return outcomes;
}

bool should_start(const run::FolderStatus& status, bool retrain_diverged) {
  if (status.state == run::FolderState::kDiverged) return retrain_diverged;
  return status.state != run::FolderState::kFinished && !refused(status);
}

std::string outcome_table(const std::vector<Outcome>& outcomes) {
  std::size_t width = 4;
  for (const auto& o : outcomes) width = std::max(width, o.id.size());
  std::string out;
  char line[1024];
  std::snprintf(line, sizeof line, "%-*s  %-8s  %10s  %s\n", static_cast<int>(width), "run",
                "status", "time", "detail");
  out += line;
  std::size_t counts[6] = {0, 0, 0, 0, 0, 0};
  for (const auto& o : outcomes) {
    const char* status = o.status == Outcome::Status::kFinished      ? "finished"
                         : o.status == Outcome::Status::kSkipped     ? "skipped"
                         : o.status == Outcome::Status::kRefused     ? "refused"
                         : o.status == Outcome::Status::kDiverged    ? "diverged"
                         : o.status == Outcome::Status::kInterrupted ? "stopped"
                                                                     : "FAILED";
    ++counts[static_cast<int>(o.status)];
    std::string detail = o.detail;
    if (o.status == Outcome::Status::kFailed && !o.log.empty()) {
      detail += "; read " + o.log.string();
    }
    std::snprintf(line, sizeof line, "%-*s  %-8s  %10s  %s\n", static_cast<int>(width),
                  o.id.c_str(), status,
                  o.seconds > 0 ? core::format_duration(o.seconds).c_str() : "-", detail.c_str());
    out += line;
  }
  std::string tail;
  if (counts[4] > 0) {
    tail += ", " + std::to_string(counts[4]) +
            " diverged (a result: not retried; the report lists them apart)";
  }
  if (counts[5] > 0) tail += ", " + std::to_string(counts[5]) + " stopped (rerun to resume)";
  if (counts[3] > 0) {
    tail += ", " + std::to_string(counts[3]) + " refused (other settings in the run folder)";
  }
  std::snprintf(line, sizeof line, "%zu finished, %zu failed, %zu skipped (finished before)%s\n",
                counts[0], counts[1], counts[2], tail.c_str());
  out += line;
  return out;
}

}  // namespace helmholtz::sweep
