#include "helmholtz/train/network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::train {
using namespace helmholtz::models;  // NOLINT: the tables under test
namespace {

// The reference's own model summaries (input 32x32x3, 10 classes).
const std::vector<std::int64_t> kCifarCounts = {701386,  1079562, 1144138,
                                                1276618, 1620298, 1686090};
[[maybe_unused]] const std::vector<std::string> kNames = {"all-cnns",       "cnns-dense-64",
                                         "all-cnnsx2",     "cnns-x2-dense-128",
                                         "cnns-dense-128", "cnns-dense-128-256"};

class ArchitectureTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

TEST_F(ArchitectureTest, Cifar10ParameterCountsMatchTheReference) {
  for (int s = 0; s < 6; ++s) {
    auto net = build(image_architecture(s), InputShape{3, 32, 32}, 10);
    EXPECT_EQ(count_parameters(*net), kCifarCounts[s]) << image_architecture(s).name;
    // The torch-free plan counts what LibTorch holds.
    EXPECT_EQ(parameter_count(image_architecture(s), InputShape{3, 32, 32}, 10), kCifarCounts[s]);
  }
}

TEST_F(ArchitectureTest, ForwardGivesBatchByClasses) {
  torch::manual_seed(1);
  const auto x = torch::rand({4, 3, 32, 32});
  for (int s = 0; s < 6; ++s) {
    auto net = build(image_architecture(s), InputShape{3, 32, 32}, 10);
    for (bool training : {true, false}) {
      net->train(training);
      torch::NoGradGuard no_grad;
      const auto y = net->forward(x);
      EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{4, 10})) << image_architecture(s).name;
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
}

TEST_F(ArchitectureTest, DenseHeadsEndInReLU) {
  // The reference's quirk: Dense(10) followed by ReLU, so eval-mode logits are never negative.
  torch::manual_seed(2);
  const auto x = torch::rand({8, 3, 32, 32});
  for (int s : {1, 3, 4, 5}) {
    auto net = build(image_architecture(s), InputShape{3, 32, 32}, 10);
    net->eval();
    torch::NoGradGuard no_grad;
    EXPECT_GE(net->forward(x).min().item<float>(), 0.0f) << image_architecture(s).name;
  }
  // Head G ends in global average pooling with no ReLU after the last conv.
  const auto& g = image_architecture(0).layers;
  EXPECT_EQ(g.back().kind, LayerKind::kGlobalAvgPool);
  EXPECT_EQ(g[g.size() - 2].kind, LayerKind::kConv);
}

TEST_F(ArchitectureTest, OneChannelInputDropsTheFirstConvsExtraWeights) {
  // Fashion-MNIST padded to 32x32: the first conv has 2 input channels x 3 x 3 x 32 fewer weights.
  torch::manual_seed(3);
  const auto x = torch::rand({2, 1, 32, 32});
  for (int s = 0; s < 6; ++s) {
    auto net = build(image_architecture(s), InputShape{1, 32, 32}, 10);
    EXPECT_EQ(count_parameters(*net), kCifarCounts[s] - 2 * 9 * 32);
    net->eval();
    torch::NoGradGuard no_grad;
    EXPECT_EQ(net->forward(x).sizes(), (std::vector<std::int64_t>{2, 10}));
  }
}

TEST_F(ArchitectureTest, ClassCountIsFilledInByTheBuilder) {
  auto net = build(image_architecture(0), InputShape{3, 32, 32}, 12);
  // Only the last conv changes: 128 -> 12 instead of 128 -> 10 (1x1, with bias).
  EXPECT_EQ(count_parameters(*net), kCifarCounts[0] + 2 * 129);
  auto dense = build(image_architecture(1), InputShape{3, 32, 32}, 12);
  EXPECT_EQ(count_parameters(*dense), kCifarCounts[1] + 2 * 257);
}

TEST_F(ArchitectureTest, Stride2SameConvMatchesTensorFlow) {
  // A 3x3 stride-2 'same' conv with all-ones weights on the 4x4 input x[r][c] = 4r + c + 1.
  // TensorFlow pads 0 rows/cols before and 1 after, so the windows start at 0 and 2:
  //   y[0][0] = rows 0-2, cols 0-2              = 6 + 18 + 30 = 54
  //   y[0][1] = rows 0-2, cols 2-3 (+ zero col) = 7 + 15 + 23 = 45
  //   y[1][0] = rows 2-3 (+ zero row), cols 0-2 = 30 + 42      = 72
  //   y[1][1] = rows 2-3, cols 2-3              = 23 + 31      = 54
  // (torch's symmetric padding=1 would give 14 at [0][0].)
  Architecture arch{0, "stride-2", {}};
  LayerSpec c{LayerKind::kConv};
  c.kernel = 3;
  c.units = 1;
  c.stride = 2;
  c.same = true;
  arch.layers = {c, LayerSpec{LayerKind::kFlatten}};
  auto net = build(arch, InputShape{1, 4, 4}, 4);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->named_parameters()) {
      if (p.key().find("weight") != std::string::npos) {
        p.value().fill_(1.0);
      } else {
        p.value().zero_();
      }
    }
  }
  const auto x = torch::arange(1, 17, torch::kFloat32).reshape({1, 1, 4, 4});
  torch::NoGradGuard no_grad;
  const auto y = net->forward(x);
  const auto expected = torch::tensor({54.0f, 45.0f, 72.0f, 54.0f}).reshape({1, 4});
  EXPECT_TRUE(torch::equal(y, expected)) << y;
}

TEST_F(ArchitectureTest, FeatureMapSizesFollowTensorFlow) {
  // Odd input: 33 -> ceil(33/2) = 17 -> 9 after the stem and block B; 9*9*128 flat features.
  auto net = build(image_architecture(1), InputShape{3, 33, 33}, 10);
  const std::int64_t flat_dense = 9 * 9 * 128 * 64 + 64;
  EXPECT_EQ(count_parameters(*net), kCifarCounts[1] - (8 * 8 * 128 * 64 + 64) + flat_dense);
  torch::NoGradGuard no_grad;
  net->eval();
  EXPECT_EQ(net->forward(torch::rand({1, 3, 33, 33})).sizes(), (std::vector<std::int64_t>{1, 10}));
}

TEST_F(ArchitectureTest, GlorotUniformWeightsAndZeroBiases) {
  torch::manual_seed(4);
  for (int s = 0; s < 6; ++s) {
    auto net = build(image_architecture(s), InputShape{3, 32, 32}, 10);
    int layers = 0;
    for (const auto& module : net->modules(/*include_self=*/false)) {
      torch::Tensor weight;
      torch::Tensor bias;
      double fan_in = 0;
      double fan_out = 0;
      if (auto* conv = module->as<torch::nn::Conv2d>()) {
        weight = conv->weight;
        bias = conv->bias;
        const double area = static_cast<double>(weight.size(2) * weight.size(3));
        fan_in = static_cast<double>(weight.size(1)) * area;
        fan_out = static_cast<double>(weight.size(0)) * area;
      } else if (auto* linear = module->as<torch::nn::Linear>()) {
        weight = linear->weight;
        bias = linear->bias;
        fan_in = static_cast<double>(weight.size(1));
        fan_out = static_cast<double>(weight.size(0));
      } else {
        continue;
      }
      ++layers;
      const double limit = std::sqrt(6.0 / (fan_in + fan_out));
      const double max_abs = weight.abs().max().item<double>();
      EXPECT_LE(max_abs, limit);
      // Big enough tensors reach close to the bound (LibTorch's default init would not).
      if (weight.numel() >= 1000) {
        EXPECT_GT(max_abs, 0.95 * limit);
      }
      EXPECT_NEAR(weight.mean().item<double>(), 0.0, limit / 10.0);
      ASSERT_TRUE(bias.defined());
      EXPECT_EQ(bias.abs().max().item<double>(), 0.0);
    }
    EXPECT_GE(layers, 7);
  }
}

TEST_F(ArchitectureTest, SameSeedSameWeights) {
  auto weights = [](int seed) {
    torch::manual_seed(seed);
    auto net = build(image_architecture(3), InputShape{3, 32, 32}, 10);
    std::vector<torch::Tensor> out;
    for (const auto& p : net->parameters()) out.push_back(p.detach().clone());
    return out;
  };
  const auto a = weights(7);
  const auto b = weights(7);
  const auto c = weights(8);
  ASSERT_EQ(a.size(), b.size());
  bool any_differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
    if (!torch::equal(a[i], c[i])) any_differs = true;
  }
  EXPECT_TRUE(any_differs);
}

TEST_F(ArchitectureTest, CountsBatchNormStatisticsButNotItsStepCounter) {
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3)),
                            torch::nn::BatchNorm2d(4));
  // conv 4*9 + 4, BN gamma/beta 8 + running mean/var 8; num_batches_tracked not counted.
  EXPECT_EQ(count_parameters(*net), 40 + 16);
}

TEST_F(ArchitectureTest, BadBuildArgumentsAreRejected) {
  EXPECT_THROW(build(image_architecture(0), InputShape{3, 32, 32}, 0), core::UsageError);
  EXPECT_THROW(build(image_architecture(0), InputShape{0, 32, 32}, 10), core::UsageError);
  Architecture dense_first{0, "dense-first", {LayerSpec{LayerKind::kDense}}};
  EXPECT_THROW(build(dense_first, InputShape{3, 32, 32}, 10), core::UsageError);
  LayerSpec valid{LayerKind::kConv};
  valid.kernel = 5;
  valid.units = 0;
  valid.same = false;
  Architecture too_small{0, "too-small", {valid, LayerSpec{LayerKind::kGlobalAvgPool}}};
  EXPECT_THROW(build(too_small, InputShape{1, 4, 4}, 10), core::UsageError);
  EXPECT_NO_THROW(build(too_small, InputShape{1, 5, 5}, 10));
}

TEST_F(ArchitectureTest, EluAndMaxPoolBuild) {
  // The audio blocks' vocabulary: valid conv, ELU, 2x2 max pooling (floor), dropout, dense.
  LayerSpec c{LayerKind::kConv};
  c.kernel = 3;
  c.units = 32;
  c.same = false;
  LayerSpec pool{LayerKind::kMaxPool};
  pool.kernel = 2;
  LayerSpec drop{LayerKind::kDropout};
  drop.rate = 0.5;
  LayerSpec out{LayerKind::kDense};
  out.units = 0;
  Architecture arch{
      0,
      "audio-like",
      {c, LayerSpec{LayerKind::kELU}, pool, drop, LayerSpec{LayerKind::kFlatten}, out}};
  auto net = build(arch, InputShape{1, 96, 173}, 12);
  // 96x173 -> valid 3x3 -> 94x171 -> pool 2 -> 47x85.
  EXPECT_EQ(count_parameters(*net), (9 * 32 + 32) + (47 * 85 * 32 * 12 + 12));
  net->eval();
  torch::NoGradGuard no_grad;
  const auto y = net->forward(torch::randn({2, 1, 96, 173}));
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 12}));
}

}  // namespace
}  // namespace helmholtz::train
