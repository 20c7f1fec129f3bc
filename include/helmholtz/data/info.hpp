#pragma once
// What a dataset looks like to a network, known without reading it.

#include <string>

namespace helmholtz::data {

struct ImageDatasetInfo {
  std::string name;
  int channels = 0;
  int height = 0;
  int width = 0;
  int num_classes = 0;
  // The images as the dataset records them, before any padding to the network's input
  // (Fashion-MNIST: 28 x 28, padded to 32 x 32); 0 for audio.
  int recorded_height = 0;
  int recorded_width = 0;
  // Bits of one sample as recorded: channels x recorded height x width x 8 (0 for audio). The
  // raw level spends these, not the padding.
  double recorded_bits() const {
    return 8.0 * channels * recorded_height * recorded_width;
  }
};

// Throws core::UsageError for an unknown dataset.
ImageDatasetInfo image_dataset_info(const std::string& dataset);

// Any dataset, audio included (audio-effects: 1 x 96 x 173 mel spectrograms of 2 s clips, 12
// classes). Throws core::UsageError for an unknown dataset.
ImageDatasetInfo dataset_info(const std::string& dataset);

}  // namespace helmholtz::data
