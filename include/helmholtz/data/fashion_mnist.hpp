#pragma once
// Fashion-MNIST in IDX format, gzip-compressed (as Debian's dataset-fashion-mnist ships it,
// under /usr/share/datasets/fashion-mnist): train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.
// 28x28 grayscale images are zero-padded (2 pixels each side) to 32x32x1.

#include <filesystem>

#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

// Reads an images file (magic 0x00000803) and its labels file (magic 0x00000801), validates the
// magic numbers, dimensions, counts, file sizes and labels (< num_classes), and pads each image
// with zeros to pad_to x pad_to. Throws core::DataError naming the file and byte offset.
ImageSet read_idx_images(const std::filesystem::path& images_file,
                         const std::filesystem::path& labels_file, int num_classes, int pad_to);

// Writes uncompressed-then-gzipped IDX files (for tests and tools that make data); images must
// be 1-channel, unpadded.
void write_idx_gz(const std::filesystem::path& images_file,
                  const std::filesystem::path& labels_file, const ImageSet& images);

ImageDataset load_fashion_mnist(const std::filesystem::path& dir);

}  // namespace helmholtz::data
