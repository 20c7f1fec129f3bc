// helmholtz sweep: every level x setting x seed of a study, each a `helmholtz train` run, on this
// machine's GPUs or CPU (resumable, one lock per run folder) or as one Slurm array job.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/sweep/grid.hpp"
#include "helmholtz/sweep/local.hpp"
#include "helmholtz/sweep/slurm.hpp"
#include "helmholtz/train/cross_eval.hpp"

namespace helmholtz::commands {
namespace {

struct Options {
  std::shared_ptr<run::RunSpec> spec = std::make_shared<run::RunSpec>();
  std::string config_file;
  std::vector<std::string> qualities, bitrates;  // each "LIST" or "CODEC=LIST"
  std::string codecs;
  std::string settings = "0-5";
  std::string seeds = "0";
  std::string gpus;
  int jobs_per_gpu = 1;
  int jobs = 1;
  std::filesystem::path sweep_dir;
  bool dry_run = false;
  bool slurm = false;
  bool submit = false;
  bool wait = false;
  bool cross_eval = false;
  sweep::SlurmOptions slurm_options;
};

// Every finished cell's best weights at every level of the grid (cross_eval.csv in each run
// folder); levels evaluated before for the same weights are skipped, so a rerun only adds.
// One evaluation at a time, on the cores the sweep's jobs had (--jobs x --threads; all when
// --threads is 0).
void cross_evaluate_cells(const std::vector<sweep::Cell>& cells,
                          const std::vector<data::Level>& levels, const run::RunSpec& base,
                          int jobs, spdlog::logger& log) {
  std::size_t evaluated = 0, skipped = 0, unfinished = 0;
  for (const auto& c : cells) {
    if (sweep::cell_status(c).state != run::FolderState::kFinished) {
      ++unfinished;
      continue;
    }
    train::CrossEvalRequest r;
    r.run_dir = c.run_dir;
    r.levels = levels;
    r.device = base.runtime.device;
    r.threads = base.runtime.threads > 0 ? base.runtime.threads * jobs : 0;
    r.skip_done = true;
    const auto result = train::cross_evaluate(r, log);
    evaluated += result.entries.size();
    skipped += static_cast<std::size_t>(result.skipped);
  }
  log.info("sweep --cross-eval: {} evaluation(s) done, {} there before{}", evaluated, skipped,
           unfinished > 0 ? fmt::format("; {} unfinished run(s) left out", unfinished) : "");
}

std::filesystem::path self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw core::RunError("cannot find the helmholtz executable: " + ec.message());
  return path;
}

void run_sweep(const CLI::App& cmd, Options& o) {
  run::RunSpec& base = *o.spec;
  const bool audio = base.data.audio();
  if (audio && !o.qualities.empty()) {
    throw core::UsageError("--qualities does not apply to --dataset " + base.data.dataset +
                           " (use --bitrates)");
  }
  if (!audio && !o.bitrates.empty()) {
    throw core::UsageError("--bitrates does not apply to --dataset " + base.data.dataset +
                           " (use --qualities)");
  }
  const auto codecs =
      sweep::parse_codecs(o.codecs.empty() ? (audio ? "mp3" : "jpeg") : o.codecs, audio);
  const auto levels = sweep::sweep_levels(codecs, audio ? o.bitrates : o.qualities,
                                          audio ? "--bitrates" : "--qualities");
  std::string level_text;
  for (const auto& level : levels) {
    level_text += (level_text.empty() ? "" : ",") +
                  (level.raw() ? std::string("raw") : level.codec() + ":" + level.to_string());
  }
  // Each cell sets its own level; the base is checked with a JPEG (or MP3) one where the grid
  // has it, so that an option of that codec (--subsampling) is checked against it.
  const auto default_kind = std::find_if(levels.begin(), levels.end(), [](const data::Level& l) {
    return l.codec() == "jpeg" || l.codec() == "mp3";
  });
  base.data.level = default_kind != levels.end() ? *default_kind : levels.front();
  run::finalize(base, given_fields(cmd));
  // One network, named by --model or read by --architecture: the grid is levels x seeds.
  const bool own_architecture =
      !base.recipe.architecture_file.empty() || !base.recipe.model.empty();
  if (own_architecture && given(cmd, "settings")) {
    throw core::UsageError(std::string("--settings and ") +
                           (base.recipe.model.empty() ? "--architecture" : "--model") +
                           " both given: a sweep of one network varies levels and seeds only");
  }
  std::vector<std::int64_t> settings;
  if (!own_architecture) {
    settings = sweep::parse_numbers(o.settings, "--settings");
    for (auto s : settings) {
      if (s > 5) throw core::UsageError("--settings: " + std::to_string(s) + " is not 0..5");
    }
  }
  const auto seeds = sweep::parse_numbers(o.seeds, "--seeds");
  const auto cells = sweep::expand_grid(base, levels, settings, seeds);
  // A sweep of the reference protocol keeps its cell files and Slurm task list apart from the
  // corrected sweep of the same dataset.
  const std::string study =
      base.data.dataset +
      (base.recipe.protocol == run::Protocol::kReference ? std::string("-reference") : "");
  const auto sweep_dir =
      o.sweep_dir.empty() ? base.runtime.log_root / "sweeps" / study : o.sweep_dir;
  auto log = core::console_logger();
  log->info("sweep of {} runs: {} {} x {} x seeds {}", cells.size(),
            audio ? "bitrates" : "qualities", level_text,
            own_architecture ? base.recipe.architecture.name : "settings " + o.settings, o.seeds);

  // Every cell's folder is read up front: finished ones are skipped, interrupted ones resume,
  // and folders that hold a run of other settings are refused (listed here, never started:
  // run_local and the Slurm script leave them out) while the rest train.
  std::vector<std::pair<sweep::Cell, run::FolderStatus>> refused;
  for (const auto& c : cells) {
    const auto status = sweep::cell_status(c);
    if (o.dry_run) {
      std::printf("%-40s %-14s %s\n", c.id.c_str(), run::to_string(status.state).c_str(),
                  c.run_dir.string().c_str());
    }
    if (sweep::refused(status)) refused.emplace_back(c, status);
  }
  if (o.dry_run) return;
  std::string refused_list;
  for (const auto& [c, status] : refused) {
    log->warn("sweep: refused {}: {}", c.id,
              run::RunFolder(c.run_dir).refusal(status, c.spec.recipe.epochs));
    refused_list += (refused_list.empty() ? "" : ", ") + c.id;
  }
  const auto refused_error = [&] {
    return core::UsageError(std::to_string(refused.size()) +
                            " runs refused, their folders hold runs of other "
                            "settings (listed above: " +
                            refused_list +
                            "); sweep into another --log-root, or "
                            "repeat those folders' settings");
  };

  if (o.slurm) {
    auto so = o.slurm_options;
    so.binary = self_executable();
    so.workdir = std::filesystem::current_path();
    if (so.job_name == "helmholtz") so.job_name = "helmholtz-" + study;
    const auto job = sweep::write_slurm_sweep(cells, sweep_dir, so);
    std::printf(
        "wrote %s: %zu array tasks (%zu runs finished before%s)\n", job.script.c_str(), job.tasks,
        cells.size() - job.tasks - refused.size(),
        refused.empty() ? "" : (", " + std::to_string(refused.size()) + " refused").c_str());
    if (job.tasks == 0 || !o.submit) {
      if (job.tasks > 0) std::printf("submit it with: sbatch %s\n", job.script.c_str());
      if (!refused.empty()) throw refused_error();
      return;
    }
    const auto id = sweep::submit(job, o.wait);
    std::printf("submitted Slurm job %s%s; task logs in %s\n", id.c_str(),
                o.wait ? " (finished)" : "", job.log_dir.c_str());
    if (o.cross_eval) cross_evaluate_cells(cells, levels, base, 1, *log);
    if (!refused.empty()) throw refused_error();
    return;
  }

  sweep::LocalOptions lo;
  if (!o.gpus.empty()) {
    for (auto g : sweep::parse_numbers(o.gpus, "--gpus")) lo.gpus.push_back(static_cast<int>(g));
  }
  lo.jobs_per_gpu = o.jobs_per_gpu;
  lo.jobs = o.jobs;
  lo.binary = self_executable();
  lo.sweep_dir = sweep_dir;
  const auto outcomes = sweep::run_local(cells, lo, *log);
  std::printf("\n%s", sweep::outcome_table(outcomes).c_str());
  if (o.cross_eval) {
    cross_evaluate_cells(cells, levels, base, o.gpus.empty() ? o.jobs : 1, *log);
  }
  std::size_t failed = 0, stopped = 0;
  for (const auto& out : outcomes) {
    failed += out.status == sweep::Outcome::Status::kFailed ? 1 : 0;
    stopped += out.status == sweep::Outcome::Status::kInterrupted ? 1 : 0;
  }
  if (failed > 0) {
    throw core::RunError(std::to_string(failed) + " of " + std::to_string(outcomes.size()) +
                         " runs failed (logs above); rerun the same sweep to retry them: "
                         "finished runs are skipped, interrupted ones resume");
  }
  if (!refused.empty()) throw refused_error();
  if (stopped > 0) {
    throw core::RunStopped("sweep stopped: " + std::to_string(stopped) + " of " +
                               std::to_string(outcomes.size()) +
                               " runs interrupted or not started; rerun the same sweep to resume",
                           core::kExitInterrupted);
  }
}

}  // namespace

void register_sweep(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "sweep",
      "Train every quality (or bitrate) x setting x seed of a study: on this machine's GPUs or "
      "CPU, or as one Slurm array job. Rerunning skips finished runs and resumes interrupted ones");
  auto& o = *options;
  cmd->add_option("--config", o.config_file,
                  "Read train options from a TOML file (e.g. configs/cifar10.toml)");
  // Every run setting but the swept ones, which are lists here (one run folder per cell).
  add_spec_options(*cmd, o.spec, [](const run::Field& f) {
    const std::string key = f.key;
    return key != "quality" && key != "bitrate" && key != "codec" && key != "setting" &&
           key != "seed" && key != "log-dir";
  });
  cmd->add_option("--codecs", o.codecs,
                  "Codecs to sweep, e.g. jpeg,webp,avif (images: jpeg, webp, avif, jxl, j2k; "
                  "audio: mp3, opus, vorbis; default: jpeg or mp3)");
  cmd->add_option("--qualities", o.qualities,
                  "Levels of every swept image codec, e.g. 1,5,10,raw, and CODEC=LIST for one "
                  "codec's own, e.g. --qualities j2k=20,30,40 (repeatable; default: JPEG the "
                  "reference's 1,5,10,15,20,25,50,75,100, the others the README's grid)");
  cmd->add_option("--bitrates", o.bitrates,
                  "Audio: bitrates in kbit/s of every swept codec, e.g. 8,32,128,raw, and "
                  "CODEC=LIST for one codec's own (repeatable; default: MP3 "
                  "8,16,32,64,96,128,160, the others the README's grid)");
  cmd->add_option("--settings", o.settings, "Architectures, e.g. 0-5 or 0,2")
      ->capture_default_str();
  cmd->add_option("--seeds", o.seeds, "Seeds, e.g. 0-2 (seed s > 0 runs go to .../seed_<s>)")
      ->capture_default_str();
  cmd->add_option("--gpus", o.gpus,
                  "GPUs to use, e.g. 0,1 or 0-7: each run a child process with "
                  "CUDA_VISIBLE_DEVICES set (default: CPU jobs)");
  cmd->add_option("--jobs-per-gpu", o.jobs_per_gpu, "Runs at once on each GPU")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--jobs", o.jobs, "Runs at once without --gpus (CPU); cores are shared")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option(
      "--sweep-dir", o.sweep_dir,
      "Cell configs and child logs (default: <log-root>/sweeps/<dataset>, with -reference "
      "under --protocol reference)");
  cmd->add_flag("--dry-run", o.dry_run, "List the runs and their state; start nothing");
  cmd->add_flag("--cross-eval", o.cross_eval,
                "Then evaluate every finished run's best weights at every level of the grid "
                "(cross_eval.csv per run; `helmholtz report` draws the train x test matrix). "
                "Runs here, on --device; with --slurm it needs --submit --wait");
  cmd->add_flag("--slurm", o.slurm, "Write an sbatch array script, one task per run");
  cmd->add_flag("--submit", o.submit, "With --slurm: submit it with sbatch");
  cmd->add_flag("--wait", o.wait, "With --submit: wait until every task has ended");
  auto& so = o.slurm_options;
  cmd->add_option("--job-name", so.job_name,
                  "Slurm job name (default: helmholtz-<dataset>[-reference])");
  cmd->add_option("--gpus-per-task", so.gpus_per_task, "Slurm: GPUs per run (--gres=gpu:N)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--cpus-per-task", so.cpus_per_task, "Slurm: CPUs per run")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-running", so.max_running, "Slurm: runs at once (the array's %K)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--partition", so.partition, "Slurm partition");
  cmd->add_option("--time", so.time, "Slurm time limit per run, e.g. 04:00:00");
  cmd->add_option("--account", so.account, "Slurm account");
  cmd->add_option("--mem", so.mem, "Slurm memory per run, e.g. 16G");
  cmd->add_option("--slurm-warn", so.warn_seconds,
                  "Slurm: seconds before the time limit at which a run is told (SIGUSR1) to stop "
                  "cleanly and requeue itself to resume (0: no warning)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("!--no-requeue", so.requeue,
                "Slurm: leave a preempted or stopped task out of the queue (default: requeue it)");
  cmd->add_option("--sbatch-arg", so.sbatch_args,
                  "More sbatch options, each written as an #SBATCH line (repeatable)");
  cmd->callback([cmd, options] {
    if (!options->config_file.empty()) apply_config_file(*cmd, options->config_file);
    if ((options->submit || options->wait) && !options->slurm) {
      throw core::UsageError("--submit and --wait go with --slurm");
    }
    if (options->cross_eval && options->slurm && !options->wait) {
      throw core::UsageError(
          "--cross-eval with --slurm needs --submit --wait (the evaluation runs here once the "
          "array job has ended), or run the same sweep with --cross-eval and without --slurm "
          "after it has ended: finished runs are skipped");
    }
    options->spec->runtime.progress = false;
    run_sweep(*cmd, *options);
  });
}

}  // namespace helmholtz::commands
