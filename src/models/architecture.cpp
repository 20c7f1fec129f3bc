#include "helmholtz/models/architecture.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::models {
namespace {

// Units written as 0 in a table stand for the class count; the builder fills it in.
constexpr int kClasses = 0;
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

const Architecture& lookup(const std::vector<Architecture>& all, int setting) {
  if (setting < 0 || setting >= static_cast<int>(all.size())) {
    throw core::UsageError("--setting must be 0.." + std::to_string(all.size() - 1) + ", got " +
                           std::to_string(setting));
  }
  return all[static_cast<std::size_t>(setting)];
}

// --- Builder ---------------------------------------------------------------------------

// Keras' glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Drawn with
// torch's generator so that torch::manual_seed makes a build reproducible.
void glorot_uniform_(torch::Tensor& weight, std::int64_t fan_in, std::int64_t fan_out) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  torch::nn::init::uniform_(weight, -limit, limit);
}

// Where the builder stands: a [C,H,W] feature map, or a flat vector of `features`.
struct Shape {
  std::int64_t channels = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  bool flat = false;
  std::int64_t features = 0;
};

std::string describe(const Architecture& arch, std::size_t index) {
  return "architecture '" + arch.name + "', layer " + std::to_string(index);
}

void require_spatial(const Shape& shape, const Architecture& arch, std::size_t index,
                     const char* what) {
  if (shape.flat) {
    throw core::UsageError(describe(arch, index) + ": " + what +
                           " needs a feature map, but the input was already flattened");
  }
}

// Output size of a valid (unpadded) window; throws when the input is smaller than the window.
std::int64_t valid_size(std::int64_t size, int kernel, int stride, const Architecture& arch,
                        std::size_t index) {
  if (size < kernel) {
    throw core::UsageError(describe(arch, index) + ": a " + std::to_string(kernel) + "x" +
                           std::to_string(kernel) + " window does not fit a feature map of " +
                           std::to_string(size) + " pixels; use a larger input");
  }
  return (size - kernel) / stride + 1;
}

void add_conv(torch::nn::Sequential& net, Shape& shape, const LayerSpec& spec, int num_classes,
              const Architecture& arch, std::size_t index) {
  require_spatial(shape, arch, index, "a convolution");
  if (spec.kernel < 1 || spec.stride < 1 || spec.units < 0) {
    throw core::UsageError(describe(arch, index) +
                           ": a convolution needs kernel >= 1, stride >= 1");
  }
  const std::int64_t out_channels = spec.units == kClasses ? num_classes : spec.units;
  const int k = spec.kernel;
  auto options =
      torch::nn::Conv2dOptions(shape.channels, out_channels, k).stride(spec.stride).bias(true);
  if (spec.same) {
    const Padding ph = tf_same_padding(static_cast<int>(shape.height), k, spec.stride);
    const Padding pw = tf_same_padding(static_cast<int>(shape.width), k, spec.stride);
    if (ph.before == ph.after && pw.before == pw.after) {
      options.padding(torch::ExpandingArray<2>({ph.before, pw.before}));
    } else {
      // TensorFlow puts the odd pixel after (bottom/right); torch's conv pads symmetrically.
      net->push_back(torch::nn::ZeroPad2d(
          torch::nn::ZeroPad2dOptions({pw.before, pw.after, ph.before, ph.after})));
      options.padding(0);
    }
    shape.height = (shape.height + spec.stride - 1) / spec.stride;
    shape.width = (shape.width + spec.stride - 1) / spec.stride;
  } else {
    options.padding(0);
    shape.height = valid_size(shape.height, k, spec.stride, arch, index);
    shape.width = valid_size(shape.width, k, spec.stride, arch, index);
  }
  torch::nn::Conv2d layer(options);
  const std::int64_t area = static_cast<std::int64_t>(k) * k;
  glorot_uniform_(layer->weight, shape.channels * area, out_channels * area);
  torch::nn::init::zeros_(layer->bias);
  net->push_back(layer);
  shape.channels = out_channels;
}

void add_dense(torch::nn::Sequential& net, Shape& shape, const LayerSpec& spec, int num_classes,
               const Architecture& arch, std::size_t index) {
  if (!shape.flat) {
    throw core::UsageError(describe(arch, index) +
                           ": a dense layer needs a Flatten or GlobalAvgPool before it");
  }
  if (spec.units < 0) {
    throw core::UsageError(describe(arch, index) + ": dense units must be >= 0");
  }
  const std::int64_t out = spec.units == kClasses ? num_classes : spec.units;
  torch::nn::Linear layer(torch::nn::LinearOptions(shape.features, out).bias(true));
  glorot_uniform_(layer->weight, shape.features, out);
  torch::nn::init::zeros_(layer->bias);
  net->push_back(layer);
  shape.features = out;
}

}  // namespace

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

BatchNormFreqImpl::BatchNormFreqImpl(const BatchNormFreqOptions& opts) : options(opts) { reset(); }

void BatchNormFreqImpl::reset() {
  norm =
      register_module("norm", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.rows())
                                                         .momentum(options.momentum())
                                                         .eps(options.eps())));
}

torch::Tensor BatchNormFreqImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(2) == options.rows(), "BatchNormFreq: expected [N,C,",
              options.rows(), ",W], got ", x.sizes());
  // [N,C,H,W] -> [N,H,C,W]: the rows become torch's channel axis.
  return norm->forward(x.transpose(1, 2)).transpose(1, 2);
}

Padding tf_same_padding(int size, int kernel, int stride) {
  TORCH_CHECK(size >= 1 && kernel >= 1 && stride >= 1, "tf_same_padding: size ", size, ", kernel ",
              kernel, ", stride ", stride);
  const int out = (size + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + kernel - size, 0);
  return Padding{total / 2, total - total / 2};
}

torch::nn::Sequential build(const Architecture& arch, const InputShape& input, int num_classes) {
  if (num_classes < 1) {
    throw core::UsageError("architecture '" + arch.name + "': the class count must be >= 1, got " +
                           std::to_string(num_classes));
  }
  if (input.channels < 1 || input.height < 1 || input.width < 1) {
    throw core::UsageError("architecture '" + arch.name + "': bad input shape " +
                           std::to_string(input.channels) + "x" + std::to_string(input.height) +
                           "x" + std::to_string(input.width));
  }
  torch::nn::Sequential net;
  Shape shape{input.channels, input.height, input.width};
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const LayerSpec& spec = arch.layers[i];
    switch (spec.kind) {
      case LayerKind::kConv:
        add_conv(net, shape, spec, num_classes, arch, i);
        break;
      case LayerKind::kReLU:
        net->push_back(torch::nn::ReLU());
        break;
      case LayerKind::kELU:
        net->push_back(torch::nn::ELU(torch::nn::ELUOptions().alpha(1.0)));  // Keras' alpha
        break;
      case LayerKind::kDropout:
        if (spec.rate < 0.0 || spec.rate >= 1.0) {
          throw core::UsageError(describe(arch, i) + ": dropout rate must be in [0, 1), got " +
                                 std::to_string(spec.rate));
        }
        net->push_back(torch::nn::Dropout(torch::nn::DropoutOptions(spec.rate)));
        break;
      case LayerKind::kMaxPool: {
        require_spatial(shape, arch, i, "max pooling");
        if (spec.kernel < 1) throw core::UsageError(describe(arch, i) + ": pool size must be >= 1");
        // Keras MaxPooling2D: stride = pool size, 'valid' padding (the remainder is dropped).
        net->push_back(
            torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(spec.kernel).stride(spec.kernel)));
        shape.height = valid_size(shape.height, spec.kernel, spec.kernel, arch, i);
        shape.width = valid_size(shape.width, spec.kernel, spec.kernel, arch, i);
        break;
      }
      case LayerKind::kFlatten:
        require_spatial(shape, arch, i, "Flatten");
        net->push_back(torch::nn::Flatten());
        shape.flat = true;
        shape.features = shape.channels * shape.height * shape.width;
        break;
      case LayerKind::kGlobalAvgPool:
        require_spatial(shape, arch, i, "global average pooling");
        net->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
        net->push_back(torch::nn::Flatten());
        shape.flat = true;
        shape.features = shape.channels;
        break;
      case LayerKind::kDense:
        add_dense(net, shape, spec, num_classes, arch, i);
        break;
      case LayerKind::kBatchNormFreq:
        require_spatial(shape, arch, i, "BatchNormFreq");
        net->push_back(BatchNormFreq(BatchNormFreqOptions(shape.height)));
        break;
    }
  }
  if (!shape.flat || shape.features != num_classes) {
    throw core::UsageError("architecture '" + arch.name + "' must end in " +
                           std::to_string(num_classes) +
                           " flat outputs (Flatten or GlobalAvgPool, and a last layer of 0 units)");
  }
  return net;
}

std::int64_t count_parameters(const torch::nn::Module& module) {
  static const std::string kSkipped = "num_batches_tracked";  // BatchNorm's step counter
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  for (const auto& item : module.named_buffers()) {
    const std::string& name = item.key();
    const bool skipped =
        name.size() >= kSkipped.size() &&
        name.compare(name.size() - kSkipped.size(), kSkipped.size(), kSkipped) == 0;
    if (!skipped) count += item.value().numel();
  }
  return count;
}

}  // namespace helmholtz::models
