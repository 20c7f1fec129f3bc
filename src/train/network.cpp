#include "helmholtz/train/network.hpp"

#include <cmath>
#include <string>

namespace helmholtz::train {
namespace {

using models::LayerKind;
using models::LayerPlan;

// Keras' glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Drawn with
// torch's generator so that torch::manual_seed makes a build reproducible.
void glorot_uniform_(torch::Tensor& weight, std::int64_t fan_in, std::int64_t fan_out) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  torch::nn::init::uniform_(weight, -limit, limit);
}

void add_conv(torch::nn::Sequential& net, const LayerPlan& p) {
  const int k = p.spec.kernel;
  auto options =
      torch::nn::Conv2dOptions(p.in_channels, p.out_channels, k).stride(p.spec.stride).bias(true);
  options.padding(0);
  if (p.spec.same) {
    if (p.pad_rows.before == p.pad_rows.after && p.pad_cols.before == p.pad_cols.after) {
      options.padding(torch::ExpandingArray<2>({p.pad_rows.before, p.pad_cols.before}));
    } else {
      // TensorFlow puts the odd pixel after (bottom/right); torch's conv pads symmetrically.
      net->push_back(torch::nn::ZeroPad2d(torch::nn::ZeroPad2dOptions(
          {p.pad_cols.before, p.pad_cols.after, p.pad_rows.before, p.pad_rows.after})));
    }
  }
  torch::nn::Conv2d layer(options);
  const std::int64_t area = static_cast<std::int64_t>(k) * k;
  glorot_uniform_(layer->weight, p.in_channels * area, p.out_channels * area);
  torch::nn::init::zeros_(layer->bias);
  net->push_back(layer);
}

void add_dense(torch::nn::Sequential& net, const LayerPlan& p) {
  torch::nn::Linear layer(torch::nn::LinearOptions(p.in_features, p.out_features).bias(true));
  glorot_uniform_(layer->weight, p.in_features, p.out_features);
  torch::nn::init::zeros_(layer->bias);
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

torch::nn::Sequential build(const models::Architecture& arch, const models::InputShape& input,
                            int num_classes) {
  torch::nn::Sequential net;
  for (const LayerPlan& p : models::plan(arch, input, num_classes)) {
    switch (p.spec.kind) {
      case LayerKind::kConv:
        add_conv(net, p);
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
        net->push_back(torch::nn::MaxPool2d(
            torch::nn::MaxPool2dOptions(p.spec.kernel).stride(p.spec.kernel)));
        break;
      case LayerKind::kFlatten:
        net->push_back(torch::nn::Flatten());
        break;
      case LayerKind::kGlobalAvgPool:
        net->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
        net->push_back(torch::nn::Flatten());
        break;
      case LayerKind::kDense:
        add_dense(net, p);
        break;
      case LayerKind::kBatchNormFreq:
        net->push_back(BatchNormFreq(BatchNormFreqOptions(p.in_height)));
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

}  // namespace helmholtz::train
