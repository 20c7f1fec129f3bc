#pragma once
// CIFAR-10, binary version: data_batch_1..5.bin and test_batch.bin, 10,000 records of
// 1 label byte + 3,072 pixel bytes (1,024 R, then G, then B; rows top to bottom) each.

#include <filesystem>

#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

inline constexpr int kCifarRecordBytes = 3073;

// Reads one batch file into 32x32x3 HWC images. Throws core::DataError naming the file (and the
// byte offset of a bad record) when its size is not a multiple of 3,073 or a label is > 9.
ImageSet read_cifar10_batch(const std::filesystem::path& file);

// Writes images (32x32x3 HWC) in the same format; used by tests and tools that make data.
void write_cifar10_batch(const std::filesystem::path& file, const ImageSet& images);

// Reads the whole dataset from `dir` (5 train batches, 1 test batch).
ImageDataset load_cifar10(const std::filesystem::path& dir);

}  // namespace helmholtz::data
