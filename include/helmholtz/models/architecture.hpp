#pragma once
// Architectures as data: each setting is a table of layer specs, and one builder turns a table
// into a torch::nn::Sequential for a given input shape and class count.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::models {

enum class LayerKind {
  kConv,  // kernel, filters, stride, same padding (TensorFlow's 'same') or valid
  kReLU,
  kELU,
  kDropout,  // rate
  kMaxPool,  // kernel (= stride)
  kFlatten,
  kDense,  // units
  kGlobalAvgPool,
  kBatchNormFreq,  // BatchNorm over the FREQUENCY axis (rows), the audio reference's quirk
};

struct LayerSpec {
  LayerKind kind;
  int kernel = 0;
  int units = 0;  // conv filters or dense units
  int stride = 1;
  bool same = true;  // conv padding
  double rate = 0.0;
};

struct Architecture {
  int setting = 0;
  std::string name;               // e.g. "all-cnns"
  std::vector<LayerSpec> layers;  // the final classifier layer's units are the class count
                                  // (written as 0 in the table: filled in by the builder)
};

// The six image architectures of the reference, settings 0..5.
const std::vector<Architecture>& image_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& image_architecture(int setting);

// The six audio architectures of the reference (input 1 x 96 x 173, 12 classes), settings 0..5.
const std::vector<Architecture>& audio_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& audio_architecture(int setting);

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

struct InputShape {
  int channels = 3;
  int height = 32;
  int width = 32;
};

// TensorFlow's 'same' padding along one axis: output size ceil(size / stride), the total
// padding split with the odd pixel AFTER (bottom/right), unlike torch's symmetric padding.
struct Padding {
  int before = 0;
  int after = 0;
};
Padding tf_same_padding(int size, int kernel, int stride);

// Builds the network (Glorot-uniform weights, zero biases, as Keras initialises them).
// Output: logits of shape [batch, num_classes] (the reference's final ReLU included).
torch::nn::Sequential build(const Architecture& arch, const InputShape& input, int num_classes);

// Number of parameters (trainable and not) of a module, as Keras' model summary counts them.
std::int64_t count_parameters(const torch::nn::Module& module);

}  // namespace helmholtz::models
