#pragma once
// Everything that defines one training run. Defaults are the reference's CIFAR-10 recipe
// (REFERENCE.md section 1); apply_dataset_defaults switches to the audio recipe (section 2).
// The CLI and TOML config files fill this struct.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace helmholtz::train {

struct TrainOptions {
  // What to train on.
  std::string dataset = "cifar10";
  std::filesystem::path data_dir;  // empty: the dataset's default folder
  std::string quality = "5";       // images: JPEG quality 1..100 or "raw"
  std::string subsampling = "420";
  std::string bitrate;                // audio: MP3 kbit/s (8..320) or "raw"; required
  std::string instrument = "guitar";  // audio: guitar | bass | all
  std::string eval = "validation";    // audio: validate on "validation" or the "test" part
  std::uint64_t split_seed = 0;       // audio: seed of the per-class train/test split
  std::filesystem::path cache_dir = "data/cache";  // audio: feature cache ("" = none)
  int setting = 0;
  std::int64_t train_size = 0;  // 0: all training images; else the first N
  std::int64_t val_size = 0;    // 0: the whole test split; else its first N

  // The recipe.
  int epochs = 200;
  int batch_size = 128;
  std::string optimizer = "sgd";  // sgd (Keras SGD) | adadelta (Keras Adadelta)
  double lr = 0.01;
  double momentum = 0.9;  // sgd
  bool nesterov = true;   // sgd
  double decay = 1e-6;    // sgd, Keras: lr_t = lr / (1 + decay * t), t = optimizer steps so far
  double rho = 0.95;      // adadelta
  double epsilon = 1e-7;  // adadelta
  double shift = 0.1;     // augmentation: random shift up to this fraction of width and height
  bool flip = true;       // augmentation: horizontal flip with probability 0.5
  int eval_batch_size = 1000;

  // How and where.
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  std::uint64_t seed = 0;
  int threads = 0;            // 0: all cores
  bool channels_last = true;  // NHWC layout: faster convolutions with oneDNN and cuDNN
  std::string precision = "auto";  // auto (bf16 on CUDA, fp32 on CPU) | fp32 | bf16
  bool cuda_graphs = true;         // CUDA: replay training steps from CUDA graphs
  std::filesystem::path log_root = "logs";
  std::filesystem::path log_dir;  // empty: <log_root>/<model-name>/<quality_q|bitrate_b>
  bool resume = false;
  bool progress = true;  // live progress bar when stderr is a terminal
};

// The reference's audio recipe for an audio dataset: Adadelta (lr 1.0, rho 0.95, eps 1e-7),
// batch 50, no augmentation, for each of those options that `given(long-option-name)` says the
// user did not set. Throws core::UsageError when an option of the other kind of dataset was
// given (--quality for audio, --bitrate for images, ...).
void apply_dataset_defaults(TrainOptions& options,
                            const std::function<bool(const std::string&)>& given);

// Checks ranges and names; throws core::UsageError naming the option.
void validate(const TrainOptions& options);

// "quality_5" or "bitrate_32": the level folder of a run.
std::string level_folder(const TrainOptions& options);

// The settings that make a run what it is (dataset, data, recipe, seed): two runs with equal
// identities train the same thing, so one may resume the other. Epochs, device, threads,
// precision, layout and paths are not part of it.
std::string identity(const TrainOptions& options);

// The options as TOML, keys named as the `helmholtz train` options, so that
// `helmholtz train --config <file>` repeats the run.
std::string to_toml(const TrainOptions& options);

}  // namespace helmholtz::train
