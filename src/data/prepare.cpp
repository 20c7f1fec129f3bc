#include "helmholtz/data/prepare.hpp"

#include <chrono>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_cache.hpp"

namespace helmholtz::data {

PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation, std::int64_t storage_budget,
                              const std::filesystem::path& cache_dir, spdlog::logger* log) {
  const auto start = std::chrono::steady_clock::now();
  PreparedImages p;
  p.dataset = load_image_dataset(dataset, data_dir);
  if (train_size > 0) {
    p.dataset.train.keep_first(train_size, "--train-size " + std::to_string(train_size) + ": " +
                                               dataset + "'s training split");
  }
  if (val_size > 0) {
    p.dataset.test.keep_first(
        val_size, "--val-size " + std::to_string(val_size) + ": " + dataset + "'s test split");
  }
  if (p.dataset.train.count == 0 || p.dataset.test.count == 0) {
    throw core::DataError("dataset '" + dataset + "' has an empty train or test split");
  }
  const auto loaded = std::chrono::steady_clock::now();
  if (storage_budget > 0) {
    // The number of images the budget holds at this level: from the mean file size of the
    // whole training split (a copy, coded once), then the first N are coded for training.
    ImageSet all = p.dataset.train;
    const CompressionStats full =
        compress_images_cached(all, quality, subsampling, threads, orientation,
                               {cache_dir, dataset, "train-all"}, log)
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
          " (" + std::to_string(full.mean_bytes) + " bytes each), but the " + "split has only " +
          std::to_string(p.dataset.train.count) + "; give at most " +
          std::to_string(static_cast<std::int64_t>(full.mean_bytes *
                                                   static_cast<double>(p.dataset.train.count))) +
          " bytes, or leave this level out");
    }
    p.budget_mean_bytes = full.mean_bytes;
    p.dataset.train.keep_first(n, "--storage-budget");
  }
  // Each split's cache file is named by its size too, so that runs of other --train-size or
  // --val-size keep their own files instead of rewriting one.
  const auto split = [](const char* name, const ImageSet& set) {
    return std::string(name) + "-" + std::to_string(set.count);
  };
  auto train = compress_images_cached(p.dataset.train, quality, subsampling, threads, orientation,
                                      {cache_dir, dataset, split("train", p.dataset.train)}, log);
  auto test = compress_images_cached(p.dataset.test, quality, subsampling, threads, orientation,
                                     {cache_dir, dataset, split("test", p.dataset.test)}, log);
  p.train = train.stats;
  p.test = test.stats;
  p.train_from_cache = train.from_cache;
  p.test_from_cache = test.from_cache;
  p.train_cache_file = train.file;
  p.test_cache_file = test.file;
  const auto done = std::chrono::steady_clock::now();
  p.seconds = std::chrono::duration<double>(done - start).count();
  p.compress_seconds = std::chrono::duration<double>(done - loaded).count();
  return p;
}

}  // namespace helmholtz::data
