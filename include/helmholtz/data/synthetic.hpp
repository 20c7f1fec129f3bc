#pragma once
// Small generated image sets that a network can learn in a few epochs: each class has its own
// colour/orientation pattern, with per-image random phase, brightness and noise. Used by the
// tests, the benchmarks and anyone who wants to try the pipeline without a download.

#include <cstdint>
#include <filesystem>

#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

// Deterministic for a seed. channels 1 or 3; labels 0..num_classes-1 in round-robin order.
ImageSet make_pattern_images(std::int64_t count, int height, int width, int channels,
                             int num_classes, std::uint64_t seed);

// Writes an ImageFolder tree of pattern images (the layout --dataset folder reads):
// dir/train/pattern-<k>/ and dir/val/pattern-<k>/ for `classes` classes, `train_per_class` and
// `val_per_class` images each, in four sizes (96x64, 64x96, 120x90, 80x80), alternately JPEG
// (quality 95) and PNG files, one in five of them grayscale. Deterministic for a seed.
void write_pattern_folder(const std::filesystem::path& dir, int classes, int train_per_class,
                          int val_per_class, std::uint64_t seed);

// Writes a CIFAR-10-format folder (data_batch_1..5.bin with train_count/5 images each and
// test_batch.bin with test_count images) of 32x32x3 pattern images.
void write_pattern_cifar10(const std::filesystem::path& dir, std::int64_t train_count,
                           std::int64_t test_count, std::uint64_t seed);

}  // namespace helmholtz::data
