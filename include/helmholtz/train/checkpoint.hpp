#pragma once
// Checkpoints: the full training state in one file (model, optimizer, epoch, RNG, history, the
// run's identity): a torch archive in a checked frame (core/checked_file.hpp: magic, a JSON
// header with the epoch and identity, CRC-32), serialized in memory and written by the checked
// atomic write, so a crash or a full disk never leaves a half-written checkpoint. Two
// generations are kept: the previous one is renamed aside only once the new one is complete,
// and resuming falls back on it when the newest is damaged. Plain weights files (best.pt,
// model.pt) hold the model alone (and the epoch they are of) and load with torch::load into a
// freshly built network.

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

// Weights of `epoch` (0: not recorded); with `previous`, the file they replace is kept there.
void save_weights(const std::filesystem::path& file, const torch::nn::Sequential& model,
                  int epoch = 0, const std::filesystem::path& previous = {});
void load_weights(const std::filesystem::path& file, torch::nn::Sequential& model);
// The epoch a weights file records (0 when it records none). Throws DataError when unreadable.
int weights_epoch(const std::filesystem::path& file);

// The two checkpoint generations of a run folder.
struct CheckpointFiles {
  std::filesystem::path newest;    // last.pt
  std::filesystem::path previous;  // last.pt.prev
};

void save_checkpoint(const CheckpointFiles& files, const torch::nn::Sequential& model,
                     const Optimizer& optimizer, const TrainState& state,
                     const torch::Device& device);

// Reads the checkpoint's identity first and throws core::UsageError naming each setting that
// differs from `identity` (a run::identity_line) before any weight is loaded; then restores
// model, optimizer and torch's RNG (CPU, and the device's when it is a GPU) and returns the
// rest. Throws core::DataError naming the file when it is unreadable, damaged (checksum) or
// does not fit. A checkpoint of an older helmholtz (a bare torch archive) loads unverified.
TrainState load_checkpoint(const std::filesystem::path& file, torch::nn::Sequential& model,
                           Optimizer& optimizer, const torch::Device& device,
                           const std::string& identity);

// Resumes from the newest checkpoint; when it is missing or damaged, from the previous one,
// and the damaged one is renamed aside ("last.pt.damaged") so that the next save keeps the
// good generation. Throws core::RunError naming both files when neither loads, and
// core::UsageError (not caught) for a run of other settings.
struct Resumed {
  TrainState state;
  std::filesystem::path from;  // the file loaded
  bool fell_back = false;      // the newest was missing or damaged
  std::string newest_problem;  // why, when it fell back
};
Resumed resume_from(const CheckpointFiles& files, torch::nn::Sequential& model,
                    Optimizer& optimizer, const torch::Device& device,
                    const std::string& identity);

}  // namespace helmholtz::train
