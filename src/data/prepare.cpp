#include "helmholtz/data/prepare.hpp"

#include <chrono>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_cache.hpp"

namespace helmholtz::data {

PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation, std::int64_t storage_budget,
                              const std::filesystem::path& cache_dir, spdlog::logger* log,
                              const HoldOut& holdout, bool code_training) {
  const auto start = std::chrono::steady_clock::now();
  PreparedImages p;
  p.dataset = load_image_dataset(dataset, data_dir);
  // Held out of the whole training split first, so that every --train-size and storage budget
  // validates on the same images, none of which it trains on.
  std::string holdout_tag;
  // What the training images are, for messages: the split, less the held-out images.
  std::string training_images = dataset + "'s training split";
  if (holdout.enabled) {
    const std::int64_t all = p.dataset.train.count;
    const std::int64_t n = holdout.count(all);
    p.holdout = p.dataset.train.hold_out(
        n, holdout.seed,
        "--holdout-size " + std::to_string(holdout.size) + ": " + dataset + "'s training split");
    holdout_tag = "-holdout-" + std::to_string(n) + "-split-" + std::to_string(holdout.seed);
    training_images += " less its " + std::to_string(n) + " held-out validation images";
  }
  if (train_size > 0) {
    p.dataset.train.keep_first(train_size,
                               "--train-size " + std::to_string(train_size) + ": " + training_images);
  }
  if (val_size > 0) {
    p.dataset.test.keep_first(
        val_size, "--val-size " + std::to_string(val_size) + ": " + dataset + "'s test split");
  }
  if (p.dataset.train.count == 0 || p.dataset.test.count == 0) {
    throw core::DataError("dataset '" + dataset + "' has an empty train or test split");
  }
  const auto loaded = std::chrono::steady_clock::now();
  if (storage_budget > 0 && code_training) {
    // The number of images the budget holds at this level: from the mean file size of the
    // whole training split (a copy, coded once), then the first N are coded for training.
    ImageSet all = p.dataset.train;
    const CompressionStats full =
        compress_images_cached(all, quality, subsampling, threads, orientation,
                               {cache_dir, dataset, "train-all" + holdout_tag}, log)
            .stats;
    const auto n = static_cast<std::int64_t>(static_cast<double>(storage_budget) / full.mean_bytes);
    if (n < 1) {
      throw core::UsageError("--storage-budget " + std::to_string(storage_budget) +
                             " bytes holds no " + dataset + " image at quality " +
                             quality.to_string() + " (" + std::to_string(full.mean_bytes) +
                             " bytes each); give a larger budget");
    }
    if (n > p.dataset.train.count) {
      // More images than there are: the run would hold less than its budget, and the levels of
      // a fixed-storage sweep would no longer have equal storage.
      throw core::UsageError(
          "--storage-budget " + std::to_string(storage_budget) + " bytes holds " +
          std::to_string(n) + " " + dataset + " training images at quality " + quality.to_string() +
          " (" + std::to_string(full.mean_bytes) + " bytes each), but " + training_images +
          " has only " + std::to_string(p.dataset.train.count) + "; give at most " +
          std::to_string(static_cast<std::int64_t>(full.mean_bytes *
                                                   static_cast<double>(p.dataset.train.count))) +
          " bytes, or leave this level out");
    }
    p.budget_mean_bytes = full.mean_bytes;
    p.dataset.train.keep_first(n, "--storage-budget");
  }
  // Each split's cache file is named by its size too, so that runs of other --train-size or
  // --val-size keep their own files instead of rewriting one.
  // The training images and the held-out ones are named by the hold-out too.
  const auto split = [](const std::string& name, const ImageSet& set) {
    return name + "-" + std::to_string(set.count);
  };
  auto test = compress_images_cached(p.dataset.test, quality, subsampling, threads, orientation,
                                     {cache_dir, dataset, split("test", p.dataset.test)}, log);
  p.test = test.stats;
  p.test_from_cache = test.from_cache;
  p.test_cache_file = test.file;
  if (!code_training) {
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return p;
  }
  auto train =
      compress_images_cached(p.dataset.train, quality, subsampling, threads, orientation,
                             {cache_dir, dataset, split("train", p.dataset.train) + holdout_tag},
                             log);
  if (holdout.enabled) {
    auto held = compress_images_cached(p.holdout, quality, subsampling, threads, orientation,
                                       {cache_dir, dataset, "validation" + holdout_tag}, log);
    p.holdout_stats = held.stats;
    p.holdout_from_cache = held.from_cache;
    p.holdout_cache_file = held.file;
  }
  p.train = train.stats;
  p.train_from_cache = train.from_cache;
  p.train_cache_file = train.file;
  const auto done = std::chrono::steady_clock::now();
  p.seconds = std::chrono::duration<double>(done - start).count();
  p.compress_seconds = std::chrono::duration<double>(done - loaded).count();
  return p;
}

}  // namespace helmholtz::data
