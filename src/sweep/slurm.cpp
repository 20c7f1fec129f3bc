#include "helmholtz/sweep/slurm.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/sweep/local.hpp"

namespace helmholtz::sweep {
namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string sbatch_script(const SlurmSweep& sweep, const SlurmOptions& o) {
  // Several GPUs per run: one process per GPU on the task's node (train --processes), each
  // with its share of the task's CPUs.
  const int n = o.gpus_per_task;
  const std::string launch = n > 1 ? " --processes " + std::to_string(n) +
                                         " --threads \"$(( ${SLURM_CPUS_PER_TASK:-0} / " +
                                         std::to_string(n) + " ))\""
                                   : " --threads \"${SLURM_CPUS_PER_TASK:-0}\"";
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# helmholtz sweep: one array task per run; task i trains line i+1 of the cell list.\n"
    << "# Resubmit this script to resume: finished runs are skipped, interrupted ones resume.\n"
    << "#SBATCH --job-name=" << o.job_name << "\n"
    << "#SBATCH --array=0-" << (sweep.tasks == 0 ? 0 : sweep.tasks - 1);
  if (o.max_running > 0) s << "%" << o.max_running;
  s << "\n"
    << "#SBATCH --output=" << (sweep.log_dir / "%A_%a.out").string() << "\n"
    << "#SBATCH --chdir=" << o.workdir.string() << "\n";
  if (o.gpus_per_task > 0) s << "#SBATCH --gres=gpu:" << o.gpus_per_task << "\n";
  if (o.cpus_per_task > 0) s << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n";
  if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
  if (!o.time.empty()) s << "#SBATCH --time=" << o.time << "\n";
  if (!o.account.empty()) s << "#SBATCH --account=" << o.account << "\n";
  if (!o.mem.empty()) s << "#SBATCH --mem=" << o.mem << "\n";
  if (o.warn_seconds > 0) s << "#SBATCH --signal=B:USR1@" << o.warn_seconds << "\n";
  if (o.requeue) s << "#SBATCH --requeue\n";
  s << "#SBATCH --open-mode=append\n";  // a requeued task adds to its log
  for (const auto& a : o.sbatch_args) s << "#SBATCH " << a << "\n";
  s << "set -uo pipefail\n"
    << "config=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " << quote(sweep.cells_file.string())
    << ")\n"
    << "[[ -n \"$config\" ]] || { echo \"no cell for task $SLURM_ARRAY_TASK_ID\" >&2; exit 2; }\n"
    << "echo \"task $SLURM_ARRAY_TASK_ID on $(hostname) (restart ${SLURM_RESTART_COUNT:-0}): "
       "$config\"\n"
    // The run is a child so that this shell can pass it Slurm's signals: the time-limit
    // warning (sent to this shell alone) and the SIGTERM of preemption, `scontrol requeue` or
    // `scancel`. After the warning the task requeues itself; after a SIGTERM Slurm decides
    // (a preempted or requeued task comes back by itself, a cancelled one does not).
    << quote(o.binary.string()) << " train --config \"$config\" --resume --no-progress" << launch
    << " &\n"
    << "run=$!\n"
    << "warned=0\n"
    << "trap 'warned=1; kill -USR1 \"$run\" 2>/dev/null' USR1\n"
    << "trap 'kill -TERM \"$run\" 2>/dev/null' TERM\n"
    << "code=0\n"
    << "while kill -0 \"$run\" 2>/dev/null; do wait \"$run\"; code=$?; done\n"
    << "wait \"$run\" 2>/dev/null; last=$?; ((last == 127)) || code=$last\n"
    << "if ((code == " << core::kExitInterrupted << " && warned)); then\n"
    << "  echo \"task $SLURM_ARRAY_TASK_ID stopped before its time limit; requeueing it to "
       "resume\"\n"
    // The requeue ends this task from outside: until it does, the task must not end by
    // itself, or Slurm records it as ended and does not requeue it.
    << "  if scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"; then\n"
    << "    sleep 300 & wait $!\n"
    << "  else\n"
    << "    echo \"could not requeue; submit the sweep again to resume\" >&2\n"
    << "  fi\n"
    << "fi\n"
    << "exit \"$code\"\n";
  return s.str();
}

SlurmSweep write_slurm_sweep(const std::vector<Cell>& cells, const fs::path& sweep_dir,
                             const SlurmOptions& options) {
  const fs::path dir = fs::absolute(sweep_dir);
  SlurmSweep sweep;
  sweep.script = dir / "slurm" / "sweep.sbatch";
  sweep.cells_file = dir / "slurm" / "cells.txt";
  sweep.log_dir = dir / "slurm" / "logs";
  std::error_code ec;
  fs::create_directories(sweep.log_dir, ec);
  if (ec) throw core::RunError("cannot create '" + sweep.log_dir.string() + "': " + ec.message());
  std::string list;
  for (const auto& cell : cells) {
    if (!should_start(cell_status(cell), !cell.spec.runtime.stop_on_divergence)) continue;
    list += fs::absolute(write_cell_config(cell, dir / "cells")).string() + "\n";
    ++sweep.tasks;
  }
  core::write_file_atomic(sweep.cells_file, list);
  core::write_file_atomic(sweep.script, sbatch_script(sweep, options));
  fs::permissions(sweep.script, fs::perms::owner_exec | fs::perms::group_exec,
                  fs::perm_options::add, ec);
  return sweep;
}

std::string submit(const SlurmSweep& sweep, bool wait) {
  const std::string command = std::string("sbatch --parsable") + (wait ? " --wait" : "") + " " +
                              quote(sweep.script.string()) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw core::RunError("cannot run sbatch");
  std::string output;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127) {
    throw core::RunError("sbatch not found: run on a Slurm login node, or install slurm-client");
  }
  // With --wait, sbatch exits with the job's highest exit code; the job id is still printed.
  const std::string first_line = output.substr(0, output.find('\n'));
  const std::string id = first_line.substr(0, first_line.find(';'));
  const bool numeric = !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
  if (!numeric) throw core::RunError("sbatch refused " + sweep.script.string() + ": " + output);
  if (code != 0) {
    throw core::RunError("Slurm job " + id + " ended with failed tasks (sbatch exit " +
                         std::to_string(code) + "); see the logs in " + sweep.log_dir.string() +
                         " and rerun the sweep to resume");
  }
  return id;
}

}  // namespace helmholtz::sweep
