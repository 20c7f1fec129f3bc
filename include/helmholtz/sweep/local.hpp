#pragma once
// Runs a sweep's cells on this machine: each cell a child `helmholtz train --config <cell>
// --resume` process, as many at once as there are slots (GPUs x jobs per GPU, or CPU jobs).
// Finished cells are skipped, interrupted ones resume, cells whose folder holds a run of other
// settings are refused (never started); one failing run does not stop the others.

#include "helmholtz/core/spdlog.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/sweep/grid.hpp"

namespace helmholtz::sweep {

struct LocalOptions {
  std::vector<int> gpus;  // empty: CPU jobs
  int jobs_per_gpu = 1;
  int jobs = 1;                     // CPU: runs at once
  std::filesystem::path binary;     // the helmholtz executable the children run
  std::filesystem::path sweep_dir;  // cells/<id>.toml and logs/<id>.log go here
};

struct Outcome {
  // kRefused: the run folder holds a run of other settings (or an older schema); not started.
  // kDiverged: the run diverged (now or before): a result, never retried.
  // kInterrupted: a signal stopped the run (the sweep's or its own); rerunning resumes it.
  enum class Status { kFinished, kFailed, kSkipped, kRefused, kDiverged, kInterrupted };
  std::string id;
  Status status = Status::kFailed;
  std::filesystem::path run_dir;
  std::filesystem::path log;  // the child's console output
  std::string detail;         // "exit 2", "killed by signal 9", "finished before", ...
  double seconds = 0;
};

// Runs every cell; returns one outcome per cell, in grid order. Status lines (done / running /
// queued, ETA) go to `log` as cells start and end. A cell whose folder holds this run diverged
// is not started again (unless its spec says --on-divergence continue). SIGINT, SIGTERM or
// SIGUSR1 stop the children cleanly (each keeps its last epoch) and return what is known.
std::vector<Outcome> run_local(const std::vector<Cell>& cells, const LocalOptions& options,
                               spdlog::logger& log);

// Whether the sweep should start the cell in this folder state: neither finished, refused nor
// diverged (a diverged one only when `retrain_diverged`, i.e. --on-divergence continue).
bool should_start(const run::FolderStatus& status, bool retrain_diverged);

// A plain-text table of the outcomes, failed runs with the log file to read.
std::string outcome_table(const std::vector<Outcome>& outcomes);

}  // namespace helmholtz::sweep
