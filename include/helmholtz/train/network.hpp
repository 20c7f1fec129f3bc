#pragma once
// The LibTorch side of an architecture: one builder turns a checked plan of a layer table
// (models::plan) into a torch::nn::Sequential, initialised as the architecture says (Keras' or
// torchvision's).

#include <torch/torch.h>

#include <cstdint>

#include "helmholtz/models/architecture.hpp"

namespace helmholtz::train {

// Keras BatchNormalization(axis=1) on (rows = frequency, cols = time, channels) input: one
// mean/variance/gamma/beta per ROW, statistics over batch, time and channels. In NCHW this is
// [N,C,H,W] -> [N,H,C,W], torch BatchNorm2d(H), and back. Keras momentum 0.99 is torch's 0.01.
struct BatchNormFreqOptions {
  BatchNormFreqOptions(std::int64_t rows) : rows_(rows) {}  // NOLINT: implicit, as torch's
  TORCH_ARG(std::int64_t, rows);
  TORCH_ARG(double, momentum) = 0.01;  // torch convention: new = (1 - m) * old + m * batch
  TORCH_ARG(double, eps) = 1e-3;
};

class BatchNormFreqImpl : public torch::nn::Cloneable<BatchNormFreqImpl> {
 public:
  explicit BatchNormFreqImpl(const BatchNormFreqOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  BatchNormFreqOptions options;
  torch::nn::BatchNorm2d norm{nullptr};  // over the rows; gamma 1, beta 0
};
TORCH_MODULE(BatchNormFreq);

// torchvision's BasicBlock or Bottleneck (v1.5: the stride on the 3x3 conv), from a planned
// layer: convs without bias, BatchNorm2d after each, the shortcut a 1x1 conv + BatchNorm where
// the plan says `projection`, ReLU after the sum. Submodules named as torchvision's (conv1,
// bn1, ..., downsample), so its state-dict keys read alike.
struct ResidualBlockOptions {
  ResidualBlockOptions(std::int64_t in_channels, std::int64_t filters)  // NOLINT: as torch's
      : in_channels_(in_channels), filters_(filters) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, filters);
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(bool, bottleneck) = false;  // 1x1, 3x3, 1x1 with 4x filters out; else two 3x3
  TORCH_ARG(bool, projection) = false;  // the shortcut: 1x1 conv + BN (else identity)
  TORCH_ARG(models::Init, init) = models::Init::kTorchvision;
};

class ResidualBlockImpl : public torch::nn::Cloneable<ResidualBlockImpl> {
 public:
  explicit ResidualBlockImpl(const ResidualBlockOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  ResidualBlockOptions options;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};  // conv3: bottleneck only
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};  // the projection shortcut, where there is one
};
TORCH_MODULE(ResidualBlock);

// Builds the network after models::plan has checked it, initialised as arch.init says: Keras'
// (Glorot-uniform weights, zero biases) or torchvision's (kaiming_normal_ fan_out conv weights,
// BatchNorm 1 and 0, torch's default dense layers). Output: logits of shape
// [batch, num_classes] (the reference's final ReLU included). Throws core::UsageError naming
// the layer that does not fit.
torch::nn::Sequential build(const models::Architecture& arch, const models::InputShape& input,
                            int num_classes);

// Number of parameters (trainable and not) of a module, as Keras' model summary counts them:
// parameters and buffers but BatchNorm's step counters.
std::int64_t count_parameters(const torch::nn::Module& module);

// Number of trainable parameters (torch's parameters(), as torchvision's counts).
std::int64_t count_trainable_parameters(const torch::nn::Module& module);

}  // namespace helmholtz::train
