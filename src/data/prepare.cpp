#include "helmholtz/data/prepare.hpp"

#include <chrono>

#include "helmholtz/core/error.hpp"

namespace helmholtz::data {

PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation, std::int64_t storage_budget) {
  const auto start = std::chrono::steady_clock::now();
  PreparedImages p;
  p.dataset = load_image_dataset(dataset, data_dir);
  if (train_size > 0) p.dataset.train.truncate(train_size);
  if (val_size > 0) p.dataset.test.truncate(val_size);
  if (p.dataset.train.count == 0 || p.dataset.test.count == 0) {
    throw core::DataError("dataset '" + dataset + "' has an empty train or test split");
  }
  const auto loaded = std::chrono::steady_clock::now();
  if (storage_budget > 0) {
    // The number of images the budget holds at this level: from the mean file size of the
    // whole training split (a copy, coded once), then the first N are coded for training.
    ImageSet all = p.dataset.train;
    const CompressionStats full = compress_images(all, quality, subsampling, threads, orientation);
    const auto n = static_cast<std::int64_t>(static_cast<double>(storage_budget) / full.mean_bytes);
    if (n < 1) {
      throw core::UsageError("--storage-budget " + std::to_string(storage_budget) +
                             " bytes holds no " + dataset + " image at quality " +
                             quality.to_string() + " (" + std::to_string(full.mean_bytes) +
                             " bytes each); give a larger budget");
    }
    p.budget_mean_bytes = full.mean_bytes;
    p.budget_fits = n;
    p.dataset.train.truncate(n);
  }
  p.train = compress_images(p.dataset.train, quality, subsampling, threads, orientation);
  p.test = compress_images(p.dataset.test, quality, subsampling, threads, orientation);
  const auto done = std::chrono::steady_clock::now();
  p.seconds = std::chrono::duration<double>(done - start).count();
  p.compress_seconds = std::chrono::duration<double>(done - loaded).count();
  return p;
}

}  // namespace helmholtz::data
