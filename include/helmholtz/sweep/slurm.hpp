#pragma once
// A sweep on a Slurm cluster: one sbatch array job, one array task per grid cell. Task i runs
// `helmholtz train --config <cell i> --resume`, so resubmitting the same sweep skips finished
// runs and resumes interrupted ones, exactly as a local sweep does. A task that is preempted,
// requeued (`scontrol requeue`) or warned of its time limit stops cleanly at the next step
// (exit 5) and goes back in the queue, where it resumes by itself.

#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/sweep/grid.hpp"

namespace helmholtz::sweep {

struct SlurmOptions {
  std::string job_name = "helmholtz";
  // 0: CPU tasks (no --gres); above 1, a run trains data-parallel on its task's GPUs, one
  // process each (train --processes N)
  int gpus_per_task = 0;
  int cpus_per_task = 0;  // 0: the cluster's default
  int max_running = 0;    // the array's %K limit; 0: none
  std::string partition, time, account, mem;
  std::vector<std::string> sbatch_args;  // more #SBATCH lines, passed as they are
  // Seconds before the time limit at which Slurm sends the task SIGUSR1 (--signal=B:USR1@N):
  // the run stops cleanly after its current step and the task requeues itself; 0: no warning.
  int warn_seconds = 300;
  bool requeue = true;            // --requeue: a preempted or stopped task goes back in the queue
  std::filesystem::path binary;   // the helmholtz executable on the cluster
  std::filesystem::path workdir;  // where the tasks run (relative paths start here)
};

struct SlurmSweep {
  std::filesystem::path script;      // <sweep_dir>/slurm/sweep.sbatch
  std::filesystem::path cells_file;  // one cell config per line, line i+1 = task i
  std::filesystem::path log_dir;     // %A_%a.out task logs
  std::size_t tasks = 0;
};

// Writes the cell configs, the cell list and the sbatch script under `sweep_dir` (absolute
// paths inside). Only cells that are neither finished nor refused (their folder holds a run of
// other settings) become tasks. Throws core::RunError when a
// file cannot be written.
SlurmSweep write_slurm_sweep(const std::vector<Cell>& cells, const std::filesystem::path& sweep_dir,
                             const SlurmOptions& options);

// The script's text (for tests and --dry-run).
std::string sbatch_script(const SlurmSweep& sweep, const SlurmOptions& options);

// Submits with `sbatch --parsable [--wait]`; returns the job id. Throws core::RunError with
// sbatch's own message when it fails or is not installed.
std::string submit(const SlurmSweep& sweep, bool wait);

}  // namespace helmholtz::sweep
