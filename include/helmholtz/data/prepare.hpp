#pragma once
// The data half of a run: load a dataset, keep the requested subsets, and pass both splits
// through the codec. `helmholtz train` and `helmholtz compress` share it.

#include <cstdint>
#include <filesystem>
#include <string>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

struct PreparedImages {
  ImageDataset dataset;  // pixels as decoded by the codec
  CompressionStats train;
  CompressionStats test;
  double seconds = 0;           // loading + compression
  double compress_seconds = 0;  // compression alone
};

// train_size / val_size: keep the first N images of each split (0 = all). Throws
// core::DataError when a split ends up empty.
PreparedImages prepare_images(const std::string& dataset, const std::filesystem::path& data_dir,
                              std::int64_t train_size, std::int64_t val_size,
                              const Quality& quality, codec::Subsampling subsampling, int threads,
                              Orientation orientation = Orientation::kUpright);

}  // namespace helmholtz::data
