#pragma once
// Architectures as data: each setting is a table of layer specs. `plan` walks a table over an
// input shape and a class count, checks that every layer fits, and gives each layer's shapes,
// padding and parameter count; the LibTorch builder (train/network.hpp) only instantiates a
// plan. A user's own table can come from a TOML file (architecture_file.hpp). No torch.
//
// Beside the reference's networks stand torchvision's ResNet-18, -34 and -50: the same
// vocabulary (convolutions with torch's symmetric padding and no bias, BatchNorm2d, torch's max
// pooling, and residual blocks), initialised as torchvision does.

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
  kMaxPool,  // kernel (= stride, Keras), or kernel, stride and pad (torch's)
  kFlatten,
  kDense,  // units
  kGlobalAvgPool,
  kBatchNormFreq,  // BatchNorm over the FREQUENCY axis (rows), the audio reference's quirk
  kBatchNorm,      // BatchNorm2d over the channels (eps 1e-5, momentum 0.1, as torchvision)
  // torchvision's residual blocks (units = filters, stride on the first 3x3 / the 3x3), each
  // with a 1x1 conv + BatchNorm projection shortcut where the stride or the channels change:
  kBasicBlock,  // 3x3 conv, BN, ReLU, 3x3 conv, BN, + shortcut, ReLU: `filters` channels out
  kBottleneck,  // 1x1, BN, ReLU, 3x3 (stride), BN, ReLU, 1x1, BN, + shortcut, ReLU: 4x filters
};

// "conv", "relu", "elu", "dropout", "maxpool", "flatten", "dense", "globalavgpool",
// "batchnorm-freq", "batchnorm", "basic", "bottleneck": the layer vocabulary of tables and
// architecture files.
const char* kind_name(LayerKind kind);
const std::vector<LayerKind>& layer_kinds();

// Units written as 0 stand for the class count; the plan fills it in.
inline constexpr int kClassUnits = 0;

// Output channels of a bottleneck block per filter (torchvision's Bottleneck.expansion).
inline constexpr int kBottleneckExpansion = 4;

// Torch's padding of a convolution or max pooling: none of its own (`pad` < 0).
inline constexpr int kNoTorchPad = -1;

struct LayerSpec {
  LayerKind kind = LayerKind::kReLU;
  int kernel = 0;
  int units = 0;     // conv and block filters, dense units (kClassUnits: the class count)
  int stride = 1;    // conv, block; maxpool only with a torch `pad`
  bool same = true;  // conv padding without a torch `pad`: TensorFlow's 'same', or valid
  // Zeros on every side, as torch pads (torchvision's convolutions pad kernel / 2). A conv with
  // kNoTorchPad pads by `same`; a maxpool with kNoTorchPad is Keras' (stride = kernel, valid).
  int pad = kNoTorchPad;
  bool bias = true;  // conv
  double rate = 0.0;
};

// How a network's weights start.
enum class Init {
  kKeras,  // Glorot-uniform conv and dense weights, zero biases (the reference's networks)
  // torchvision's ResNet: conv weights kaiming_normal_(fan_out, relu), BatchNorm weight 1 and
  // bias 0, dense layers (and conv biases) torch's default.
  kTorchvision,
};
const char* init_name(Init init);  // "keras", "torchvision"

struct Architecture {
  int setting = -1;               // 0..5 for the six tables, -1 for the ResNets and files
  std::string name;               // e.g. "all-cnns"
  std::vector<LayerSpec> layers;  // the final classifier layer's units are kClassUnits
  std::filesystem::path file;     // where a user's table came from (empty: built in)
  Init init = Init::kKeras;
};

// The six image architectures of the reference, settings 0..5.
const std::vector<Architecture>& image_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& image_architecture(int setting);

// The six audio architectures of the reference (input 1 x 96 x 173, 12 classes), settings 0..5.
const std::vector<Architecture>& audio_architectures();

// Looks up a setting; throws core::UsageError naming the valid range for anything else.
const Architecture& audio_architecture(int setting);

// torchvision's resnet18, resnet34 and resnet50 (setting -1, Init::kTorchvision): the 7x7
// stride-2 stem, BatchNorm, ReLU, 3x3 stride-2 max pooling, four stages of residual blocks,
// global average pooling and a dense layer to the classes. Made for 3x224x224 input; any input
// of at least 1x1 plans (CIFAR-10's 32x32 ends the last stage at 1x1).
const std::vector<Architecture>& residual_architectures();

// The built-in networks of a kind of data, the six settings first: images add the ResNets.
std::vector<Architecture> built_in_architectures(bool audio);

// A built-in network by name (`--model`) for a kind of data; throws core::UsageError listing
// that kind's names (and saying so where the name is the other kind's).
const Architecture& named_architecture(const std::string& name, bool audio);

// Whether `name` is a built-in network's, of either kind.
bool is_built_in_name(const std::string& name);

// The layers as one line, e.g. "conv(k3,f32,s1,same) relu ... dense(classes)": what a run's
// identity records of an architecture read from a file, so a changed file is a changed run.
// Led by "init(torchvision)" where the network does not start as Keras' would.
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
  LayerSpec spec;                // units filled in (kClassUnits replaced by the class count)
  std::int64_t in_channels = 0;  // feature maps: channels, height, width before the layer
  std::int64_t in_height = 0;
  std::int64_t in_width = 0;
  std::int64_t in_features = 0;  // flat input (dense): its length
  std::int64_t out_channels = 0;
  std::int64_t out_height = 0;
  std::int64_t out_width = 0;
  std::int64_t out_features = 0;  // flat output: its length (0 while still a feature map)
  Padding pad_rows, pad_cols;     // convolutions and torch's max pooling: the zeros added
  bool projection = false;        // blocks: a 1x1 conv + BatchNorm shortcut (else identity)
  std::int64_t parameters = 0;    // weights, biases and statistics, as Keras counts them
  std::int64_t trainable = 0;     // of those, the trained ones (torch's parameters())
};

// Checks `arch` against the input and the class count and resolves every layer. Throws
// core::UsageError naming the architecture and the layer ("layer 3 (conv): a 3x3 window does
// not fit a feature map of 2 pixels") when a size is bad or the shapes do not fit, and when
// the network does not end in `num_classes` flat outputs.
std::vector<LayerPlan> plan(const Architecture& arch, const InputShape& input, int num_classes);

// Number of parameters (trainable and not) of the network, as Keras' model summary counts
// them: the sum over `plan`.
std::int64_t parameter_count(const Architecture& arch, const InputShape& input, int num_classes);

// Number of trainable parameters (weights, biases, BatchNorm's gamma and beta; not its running
// statistics), as torch's parameters() and torchvision's published counts have them.
std::int64_t trainable_parameter_count(const Architecture& arch, const InputShape& input,
                                       int num_classes);

}  // namespace helmholtz::models
