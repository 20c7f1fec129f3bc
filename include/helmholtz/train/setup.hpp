#pragma once
// One way to set up and fit training, shared by a run and `helmholtz bench train`, so the
// benchmark measures exactly the recipe a run trains:
//   set_up_process: threads, device, precision and the backend switches, from the Runtime;
//   make_training: network, optimizer and epoch trainer from the Recipe;
//   fit: epochs in, records out; the caller (the run folder) persists each one.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "helmholtz/models/architecture.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/spec.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/optimizer.hpp"
#include "helmholtz/train/precision.hpp"

namespace helmholtz::train {

struct Backend {
  torch::Device device = torch::kCPU;
  Precision precision = Precision::kFp32;
  int threads = 1;
};

// Sets torch's thread count (0: all cores), resolves the device and precision and configures
// cuDNN / TF32 for them. Throws core::UsageError for a device that is not there.
Backend set_up_process(const run::Runtime& runtime);

// The epoch trainer's options from the run's recipe, runtime and protocol, filled by name.
EpochOptions epoch_options(const run::RunSpec& spec, Precision precision);

std::unique_ptr<Optimizer> make_optimizer(const run::Recipe& recipe,
                                          std::vector<torch::Tensor> parameters);

// A network with its optimizer and trainer, on the backend's device.
struct Training {
  torch::nn::Sequential model{nullptr};
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<EpochTrainer> trainer;
  std::int64_t parameters = 0;
  bool channels_last = false;
  Precision precision = Precision::kFp32;
  int eval_batch_size = 1000;
};

// Seeds torch with the recipe's seed, builds recipe.architecture for the input and classes,
// moves it to the device (channels-last when asked, before the optimizer mirrors the weights),
// and makes the optimizer and the epoch trainer.
Training make_training(const run::RunSpec& spec, const models::InputShape& input,
                       int num_classes, const Backend& backend);

// What the caller hears of a fit: an epoch starts, a batch is done, an epoch is done (with its
// record and the seconds of its training pass); and what it asks: whether to stop, read after
// every training step and every epoch. Any may be empty.
struct FitHooks {
  std::function<void(int epoch)> epoch_start;
  ProgressFn progress;
  std::function<void(const run::EpochRecord& record, double train_seconds)> epoch_done;
  StopFn stop;
};

// Trains epochs first..last (1-based, inclusive), validating after each. When `stop` says so
// between steps, returns at once: the epoch in progress is abandoned, no record of it is made.
void fit(Training& training, const TensorData& train_data, const TensorData& validation,
         int first, int last, const FitHooks& hooks);

}  // namespace helmholtz::train
