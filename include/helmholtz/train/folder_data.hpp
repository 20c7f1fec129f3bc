#pragma once
// The data half of a run on a folder dataset (--dataset folder): the listing (which must still be
// the one the run's identity names), the level's coded files of train/ and val/ from the coded
// cache (coded there first when missing), and three streamed splits:
//   training:   train/'s files less the held-out ones (--train-size: that many, evenly spread
//               over the sorted listing so that every class keeps its share), random-resized
//               crops and flips;
//   validation: the held-out files of train/ (--holdout-size, stratified by class, drawn by
//               --split-seed, as the built-in image sets), centre crops;
//   test:       val/'s files (--val-size: evenly spread), centre crops.
// The level's bits are the mean coded file of the training files (raw: their pixels, 24 bits
// each); the distortion their mean PSNR.

#include "helmholtz/train/run_data.hpp"

namespace helmholtz::train {

RunData prepare_folder_data(const run::RunSpec& spec, const torch::Device& device,
                            spdlog::logger& log, DataParts parts);

// `count` of `positions`, evenly spread: positions[floor(i x size / count)] for i < count (all of
// them for count 0). A count over the size is refused: a core::UsageError that starts with
// `asked_by` and says how many there are.
std::vector<std::size_t> spread_evenly(const std::vector<std::size_t>& positions,
                                       std::int64_t count, const std::string& asked_by);

}  // namespace helmholtz::train
