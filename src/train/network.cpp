#include "helmholtz/train/network.hpp"

#include <cmath>
#include <string>

namespace helmholtz::train {
namespace {

using models::Init;
using models::LayerKind;
using models::LayerPlan;

// torchvision's BatchNorm2d: torch's defaults.
constexpr double kBatchNormEps = 1e-5;
constexpr double kBatchNormMomentum = 0.1;

// Keras' glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Drawn with
// torch's generator so that torch::manual_seed makes a build reproducible.
void glorot_uniform_(torch::Tensor& weight, std::int64_t fan_in, std::int64_t fan_out) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  torch::nn::init::uniform_(weight, -limit, limit);
}

// A conv's weights (and bias) as `init` starts them.
void init_conv(torch::nn::Conv2d& layer, Init init) {
  if (init == Init::kTorchvision) {
    // kaiming_normal_(mode = fan_out, nonlinearity = relu); a bias keeps torch's default.
    torch::nn::init::kaiming_normal_(layer->weight, 0.0, torch::kFanOut, torch::kReLU);
    return;
  }
  const auto& w = layer->weight;
  const std::int64_t area = w.size(2) * w.size(3);
  glorot_uniform_(layer->weight, w.size(1) * area, w.size(0) * area);
  if (layer->options.bias()) torch::nn::init::zeros_(layer->bias);
}

torch::nn::BatchNorm2d batch_norm(std::int64_t channels) {
  // gamma 1 and beta 0 (torch's reset, and torchvision's init alike).
  return torch::nn::BatchNorm2d(
      torch::nn::BatchNorm2dOptions(channels).eps(kBatchNormEps).momentum(kBatchNormMomentum));
}

// torchvision's conv3x3 / conv1x1: no bias, kernel / 2 zeros on every side.
torch::nn::Conv2d block_conv(std::int64_t in, std::int64_t out, int kernel, std::int64_t stride,
                             Init init) {
  torch::nn::Conv2d layer(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
  init_conv(layer, init);
  return layer;
}

void add_conv(torch::nn::Sequential& net, const LayerPlan& p, Init init) {
  const int k = p.spec.kernel;
  auto options = torch::nn::Conv2dOptions(p.in_channels, p.out_channels, k)
                     .stride(p.spec.stride)
                     .bias(p.spec.bias);
  options.padding(0);
  if (p.spec.pad != models::kNoTorchPad) {
    options.padding(p.spec.pad);
  } else if (p.spec.same) {
    if (p.pad_rows.before == p.pad_rows.after && p.pad_cols.before == p.pad_cols.after) {
      options.padding(torch::ExpandingArray<2>({p.pad_rows.before, p.pad_cols.before}));
    } else {
      // TensorFlow puts the odd pixel after (bottom/right); torch's conv pads symmetrically.
      net->push_back(torch::nn::ZeroPad2d(torch::nn::ZeroPad2dOptions(
          {p.pad_cols.before, p.pad_cols.after, p.pad_rows.before, p.pad_rows.after})));
    }
  }
  torch::nn::Conv2d layer(options);
  init_conv(layer, init);
  net->push_back(layer);
}

void add_dense(torch::nn::Sequential& net, const LayerPlan& p, Init init) {
  torch::nn::Linear layer(torch::nn::LinearOptions(p.in_features, p.out_features).bias(true));
  if (init == Init::kKeras) {
    glorot_uniform_(layer->weight, p.in_features, p.out_features);
    torch::nn::init::zeros_(layer->bias);
  }  // torchvision: torch's default (kaiming_uniform_(a = sqrt(5)), bias U(+-1/sqrt(fan_in)))
  net->push_back(layer);
}

}  // namespace

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

ResidualBlockImpl::ResidualBlockImpl(const ResidualBlockOptions& opts) : options(opts) { reset(); }

void ResidualBlockImpl::reset() {
  const auto& o = options;
  const Init init = o.init();
  const std::int64_t f = o.filters();
  const std::int64_t out = o.bottleneck() ? models::kBottleneckExpansion * f : f;
  if (o.bottleneck()) {
    conv1 = register_module("conv1", block_conv(o.in_channels(), f, 1, 1, init));
    conv2 = register_module("conv2", block_conv(f, f, 3, o.stride(), init));
    conv3 = register_module("conv3", block_conv(f, out, 1, 1, init));
    bn3 = register_module("bn3", batch_norm(out));
  } else {
    conv1 = register_module("conv1", block_conv(o.in_channels(), f, 3, o.stride(), init));
    conv2 = register_module("conv2", block_conv(f, f, 3, 1, init));
  }
  bn1 = register_module("bn1", batch_norm(f));
  bn2 = register_module("bn2", batch_norm(f));
  if (o.projection()) {
    downsample = register_module(
        "downsample", torch::nn::Sequential(block_conv(o.in_channels(), out, 1, o.stride(), init),
                                            batch_norm(out)));
  }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1->forward(conv1->forward(x)));
  y = bn2->forward(conv2->forward(y));
  if (options.bottleneck()) y = bn3->forward(conv3->forward(torch::relu(y)));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

torch::nn::Sequential build(const models::Architecture& arch, const models::InputShape& input,
                            int num_classes) {
  torch::nn::Sequential net;
  for (const LayerPlan& p : models::plan(arch, input, num_classes)) {
    switch (p.spec.kind) {
      case LayerKind::kConv:
        add_conv(net, p, arch.init);
        break;
      case LayerKind::kReLU:
        net->push_back(torch::nn::ReLU());
        break;
      case LayerKind::kELU:
        net->push_back(torch::nn::ELU(torch::nn::ELUOptions().alpha(1.0)));  // Keras' alpha
        break;
      case LayerKind::kDropout:
        net->push_back(torch::nn::Dropout(torch::nn::DropoutOptions(p.spec.rate)));
        break;
      case LayerKind::kMaxPool:
        if (p.spec.pad == models::kNoTorchPad) {
          net->push_back(torch::nn::MaxPool2d(
              torch::nn::MaxPool2dOptions(p.spec.kernel).stride(p.spec.kernel)));
        } else {
          net->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(p.spec.kernel)
                                                  .stride(p.spec.stride)
                                                  .padding(p.spec.pad)));
        }
        break;
      case LayerKind::kFlatten:
        net->push_back(torch::nn::Flatten());
        break;
      case LayerKind::kGlobalAvgPool:
        net->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
        net->push_back(torch::nn::Flatten());
        break;
      case LayerKind::kDense:
        add_dense(net, p, arch.init);
        break;
      case LayerKind::kBatchNormFreq:
        net->push_back(BatchNormFreq(BatchNormFreqOptions(p.in_height)));
        break;
      case LayerKind::kBatchNorm:
        net->push_back(batch_norm(p.in_channels));
        break;
      case LayerKind::kBasicBlock:
      case LayerKind::kBottleneck:
        net->push_back(ResidualBlock(ResidualBlockOptions(p.in_channels, p.spec.units)
                                         .stride(p.spec.stride)
                                         .bottleneck(p.spec.kind == LayerKind::kBottleneck)
                                         .projection(p.projection)
                                         .init(arch.init)));
        break;
    }
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

std::int64_t count_trainable_parameters(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) {
    if (parameter.requires_grad()) count += parameter.numel();
  }
  return count;
}

}  // namespace helmholtz::train
