#pragma once
// Runs a sweep's cells on this machine: each cell a child `helmholtz train --config <cell>
// --resume` process, as many at once as there are slots (GPUs x jobs per GPU, or CPU jobs).
// Finished cells are skipped, interrupted ones resume, cells whose folder holds a run of other
// settings are refused (never started); one failing run does not stop the others.

#include <spdlog/logger.h>

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
  enum class Status { kFinished, kFailed, kSkipped, kRefused };
  std::string id;
  Status status = Status::kFailed;
  std::filesystem::path run_dir;
  std::filesystem::path log;  // the child's console output
  std::string detail;         // "exit 2", "killed by signal 9", "finished before", ...
  double seconds = 0;
};

// Runs every cell; returns one outcome per cell, in grid order. Status lines (done / running /
// queued, ETA) go to `log` as cells start and end. SIGINT or SIGTERM stop the children and
// return what is known.
std::vector<Outcome> run_local(const std::vector<Cell>& cells, const LocalOptions& options,
                               spdlog::logger& log);

// A plain-text table of the outcomes, failed runs with the log file to read.
std::string outcome_table(const std::vector<Outcome>& outcomes);

}  // namespace helmholtz::sweep
