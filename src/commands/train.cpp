// helmholtz train: one run, one (dataset, quality, setting).

#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/train/run.hpp"

namespace helmholtz::commands {

void register_train(CLI::App& app) {
  auto options = std::make_shared<train::TrainOptions>();
  auto no_progress = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "train", "Compress a dataset at a JPEG quality and train one of the six networks on it");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config", *config_file,
                  "Read options from a TOML file (keys are the long option names, e.g. "
                  "configs/cifar10.toml or a run folder's config.toml); command-line options win");
  auto& o = *options;
  add_image_data_options(*cmd, o.dataset, o.data_dir, o.quality);
  cmd->add_option("--subsampling", o.subsampling, "Chroma subsampling of colour images")
      ->check(CLI::IsMember({"420", "444"}))
      ->capture_default_str();
  cmd->add_option("-s,--setting", o.setting, "Architecture 0..5 (see `helmholtz models`)")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Epochs to train")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "Training batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--lr", o.lr, "SGD learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--momentum", o.momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_flag("--nesterov,!--no-nesterov", o.nesterov, "Nesterov momentum (default on)");
  cmd->add_option("--decay", o.decay, "Keras time-based decay: lr / (1 + decay * step)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--shift", o.shift, "Augmentation: max random shift, fraction of width/height")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_flag("--flip,!--no-flip", o.flip, "Augmentation: random horizontal flip (default on)");
  cmd->add_option("--train-size", o.train_size, "Use the first N training images (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--val-size", o.val_size, "Use the first N test images for validation (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--eval-batch-size", o.eval_batch_size, "Batch size for validation")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--device", o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed for weights, order, augmentation, dropout")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--channels-last,!--no-channels-last", o.channels_last,
                "NHWC memory layout, faster on oneDNN and cuDNN (default on)");
  cmd->add_option("--log-root", o.log_root, "Run folders go to <log-root>/<model>/quality_<q>")
      ->capture_default_str();
  cmd->add_option("--log-dir", o.log_dir, "Exact run folder (overrides --log-root)");
  cmd->add_flag("--resume", o.resume, "Continue an interrupted run from its last.pt");
  cmd->add_flag("--no-progress", *no_progress, "No live progress bar");
  cmd->callback([cmd, options, no_progress, config_file] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    options->progress = !*no_progress;
    train::run_training(*options);
  });
}

}  // namespace helmholtz::commands
