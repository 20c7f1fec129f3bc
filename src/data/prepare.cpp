#include "helmholtz/data/prepare.hpp"

#include <chrono>

#include "helmholtz/core/error.hpp"

namespace helmholtz::data {

PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation) {
  const auto start = std::chrono::steady_clock::now();
  PreparedImages p;
  p.dataset = load_image_dataset(dataset, data_dir);
  if (train_size > 0) p.dataset.train.truncate(train_size);
  if (val_size > 0) p.dataset.test.truncate(val_size);
  if (p.dataset.train.count == 0 || p.dataset.test.count == 0) {
    throw core::DataError("dataset '" + dataset + "' has an empty train or test split");
  }
  const auto loaded = std::chrono::steady_clock::now();
  p.train = compress_images(p.dataset.train, quality, subsampling, threads, orientation);
  p.test = compress_images(p.dataset.test, quality, subsampling, threads, orientation);
  const auto done = std::chrono::steady_clock::now();
  p.seconds = std::chrono::duration<double>(done - start).count();
  p.compress_seconds = std::chrono::duration<double>(done - loaded).count();
  return p;
}

}  // namespace helmholtz::data
