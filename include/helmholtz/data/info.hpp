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
};

// Throws core::UsageError for an unknown dataset.
ImageDatasetInfo image_dataset_info(const std::string& dataset);

// Any dataset, audio included (audio-effects: 1 x 96 x 173 mel spectrograms of 2 s clips, 12
// classes). Throws core::UsageError for an unknown dataset.
ImageDatasetInfo dataset_info(const std::string& dataset);

}  // namespace helmholtz::data
