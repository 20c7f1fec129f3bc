#pragma once
// One epoch of training and one evaluation pass: functions of (model, data, optimizer, options).
// The dataset is one tensor [N, C, H, W] on the training device (uint8 pixels or float32 mel
// features); batches are gathered by index and augmented there, so nothing loops over samples on
// the host.

#include <torch/torch.h>

#include <cstdint>
#include <functional>

#include "helmholtz/data/image_set.hpp"
#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train {

struct TensorData {
  torch::Tensor images;  // uint8 pixels or float32 features, [N, C, H, W]
  torch::Tensor labels;  // int64 [N]
  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// Copies an ImageSet (HWC bytes) into a TensorData on `device`; the result owns its memory.
TensorData to_tensors(const data::ImageSet& set, const torch::Device& device);

struct Metrics {
  double loss = 0;  // mean softmax cross-entropy
  double acc = 0;   // fraction correct
};

struct EpochOptions {
  int batch_size = 128;
  double shift = 0.1;
  bool flip = true;
  bool channels_last = false;  // feed batches as NHWC (use with use_channels_last on the model)
};

// Stores the model's 4-d weights channels-last (NHWC), the layout oneDNN and cuDNN prefer.
void use_channels_last(torch::nn::Sequential& model);

// Called after each batch with (images done, images in the epoch).
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

// One pass over `data` in a fresh random order (torch's RNG); the last batch may be short.
// Loss and accuracy are accumulated on the device and read once at the end.
Metrics train_epoch(torch::nn::Sequential& model, Optimizer& optimizer, const TensorData& data,
                    const EpochOptions& options, const ProgressFn& progress = nullptr);

// Loss and accuracy over `data` in eval mode (no dropout), without gradients.
Metrics evaluate(torch::nn::Sequential& model, const TensorData& data, int batch_size,
                 bool channels_last = false);

// uint8 [N, C, H, W] -> float in [0, 1].
torch::Tensor to_unit_float(const torch::Tensor& images);

// What the network sees: uint8 pixels scaled to [0, 1]; float features as they are.
torch::Tensor model_input(const torch::Tensor& samples);

}  // namespace helmholtz::train
