// helmholtz train: one run, one (dataset, quality or bitrate, setting or architecture file).

#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/train/run.hpp"

namespace helmholtz::commands {

void register_train(CLI::App& app) {
  auto spec = std::make_shared<run::RunSpec>();
  spec->data.level = run::default_quality();  // images; audio must give --bitrate
  auto resume = std::make_shared<bool>(false);
  auto no_progress = std::make_shared<bool>(false);
  auto config_file = std::make_shared<std::string>();
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
  cmd->callback([cmd, spec, resume, no_progress, config_file] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    run::finalize(*spec, given_fields(*cmd));
    spec->runtime.progress = !*no_progress;
    train::run_training(*spec, *resume);
  });
}

}  // namespace helmholtz::commands
