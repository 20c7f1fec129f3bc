#pragma once
// The data half of a run: load a dataset, keep the requested subsets, and pass both splits
// through the codec. `helmholtz train` and `helmholtz compress` share it.

#include <cstdint>
#include <filesystem>
#include <string>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"

namespace spdlog {
class logger;
}

namespace helmholtz::data {

// Validation images held out of the training split (ImageSet::hold_out): stratified by class,
// drawn by `seed`, before --train-size or a storage budget takes the first training images.
struct HoldOut {
  bool enabled = false;
  std::int64_t size = 0;  // 0: a tenth of the training split
  std::uint64_t seed = 0;
  // The images held out of a training split of `all`.
  std::int64_t count(std::int64_t all) const { return size > 0 ? size : all / 10; }
};

struct PreparedImages {
  ImageDataset dataset;  // pixels as decoded by the codec
  ImageSet holdout;      // the held-out validation images (empty without HoldOut::enabled)
  CompressionStats train;
  CompressionStats test;
  CompressionStats holdout_stats;
  double seconds = 0;           // loading + compression
  double compress_seconds = 0;  // compression alone
  // Under a storage budget: the mean file bytes of the whole training split at this level (the
  // training split is then the first floor(budget / that) images; a budget holding more than
  // the split has is refused).
  double budget_mean_bytes = 0;
  // The decoded-image cache: whether each split came from it, and the files.
  bool train_from_cache = false;
  bool test_from_cache = false;
  bool holdout_from_cache = false;
  std::filesystem::path train_cache_file, test_cache_file, holdout_cache_file;
};

// holdout.enabled: first moves the held-out validation images out of the training split.
// code_training false: only the test split is coded (evaluating weights at other levels); the
// training and held-out images are then left as loaded, their figures empty.
// train_size / val_size: keep the first N images of each split (0 = all). storage_budget > 0
// (bytes; train_size then 0): keep the first floor(budget / mean file bytes of the whole coded
// training split) training images. Throws core::DataError when a split ends up empty,
// core::UsageError when the budget holds no image. cache_dir (empty: none): the slow codecs'
// decoded splits are read from and kept there (data/image_cache.hpp); `log` gets its lines.
PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation = Orientation::kUpright,
                              std::int64_t storage_budget = 0,
                              const std::filesystem::path& cache_dir = {},
                              spdlog::logger* log = nullptr, const HoldOut& holdout = {},
                              bool code_training = true);

}  // namespace helmholtz::data
