#pragma once
// Checkpoints: the full training state in one file (model, optimizer, epoch, RNG, history, the
// run's identity), always written to a temporary file and renamed, so a crash never leaves a
// half-written checkpoint. Plain weights files (best.pt, model.pt) hold the model alone and
// load with torch::load into a freshly built network.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/run/history.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train {

struct TrainState {
  int epoch = 0;             // epochs finished
  double wall_seconds = 0;   // whole sessions, all of them
  double train_seconds = 0;  // time spent in training passes (for images per second)
  double best_val_acc = -1;
  int best_epoch = 0;
  std::vector<run::EpochRecord> history;
  std::string identity;
  EpochTrainer::IteratorState iterator;  // the carried iterator (reference protocol)
};

void save_weights(const std::filesystem::path& file, const torch::nn::Sequential& model);
void load_weights(const std::filesystem::path& file, torch::nn::Sequential& model);

void save_checkpoint(const std::filesystem::path& file, const torch::nn::Sequential& model,
                     const Optimizer& optimizer, const TrainState& state,
                     const torch::Device& device);

// Reads the checkpoint's identity first and throws core::UsageError naming each setting that
// differs from `identity` (a run::identity_line) before any weight is loaded; then restores
// model, optimizer and torch's RNG (CPU, and the device's when it is a GPU) and returns the
// rest. Throws core::RunError naming the file when it is unreadable or does not fit.
TrainState load_checkpoint(const std::filesystem::path& file, torch::nn::Sequential& model,
                           Optimizer& optimizer, const torch::Device& device,
                           const std::string& identity);

}  // namespace helmholtz::train
