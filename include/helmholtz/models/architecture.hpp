#pragma once
// Architectures as data: each setting is a table of layer specs. `plan` walks a table over an
// input shape and a class count, checks that every layer fits, and gives each layer's shapes,
// padding and parameter count; the LibTorch builder (train/network.hpp) only instantiates a
// plan. A user's own table can come from a TOML file (architecture_file.hpp). No torch.

#include <cstdint>
#include <filesystem>
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

// "conv", "relu", "elu", "dropout", "maxpool", "flatten", "dense", "globalavgpool",
// "batchnorm-freq": the layer vocabulary of tables and architecture files.
const char* kind_name(LayerKind kind);
const std::vector<LayerKind>& layer_kinds();

// Units written as 0 stand for the class count; the plan fills it in.
inline constexpr int kClassUnits = 0;

struct LayerSpec {
  LayerKind kind = LayerKind::kReLU;
  int kernel = 0;
  int units = 0;  // conv filters or dense units (kClassUnits: the class count)
  int stride = 1;
  bool same = true;  // conv padding
  double rate = 0.0;
};

struct Architecture {
  int setting = -1;               // 0..5 for the built-in tables, -1 for one read from a file
  std::string name;               // e.g. "all-cnns"
  std::vector<LayerSpec> layers;  // the final classifier layer's units are kClassUnits
  std::filesystem::path file;     // where a user's table came from (empty: built in)
};

// The six image architectures of the reference, settings 0..5.
const std::vector<Architecture>& image_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& image_architecture(int setting);

// The six audio architectures of the reference (input 1 x 96 x 173, 12 classes), settings 0..5.
const std::vector<Architecture>& audio_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& audio_architecture(int setting);

// The layers as one line, e.g. "conv(k3,f32,s1,same) relu ... dense(classes)": what a run's
// identity records of an architecture read from a file, so a changed file is a changed run.
std::string layer_text(const Architecture& arch);

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

// What one layer does to a [C,H,W] feature map or a flat vector, as the plan resolved it.
struct LayerPlan {
  LayerSpec spec;              // units filled in (kClassUnits replaced by the class count)
  std::int64_t in_channels = 0;  // feature maps: channels, height, width before the layer
  std::int64_t in_height = 0;
  std::int64_t in_width = 0;
  std::int64_t in_features = 0;  // flat input (dense): its length
  std::int64_t out_channels = 0;
  std::int64_t out_height = 0;
  std::int64_t out_width = 0;
  std::int64_t out_features = 0;  // flat output: its length (0 while still a feature map)
  Padding pad_rows, pad_cols;     // same convolutions
  std::int64_t parameters = 0;    // weights, biases and statistics, as Keras counts them
};

// Checks `arch` against the input and the class count and resolves every layer. Throws
// core::UsageError naming the architecture and the layer ("layer 3 (conv): a 3x3 window does
// not fit a feature map of 2 pixels") when a size is bad or the shapes do not fit, and when
// the network does not end in `num_classes` flat outputs.
std::vector<LayerPlan> plan(const Architecture& arch, const InputShape& input, int num_classes);

// Number of parameters (trainable and not) of the network, as Keras' model summary counts
// them: the sum over `plan`.
std::int64_t parameter_count(const Architecture& arch, const InputShape& input, int num_classes);

}  // namespace helmholtz::models
