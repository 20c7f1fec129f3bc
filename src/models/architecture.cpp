#include "helmholtz/models/architecture.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::models {
namespace {

constexpr int kClasses = kClassUnits;
constexpr double kDropoutRate = 0.5;

// --- Layer helpers: the vocabulary the tables are written in ------------------------------

LayerSpec conv(int kernel, int filters, int stride = 1, bool same = true) {
  LayerSpec spec{LayerKind::kConv};
  spec.kernel = kernel;
  spec.units = filters;
  spec.stride = stride;
  spec.same = same;
  return spec;
}

LayerSpec valid_conv(int kernel, int filters) { return conv(kernel, filters, 1, /*same=*/false); }

LayerSpec relu() { return LayerSpec{LayerKind::kReLU}; }

LayerSpec elu() { return LayerSpec{LayerKind::kELU}; }

LayerSpec batch_norm_freq() { return LayerSpec{LayerKind::kBatchNormFreq}; }

LayerSpec max_pool(int size) {
  LayerSpec spec{LayerKind::kMaxPool};
  spec.kernel = size;
  return spec;
}

LayerSpec dropout(double rate) {
  LayerSpec spec{LayerKind::kDropout};
  spec.rate = rate;
  return spec;
}

LayerSpec flatten() { return LayerSpec{LayerKind::kFlatten}; }

LayerSpec dense(int units) {
  LayerSpec spec{LayerKind::kDense};
  spec.units = units;
  return spec;
}

LayerSpec global_avg_pool() { return LayerSpec{LayerKind::kGlobalAvgPool}; }

// torchvision's convolutions: no bias, kernel / 2 zeros on every side (conv3x3, conv1x1 and the
// 7x7 stem alike).
LayerSpec torch_conv(int kernel, int filters, int stride) {
  LayerSpec spec = conv(kernel, filters, stride);
  spec.pad = kernel / 2;
  spec.bias = false;
  return spec;
}

LayerSpec batch_norm() { return LayerSpec{LayerKind::kBatchNorm}; }

LayerSpec torch_max_pool(int kernel, int stride, int pad) {
  LayerSpec spec = max_pool(kernel);
  spec.stride = stride;
  spec.pad = pad;
  return spec;
}

LayerSpec residual_block(LayerKind kind, int filters, int stride) {
  LayerSpec spec{kind};
  spec.units = filters;
  spec.stride = stride;
  return spec;
}

using Layers = std::vector<LayerSpec>;

Layers concat(std::initializer_list<Layers> parts) {
  Layers out;
  for (const Layers& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Common stem: C(3,32,1) ReLU C(3,64,1) ReLU C(3,128,2) Dropout(0.5); no activation after the
// stride-2 conv (as in the reference).
Layers stem() {
  return {conv(3, 32), relu(), conv(3, 64), relu(), conv(3, 128, 2), dropout(kDropoutRate)};
}

// Block B: C(3,128,1) ReLU C(3,128,1) ReLU C(3,128,2) Dropout(0.5).
Layers block() {
  return {conv(3, 128), relu(), conv(3, 128), relu(), conv(3, 128, 2), dropout(kDropoutRate)};
}

// Head G: C(3,128,1) ReLU C(1,128,1,valid) ReLU C(1,classes,1,valid) GlobalAvgPool.
Layers conv_head() {
  const Layers convs{conv(3, 128), relu(), valid_conv(1, 128), relu(), valid_conv(1, kClasses)};
  return concat({convs, {global_avg_pool()}});
}

// Dense head D(u1,u2,...): Flatten, then Dense(u) ReLU Dropout(0.5) per unit count, then
// Dense(classes) ReLU (the final ReLU before softmax is the reference's quirk, kept).
Layers dense_head(std::initializer_list<int> units) {
  Layers out{flatten()};
  for (int u : units) {
    out.push_back(dense(u));
    out.push_back(relu());
    out.push_back(dropout(kDropoutRate));
  }
  out.push_back(dense(kClasses));
  out.push_back(relu());
  return out;
}

std::vector<Architecture> make_image_architectures() {
  return {
      {0, "all-cnns", concat({stem(), block(), conv_head()})},
      {1, "cnns-dense-64", concat({stem(), block(), dense_head({64, 256})})},
      {2, "all-cnnsx2", concat({stem(), block(), block(), conv_head()})},
      {3, "cnns-x2-dense-128", concat({stem(), block(), block(), dense_head({128, 256})})},
      {4, "cnns-dense-128", concat({stem(), block(), dense_head({128, 256})})},
      {5, "cnns-dense-128-256", concat({stem(), block(), dense_head({128, 256, 256})})},
  };
}

// --- Audio tables ------------------------------------------------------------------------

constexpr int kAudioFilters = 32;
constexpr double kAudioConvDropout = 0.5;
constexpr double kAudioDenseDropout = 0.6;

// Audio stem: valid C(3,32) BatchNorm over frequency (the reference's axis=1 quirk) ReLU.
Layers audio_stem() { return {valid_conv(3, kAudioFilters), batch_norm_freq(), relu()}; }

// k blocks of valid C(3,32) ELU MaxPool(2) Dropout(0.5).
Layers audio_blocks(int k) {
  Layers out;
  for (int i = 0; i < k; ++i) {
    const Layers one{valid_conv(3, kAudioFilters), elu(), max_pool(2), dropout(kAudioConvDropout)};
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

// Flatten, Dense(u) ELU Dropout(0.6) per unit count, Dense(classes): no activation, the
// softmax is in the loss.
Layers audio_head(std::initializer_list<int> units) {
  Layers out{flatten()};
  for (int u : units) {
    out.push_back(dense(u));
    out.push_back(elu());
    out.push_back(dropout(kAudioDenseDropout));
  }
  out.push_back(dense(kClasses));
  return out;
}

std::vector<Architecture> make_audio_architectures() {
  return {
      {0, "cnn_x3_mlp_0", concat({audio_stem(), audio_blocks(3), audio_head({})})},
      {1, "cnn_x4_mlp_128", concat({audio_stem(), audio_blocks(4), audio_head({128})})},
      {2, "cnn_x3_mlp_64_128", concat({audio_stem(), audio_blocks(3), audio_head({64, 128})})},
      {3, "cnn_x3_mlp_128", concat({audio_stem(), audio_blocks(3), audio_head({128})})},
      {4, "cnn_x3_mlp_128x2", concat({audio_stem(), audio_blocks(3), audio_head({128, 128})})},
      {5, "cnn_x2_mlp_128", concat({audio_stem(), audio_blocks(2), audio_head({128})})},
  };
}

// --- torchvision's ResNets ------------------------------------------------------------------

// conv1 (7x7, stride 2, 64 filters, no bias), bn1, relu, maxpool (3x3, stride 2, padding 1);
// then layer1..layer4 of `blocks[i]` blocks with 64, 128, 256 and 512 filters, the first block
// of layer2..layer4 with stride 2; avgpool and fc to the classes.
Architecture resnet(const std::string& name, LayerKind block, std::initializer_list<int> blocks) {
  Layers layers{torch_conv(7, 64, 2), batch_norm(), relu(), torch_max_pool(3, 2, 1)};
  int filters = 64;
  int stage = 0;
  for (const int count : blocks) {
    for (int b = 0; b < count; ++b) {
      layers.push_back(residual_block(block, filters, b == 0 && stage > 0 ? 2 : 1));
    }
    filters *= 2;
    ++stage;
  }
  layers.push_back(global_avg_pool());
  layers.push_back(dense(kClasses));
  Architecture arch{-1, name, std::move(layers)};
  arch.init = Init::kTorchvision;
  return arch;
}

std::vector<Architecture> make_residual_architectures() {
  return {
      resnet("resnet18", LayerKind::kBasicBlock, {2, 2, 2, 2}),
      resnet("resnet34", LayerKind::kBasicBlock, {3, 4, 6, 3}),
      resnet("resnet50", LayerKind::kBottleneck, {3, 4, 6, 3}),
  };
}

const Architecture& lookup(const std::vector<Architecture>& all, int setting) {
  if (setting < 0 || setting >= static_cast<int>(all.size())) {
    throw core::UsageError("--setting must be 0.." + std::to_string(all.size() - 1) + ", got " +
                           std::to_string(setting));
  }
  return all[static_cast<std::size_t>(setting)];
}

std::string describe(const Architecture& arch, std::size_t index) {
  return "architecture '" + arch.name + "'" +
         (arch.file.empty() ? std::string() : " ('" + arch.file.string() + "')") + ", layer " +
         std::to_string(index + 1) + " (" + kind_name(arch.layers[index].kind) + ")";
}

// Output size of a valid (unpadded) window; throws when the input is smaller than the window.
std::int64_t valid_size(std::int64_t size, int kernel, int stride, const Architecture& arch,
                        std::size_t index) {
  if (size < kernel) {
    throw core::UsageError(describe(arch, index) + ": a " + std::to_string(kernel) + "x" +
                           std::to_string(kernel) + " window does not fit a feature map of " +
                           std::to_string(size) + " pixels; use fewer poolings or strides, or " +
                           "a larger input");
  }
  return (size - kernel) / stride + 1;
}

// A count of weights or features: the product of a layer's sizes, which an architecture file's
// numbers (each up to 10^6) can take past int64. Such a layer is refused like one that does not
// fit, where the overflow would be undefined behaviour.
std::int64_t checked_product(std::initializer_list<std::int64_t> factors, const Architecture& arch,
                             std::size_t index) {
  std::int64_t n = 1;
  for (const std::int64_t f : factors) {
    if (__builtin_mul_overflow(n, f, &n)) {
      throw core::UsageError(describe(arch, index) + ": its sizes make more than 2^63 weights " +
                             "or features; use fewer filters, units or a smaller kernel");
    }
  }
  return n;
}

// Weights and BatchNorm channels of a layer, counted as Keras (4 numbers per channel: gamma,
// beta, running mean and variance) and as torch's trainable parameters (gamma and beta).
struct Count {
  std::int64_t parameters = 0;
  std::int64_t trainable = 0;
};

Count counted(std::initializer_list<std::int64_t> weights,
              std::initializer_list<std::int64_t> norm_channels, const Architecture& arch,
              std::size_t index) {
  std::int64_t w = 0, bn = 0;
  bool overflow = false;
  for (const std::int64_t n : weights) overflow |= __builtin_add_overflow(w, n, &w);
  for (const std::int64_t n : norm_channels) overflow |= __builtin_add_overflow(bn, n, &bn);
  Count c;
  overflow |= __builtin_add_overflow(w, checked_product({4, bn}, arch, index), &c.parameters);
  overflow |= __builtin_add_overflow(w, checked_product({2, bn}, arch, index), &c.trainable);
  if (overflow) {
    throw core::UsageError(describe(arch, index) + ": its sizes make more than 2^63 weights; " +
                           "use fewer filters");
  }
  return c;
}

std::string format_rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", rate);
  return text;
}

}  // namespace

const char* kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kReLU:
      return "relu";
    case LayerKind::kELU:
      return "elu";
    case LayerKind::kDropout:
      return "dropout";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kGlobalAvgPool:
      return "globalavgpool";
    case LayerKind::kBatchNormFreq:
      return "batchnorm-freq";
    case LayerKind::kBatchNorm:
      return "batchnorm";
    case LayerKind::kBasicBlock:
      return "basic";
    case LayerKind::kBottleneck:
      return "bottleneck";
  }
  return "?";
}

const char* init_name(Init init) { return init == Init::kTorchvision ? "torchvision" : "keras"; }

const std::vector<LayerKind>& layer_kinds() {
  static const std::vector<LayerKind> kinds = {
      LayerKind::kConv,      LayerKind::kReLU,          LayerKind::kELU,
      LayerKind::kDropout,   LayerKind::kMaxPool,       LayerKind::kFlatten,
      LayerKind::kDense,     LayerKind::kGlobalAvgPool, LayerKind::kBatchNormFreq,
      LayerKind::kBatchNorm, LayerKind::kBasicBlock,    LayerKind::kBottleneck};
  return kinds;
}

const std::vector<Architecture>& image_architectures() {
  static const std::vector<Architecture> architectures = make_image_architectures();
  return architectures;
}

const Architecture& image_architecture(int setting) {
  return lookup(image_architectures(), setting);
}

const std::vector<Architecture>& audio_architectures() {
  static const std::vector<Architecture> architectures = make_audio_architectures();
  return architectures;
}

const Architecture& audio_architecture(int setting) {
  return lookup(audio_architectures(), setting);
}

const std::vector<Architecture>& residual_architectures() {
  static const std::vector<Architecture> architectures = make_residual_architectures();
  return architectures;
}

std::vector<Architecture> built_in_architectures(bool audio) {
  if (audio) return audio_architectures();
  std::vector<Architecture> out = image_architectures();
  out.insert(out.end(), residual_architectures().begin(), residual_architectures().end());
  return out;
}

const Architecture& named_architecture(const std::string& name, bool audio) {
  const auto find = [&name](const std::vector<Architecture>& table) -> const Architecture* {
    for (const auto& arch : table) {
      if (arch.name == name) return &arch;
    }
    return nullptr;
  };
  const std::vector<const std::vector<Architecture>*> tables =
      audio ? std::vector<const std::vector<Architecture>*>{&audio_architectures()}
            : std::vector<const std::vector<Architecture>*>{&image_architectures(),
                                                            &residual_architectures()};
  std::string names;
  for (const auto* table : tables) {
    if (const Architecture* found = find(*table)) return *found;
    for (const auto& arch : *table) names += (names.empty() ? "" : ", ") + arch.name;
  }
  const bool other_kind = audio ? find(image_architectures()) || find(residual_architectures())
                                : find(audio_architectures()) != nullptr;
  throw core::UsageError("--model '" + name + "'" +
                         (other_kind
                              ? std::string(" is an ") + (audio ? "image" : "audio") + " network"
                              : std::string(" is no built-in network")) +
                         "; the " + (audio ? "audio" : "image") + " networks are " + names +
                         " (or give your own with --architecture FILE)");
}

bool is_built_in_name(const std::string& name) {
  for (const bool audio : {false, true}) {
    for (const auto& arch : built_in_architectures(audio)) {
      if (arch.name == name) return true;
    }
  }
  return false;
}

std::string layer_text(const Architecture& arch) {
  // Keras' initialisation says nothing, so that the networks of files from before other
  // initialisations keep their identity.
  std::string out =
      arch.init == Init::kKeras ? std::string() : "init(" + std::string(init_name(arch.init)) + ")";
  for (const auto& l : arch.layers) {
    if (!out.empty()) out += ' ';
    out += kind_name(l.kind);
    const std::string units = l.units == kClassUnits ? "classes" : std::to_string(l.units);
    switch (l.kind) {
      case LayerKind::kConv:
        out += "(k" + std::to_string(l.kernel) + ",f" + units + ",s" + std::to_string(l.stride) +
               (l.pad != kNoTorchPad ? ",p" + std::to_string(l.pad)
                                     : std::string(l.same ? ",same" : ",valid")) +
               (l.bias ? ")" : ",nobias)");
        break;
      case LayerKind::kBasicBlock:
      case LayerKind::kBottleneck:
        out += "(f" + std::to_string(l.units) + ",s" + std::to_string(l.stride) + ")";
        break;
      case LayerKind::kDense:
        out += "(" + units + ")";
        break;
      case LayerKind::kDropout:
        out += "(" + format_rate(l.rate) + ")";
        break;
      case LayerKind::kMaxPool:
        out += l.pad == kNoTorchPad
                   ? "(" + std::to_string(l.kernel) + ")"
                   : "(k" + std::to_string(l.kernel) + ",s" + std::to_string(l.stride) + ",p" +
                         std::to_string(l.pad) + ")";
        break;
      default:
        break;
    }
  }
  return out;
}

Padding tf_same_padding(int size, int kernel, int stride) {
  if (size < 1 || kernel < 1 || stride < 1) {
    throw core::UsageError("tf_same_padding: size " + std::to_string(size) + ", kernel " +
                           std::to_string(kernel) + ", stride " + std::to_string(stride));
  }
  const int out = (size + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + kernel - size, 0);
  return Padding{total / 2, total - total / 2};
}

namespace {

std::int64_t sum_over_plan(const Architecture& arch, const InputShape& input, int num_classes,
                           std::int64_t LayerPlan::*count_of) {
  std::int64_t count = 0;
  for (const auto& p : plan(arch, input, num_classes)) {
    if (__builtin_add_overflow(count, p.*count_of, &count)) {
      throw core::UsageError("architecture '" + arch.name + "' has more than 2^63 parameters");
    }
  }
  return count;
}

}  // namespace

std::vector<LayerPlan> plan(const Architecture& arch, const InputShape& input, int num_classes) {
  if (num_classes < 1) {
    throw core::UsageError("architecture '" + arch.name + "': the class count must be >= 1, got " +
                           std::to_string(num_classes));
  }
  if (input.channels < 1 || input.height < 1 || input.width < 1) {
    throw core::UsageError("architecture '" + arch.name + "': bad input shape " +
                           std::to_string(input.channels) + "x" + std::to_string(input.height) +
                           "x" + std::to_string(input.width));
  }
  if (arch.layers.empty()) {
    throw core::UsageError("architecture '" + arch.name + "' has no layers");
  }
  std::vector<LayerPlan> out;
  std::int64_t channels = input.channels, height = input.height, width = input.width;
  std::int64_t features = 0;  // > 0: the input is flat
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    LayerPlan p;
    p.spec = arch.layers[i];
    p.in_channels = channels;
    p.in_height = height;
    p.in_width = width;
    p.in_features = features;
    const bool flat = features > 0;
    const auto need_map = [&](const char* what) {
      if (flat) {
        throw core::UsageError(describe(arch, i) + ": " + what +
                               " needs a feature map, but the input was already flattened");
      }
    };
    const auto units = [&]() -> std::int64_t {
      if (p.spec.units < 0) {
        throw core::UsageError(describe(arch, i) + ": units must be >= 1 (0: the class count)");
      }
      if (p.spec.units == kClassUnits) p.spec.units = num_classes;
      return p.spec.units;
    };
    switch (p.spec.kind) {
      case LayerKind::kConv: {
        need_map("a convolution");
        if (p.spec.kernel < 1 || p.spec.stride < 1) {
          throw core::UsageError(describe(arch, i) +
                                 ": a convolution needs kernel >= 1, stride >= 1");
        }
        const std::int64_t filters = units();
        const int k = p.spec.kernel, s = p.spec.stride;
        if (p.spec.pad != kNoTorchPad) {
          if (p.spec.pad < 0) throw core::UsageError(describe(arch, i) + ": padding must be >= 0");
          p.pad_rows = p.pad_cols = Padding{p.spec.pad, p.spec.pad};
          height = valid_size(height + 2 * p.spec.pad, k, s, arch, i);
          width = valid_size(width + 2 * p.spec.pad, k, s, arch, i);
        } else if (p.spec.same) {
          p.pad_rows = tf_same_padding(static_cast<int>(height), k, s);
          p.pad_cols = tf_same_padding(static_cast<int>(width), k, s);
          height = (height + s - 1) / s;
          width = (width + s - 1) / s;
        } else {
          height = valid_size(height, k, s, arch, i);
          width = valid_size(width, k, s, arch, i);
        }
        // channels x k x k weights and (unless bias = false) a bias per filter.
        p.parameters = checked_product(
            {checked_product({channels, k, k}, arch, i) + (p.spec.bias ? 1 : 0), filters}, arch, i);
        p.trainable = p.parameters;
        channels = filters;
        break;
      }
      case LayerKind::kReLU:
      case LayerKind::kELU:
        break;
      case LayerKind::kDropout:
        if (!(p.spec.rate >= 0.0 && p.spec.rate < 1.0)) {
          throw core::UsageError(describe(arch, i) + ": dropout rate must be in [0, 1), got " +
                                 format_rate(p.spec.rate));
        }
        break;
      case LayerKind::kMaxPool:
        need_map("max pooling");
        if (p.spec.kernel < 1)
          throw core::UsageError(describe(arch, i) + ": pool size must be >= 1");
        if (p.spec.pad == kNoTorchPad) {
          // Keras MaxPooling2D: stride = pool size, 'valid' padding (the remainder is dropped).
          height = valid_size(height, p.spec.kernel, p.spec.kernel, arch, i);
          width = valid_size(width, p.spec.kernel, p.spec.kernel, arch, i);
          break;
        }
        // torch's MaxPool2d: kernel, stride, padding (at most half the kernel), floor.
        if (p.spec.stride < 1 || p.spec.pad < 0 || p.spec.pad > p.spec.kernel / 2) {
          throw core::UsageError(describe(arch, i) + ": max pooling needs stride >= 1 and " +
                                 "padding from 0 to half the size (" +
                                 std::to_string(p.spec.kernel / 2) + ")");
        }
        p.pad_rows = p.pad_cols = Padding{p.spec.pad, p.spec.pad};
        height = valid_size(height + 2 * p.spec.pad, p.spec.kernel, p.spec.stride, arch, i);
        width = valid_size(width + 2 * p.spec.pad, p.spec.kernel, p.spec.stride, arch, i);
        break;
      case LayerKind::kFlatten:
        need_map("Flatten");
        features = checked_product({channels, height, width}, arch, i);
        break;
      case LayerKind::kGlobalAvgPool:
        need_map("global average pooling");
        features = channels;
        break;
      case LayerKind::kDense: {
        if (!flat) {
          throw core::UsageError(describe(arch, i) +
                                 ": a dense layer needs a flatten or globalavgpool before it");
        }
        const std::int64_t n = units();
        p.parameters = checked_product({features + 1, n}, arch, i);  // weights and biases
        p.trainable = p.parameters;
        features = n;
        break;
      }
      case LayerKind::kBatchNormFreq: {
        need_map("batchnorm-freq");
        const Count c = counted({}, {height}, arch, i);  // one gamma, beta, mean, var per row
        p.parameters = c.parameters;
        p.trainable = c.trainable;
        break;
      }
      case LayerKind::kBatchNorm: {
        need_map("batchnorm");
        const Count c = counted({}, {channels}, arch, i);
        p.parameters = c.parameters;
        p.trainable = c.trainable;
        break;
      }
      case LayerKind::kBasicBlock:
      case LayerKind::kBottleneck: {
        need_map("a residual block");
        if (p.spec.units < 1 || p.spec.stride < 1) {
          throw core::UsageError(describe(arch, i) +
                                 ": a residual block needs filters >= 1 and stride >= 1");
        }
        const bool bottleneck = p.spec.kind == LayerKind::kBottleneck;
        const std::int64_t f = p.spec.units;
        const std::int64_t out =
            bottleneck ? checked_product({kBottleneckExpansion, f}, arch, i) : f;
        p.projection = p.spec.stride != 1 || channels != out;
        // Its 3x3 convs pad 1 and its 1x1 convs none: either way the stride gives (size-1)/s+1.
        height = valid_size(height + 2, 3, p.spec.stride, arch, i);
        width = valid_size(width + 2, 3, p.spec.stride, arch, i);
        const std::int64_t shortcut = p.projection ? checked_product({channels, out}, arch, i) : 0;
        const std::int64_t shortcut_bn = p.projection ? out : 0;
        const Count c = bottleneck ? counted({checked_product({channels, f}, arch, i),
                                              checked_product({9, f, f}, arch, i),
                                              checked_product({f, out}, arch, i), shortcut},
                                             {f, f, out, shortcut_bn}, arch, i)
                                   : counted({checked_product({9, channels, f}, arch, i),
                                              checked_product({9, f, f}, arch, i), shortcut},
                                             {f, f, shortcut_bn}, arch, i);
        p.parameters = c.parameters;
        p.trainable = c.trainable;
        channels = out;
        break;
      }
    }
    p.out_channels = channels;
    p.out_height = height;
    p.out_width = width;
    p.out_features = features;
    out.push_back(p);
  }
  if (features != num_classes) {
    throw core::UsageError(
        "architecture '" + arch.name + "' must end in " + std::to_string(num_classes) +
        " flat outputs (flatten or globalavgpool, then a last layer of 0 "
        "units: the class count), but it ends in " +
        (features > 0 ? std::to_string(features) + " flat outputs" : std::string("a feature map")));
  }
  return out;
}

std::int64_t parameter_count(const Architecture& arch, const InputShape& input, int num_classes) {
  return sum_over_plan(arch, input, num_classes, &LayerPlan::parameters);
}

std::int64_t trainable_parameter_count(const Architecture& arch, const InputShape& input,
                                       int num_classes) {
  return sum_over_plan(arch, input, num_classes, &LayerPlan::trainable);
}

}  // namespace helmholtz::models
