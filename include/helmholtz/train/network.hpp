#pragma once
// The LibTorch side of an architecture: one builder turns a checked plan of a layer table
// (models::plan) into a torch::nn::Sequential, with Keras' initialisation.

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

// Builds the network (Glorot-uniform weights, zero biases, as Keras initialises them), after
// models::plan has checked it. Output: logits of shape [batch, num_classes] (the reference's
// final ReLU included). Throws core::UsageError naming the layer that does not fit.
torch::nn::Sequential build(const models::Architecture& arch, const models::InputShape& input,
                            int num_classes);

// Number of parameters (trainable and not) of a module, as Keras' model summary counts them.
std::int64_t count_parameters(const torch::nn::Module& module);

}  // namespace helmholtz::train
