// helmholtz train: one run, one (dataset, quality or bitrate, setting).

#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/train/run.hpp"

namespace helmholtz::commands {

void add_train_options(CLI::App& cmd, train::TrainOptions& o, DataOptions& d) {
  add_data_options(cmd, d);
  cmd.add_option("--eval", o.eval,
                 "Audio: validate on the validation part (the last 25% of the training part, "
                 "as the reference) or on the 20% test part")
      ->check(CLI::IsMember({"validation", "test"}))
      ->capture_default_str();
  cmd.add_option("--split-seed", o.split_seed, "Audio: seed of the per-class 80/20 split")
      ->capture_default_str();
  cmd.add_option("-s,--setting", o.setting, "Architecture 0..5 (see `helmholtz models`)")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();
  cmd.add_option("--epochs", o.epochs, "Epochs to train")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--batch-size", o.batch_size,
                 "Training batch size (default: 128 for images, 50 for audio)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--optimizer", o.optimizer,
                 "sgd (Keras SGD, the image recipe) or adadelta (Keras Adadelta, the audio "
                 "recipe); default by dataset")
      ->check(CLI::IsMember({"sgd", "adadelta"}))
      ->capture_default_str();
  cmd.add_option("--lr", o.lr, "Learning rate (default: 0.01 for images, 1.0 for audio)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd.add_flag("--nesterov,!--no-nesterov", o.nesterov, "Nesterov momentum (default on)");
  cmd.add_option("--decay", o.decay, "Keras time-based decay: lr / (1 + decay * step)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--rho", o.rho, "Adadelta decay rate")
      ->check(CLI::Range(1e-9, 0.999999))
      ->capture_default_str();
  cmd.add_option("--epsilon", o.epsilon, "Adadelta epsilon")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--shift", o.shift,
                 "Augmentation: max random shift, fraction of width/height (audio: 0)")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd.add_flag("--flip,!--no-flip", o.flip,
               "Augmentation: random horizontal flip (default on for images, off for audio)");
  cmd.add_option("--train-size", o.train_size, "Use the first N training images (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--val-size", o.val_size, "Use the first N test images for validation (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--eval-batch-size", o.eval_batch_size,
                 "Batch size for validation (default: 1000 for images, 250 for audio)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--device", o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed for weights, order, augmentation, dropout")
      ->capture_default_str();
  cmd.add_option("--threads", o.threads, "CPU threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_flag("--channels-last,!--no-channels-last", o.channels_last,
               "NHWC memory layout, faster on oneDNN and cuDNN (default on)");
  cmd.add_option("--precision", o.precision,
                 "fp32 (the reference's float32, TF32 off), bf16 (bfloat16 autocast, float32 "
                 "weights) or auto (bf16 on CUDA, fp32 on the CPU)")
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}))
      ->capture_default_str();
  cmd.add_flag("--cuda-graphs,!--no-cuda-graphs", o.cuda_graphs,
               "On CUDA, replay each training step from a CUDA graph (default on)");
  cmd.add_option("--log-root", o.log_root,
                 "Run folders go to <log-root>/<model>/quality_<q> or .../bitrate_<b>")
      ->capture_default_str();
  cmd.add_option("--log-dir", o.log_dir, "Exact run folder (overrides --log-root)");
}

void resolve_train_options(const CLI::App& cmd, train::TrainOptions& o, const DataOptions& d) {
  o.dataset = d.dataset;
  o.data_dir = d.data_dir;
  o.quality = d.quality;
  o.subsampling = d.subsampling;
  o.bitrate = d.bitrate;
  o.instrument = d.instrument;
  o.cache_dir = d.cache_dir;
  train::apply_dataset_defaults(o, [&cmd](const std::string& key) { return given(cmd, key); });
}

void register_train(CLI::App& app) {
  auto options = std::make_shared<train::TrainOptions>();
  auto data_options = std::make_shared<DataOptions>();
  auto no_progress = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "train",
      "Compress a dataset at a JPEG quality (images) or an MP3 bitrate (audio) and train one of "
      "the six networks on it");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config", *config_file,
                  "Read options from a TOML file (keys are the long option names, e.g. "
                  "configs/cifar10.toml or a run folder's config.toml); command-line options win");
  auto& o = *options;
  add_train_options(*cmd, o, *data_options);
  cmd->add_flag("--resume", o.resume, "Continue an interrupted run from its last.pt");
  cmd->add_flag("--no-progress", *no_progress, "No live progress bar");
  cmd->callback([cmd, options, data_options, no_progress, config_file] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    auto& o = *options;
    resolve_train_options(*cmd, o, *data_options);
    o.progress = !*no_progress;
    train::run_training(o);
  });
}

}  // namespace helmholtz::commands
