#pragma once
// One whole training run: load the dataset, pass it through the codec, build the network,
// train with the recipe, and keep the run folder (run/folder.hpp) up to date after every
// epoch. A folder that holds this run finished is left alone; an interrupted one continues
// from its checkpoint with --resume; one that holds a run of other settings (or of an older
// schema) is refused with the settings that differ, and nothing in it changes.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "helmholtz/run/spec.hpp"
#include "helmholtz/run/summary.hpp"

namespace helmholtz::train {

struct RunResult {
  std::filesystem::path run_dir;
  bool already_finished = false;  // nothing was trained: the folder held this run, finished
  run::Summary summary;
};

class Distributed;

// `spec` must be finalized (run::finalize). Throws core::UsageError when the folder holds a
// run of other settings or needs --resume, core::DataError / RunError on bad data or writes.
// With `distributed` of two or more processes (train/distributed.hpp) every rank calls it:
// rank 0 alone reads the folder's state, writes the run folder and tests the kept weights;
// it tells the other ranks what to do (train afresh, resume from the checkpoint, which they
// read too, or nothing), and they train their shards beside it. A stop signal on any rank
// stops every rank after the same step.
RunResult run_training(const run::RunSpec& spec, bool resume, Distributed* distributed = nullptr);

}  // namespace helmholtz::train
