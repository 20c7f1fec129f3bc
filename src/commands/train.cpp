// helmholtz train: one run, one (dataset, quality or bitrate, setting or architecture file).

#include <algorithm>
#include <memory>
#include <thread>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/launcher.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/distributed.hpp"
#include "helmholtz/train/run.hpp"

namespace helmholtz::commands {

void register_train(CLI::App& app) {
  auto spec = std::make_shared<run::RunSpec>();
  spec->data.level = run::default_quality();  // images; audio must give --bitrate
  auto resume = std::make_shared<bool>(false);
  auto no_progress = std::make_shared<bool>(false);
  auto config_file = std::make_shared<std::string>();
  auto processes = std::make_shared<int>(1);
  auto* cmd = app.add_subcommand(
      "train",
      "Compress a dataset at a JPEG quality (images) or an MP3 bitrate (audio) and train one of "
      "the six networks (or your own) on it");
  cmd->add_option("--config", *config_file,
                  "Read options from a TOML file (keys are the long option names, e.g. "
                  "configs/cifar10.toml or a run folder's config.toml); command-line options win");
  add_spec_options(*cmd, spec, train_field);
  cmd->add_flag("--resume", *resume, "Continue an interrupted run from its last.pt");
  cmd->add_flag("--no-progress", *no_progress, "No live progress bar");
  cmd->add_option("--processes", *processes,
                  "Train this one run data-parallel as N processes on this machine (Gloo on the "
                  "CPU, NCCL on GPUs: one GPU each), --threads shared among them; --batch-size "
                  "stays the global batch. Under srun or torchrun leave it out: their variables "
                  "say the rank")
      ->check(CLI::Range(1, 1024));
  cmd->callback([cmd, spec, resume, no_progress, config_file, processes] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    run::finalize(*spec, given_fields(*cmd));
    spec->runtime.progress = !*no_progress;
    train::DistributedConfig config = train::distributed_config_from_environment();
    if (*processes > 1) {
      if (config.distributed()) {
        throw core::UsageError("--processes " + std::to_string(*processes) +
                               ": this process is "
                               "already rank " +
                               std::to_string(config.rank) + " of " +
                               std::to_string(config.world_size) + " (from " + config.source +
                               "); leave --processes out under srun or torchrun");
      }
      const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
      const int threads =
          std::max(1, (spec->runtime.threads > 0 ? spec->runtime.threads : cores) / *processes);
      auto args = core::without_options(core::own_command_line(), {"processes", "threads"});
      args.push_back("--threads");
      args.push_back(std::to_string(threads));
      const int code = core::run_local_ranks(args, *processes);
      if (code != 0) throw core::RunStopped("", code);
      return;
    }
    if (!config.distributed()) {
      train::run_training(*spec, *resume);
      return;
    }
    // One GPU per process: the node's local rank picks it.
    if ((spec->runtime.device == "auto" || spec->runtime.device == "cuda") &&
        torch::cuda::is_available()) {
      spec->runtime.device = "cuda:" + std::to_string(train::gpu_of(config));
    }
    config.backend = train::backend_for(train::resolve_device(spec->runtime.device));
    train::Distributed distributed(config);
    // The other ranks print nothing but warnings: rank 0 speaks for the run.
    if (!distributed.is_main()) spec->runtime.progress = false;
    train::run_training(*spec, *resume, &distributed);
  });
}

}  // namespace helmholtz::commands
