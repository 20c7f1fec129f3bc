#pragma once
// One whole training run: load the dataset, pass it through the codec, build the network,
// train with the recipe, and keep the run folder up to date after every epoch:
//   config.toml  history.csv  best.pt  last.pt  model.pt  train.log  summary.json
// A run folder that already holds a finished run is left alone; an interrupted one continues
// from last.pt with --resume. A lock file (.lock, flock) keeps a second process out of a folder
// while a run holds it.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "helmholtz/train/options.hpp"

namespace helmholtz::train {

struct RunResult {
  std::filesystem::path run_dir;
  bool already_finished = false;  // nothing was trained: the folder held a finished run
  nlohmann::json summary;
};

// <log_dir> if set, else <log_root>/<model-name>/<quality_q or bitrate_b>, with a further
// seed_<s> folder for a seed other than 0 (the reference's layout for the default seed).
std::filesystem::path run_directory(const TrainOptions& options);

// Whether `dir` holds a finished run of at least `epochs` epochs (its summary says finished and
// its final weights exist): such a folder is never trained again.
bool run_finished(const std::filesystem::path& dir, int epochs);

RunResult run_training(const TrainOptions& options);

}  // namespace helmholtz::train
