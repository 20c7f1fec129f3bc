// torchvision's ResNets built with LibTorch: the module's own counts (trainable parameters and
// BatchNorm buffers), a forward and backward pass, torchvision's initialisation and state-dict
// names.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/network.hpp"

namespace helmholtz::train {
namespace {

using models::InputShape;
using models::residual_architectures;

// The running means and variances of the BatchNorms (not their step counters).
std::int64_t count_statistics(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& item : module.named_buffers()) {
    const std::string& name = item.key();
    if (name.find("num_batches_tracked") == std::string::npos) count += item.value().numel();
  }
  return count;
}

class ResNetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    at::set_num_threads(2);
    torch::manual_seed(0);
  }
};

TEST_F(ResNetTest, ModuleCountsAreTorchvisions) {
  // torchvision.models.resnet{18,34,50}(): trainable parameters, and 2 x the BN channels of
  // running statistics.
  const std::vector<std::int64_t> trainable = {11689512, 21797672, 25557032};
  const std::vector<std::int64_t> statistics = {9600, 17024, 53120};
  for (std::size_t i = 0; i < residual_architectures().size(); ++i) {
    const auto& arch = residual_architectures()[i];
    const auto net = build(arch, InputShape{3, 224, 224}, 1000);
    EXPECT_EQ(count_trainable_parameters(*net), trainable[i]) << arch.name;
    EXPECT_EQ(count_statistics(*net), statistics[i]) << arch.name;
    EXPECT_EQ(count_parameters(*net), trainable[i] + statistics[i]) << arch.name;
    EXPECT_EQ(count_parameters(*net), models::parameter_count(arch, {3, 224, 224}, 1000));
    EXPECT_EQ(count_trainable_parameters(*net),
              models::trainable_parameter_count(arch, {3, 224, 224}, 1000));
  }
}

TEST_F(ResNetTest, ForwardAndBackwardOnATinyBatch) {
  auto net = build(residual_architectures()[0], InputShape{3, 64, 64}, 10);
  net->train();
  const auto x = torch::randn({2, 3, 64, 64});
  const auto y = net->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 10}));
  const auto loss = torch::nn::functional::cross_entropy(y, torch::tensor({1, 7}));
  loss.backward();
  for (const auto& p : net->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
  }
  EXPECT_GT(net->named_parameters()["0.weight"].grad().abs().sum().item<float>(), 0.0f);
  // Eval mode uses the running statistics the training pass updated.
  torch::NoGradGuard no_grad;
  net->eval();
  EXPECT_EQ(net->forward(x).sizes(), (std::vector<std::int64_t>{2, 10}));
  // The bottleneck network too, and its clone (Cloneable blocks).
  auto fifty = build(residual_architectures()[2], InputShape{3, 32, 32}, 10);
  fifty->eval();
  EXPECT_EQ(fifty->forward(torch::randn({1, 3, 32, 32})).sizes(),
            (std::vector<std::int64_t>{1, 10}));
  auto copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(fifty->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(count_parameters(*copy), count_parameters(*fifty));
}

TEST_F(ResNetTest, InitialisedAsTorchvisionWithItsNames) {
  auto net = build(residual_architectures()[0], InputShape{3, 224, 224}, 1000);
  const auto params = net->named_parameters();
  // State-dict keys as torchvision's blocks have them (the dense layer is module 14: global
  // average pooling is two modules, the pooling and a flatten).
  for (const char* key :
       {"0.weight", "1.weight", "1.bias", "4.conv1.weight", "4.bn2.bias", "6.downsample.0.weight",
        "6.downsample.1.weight", "14.weight", "14.bias"}) {
    EXPECT_NE(params.find(key), nullptr) << key;
  }
  EXPECT_EQ(params.find("0.bias"), nullptr);                 // convs without bias
  EXPECT_EQ(params.find("4.downsample.0.weight"), nullptr);  // identity shortcut
  // kaiming_normal_(fan_out, relu): std sqrt(2 / (out x k x k)); layer4's 3x3 512->512 convs
  // have 2.4M weights, so the sample std is within a percent.
  const auto w = params["11.conv2.weight"];
  const double expected = std::sqrt(2.0 / (512 * 9));
  EXPECT_NEAR(w.std().item<double>(), expected, 0.01 * expected);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.01 * expected);
  // BatchNorm weight 1, bias 0.
  EXPECT_TRUE(torch::all(params["4.bn1.weight"] == 1).item<bool>());
  EXPECT_TRUE(torch::all(params["6.downsample.1.bias"] == 0).item<bool>());
  // The dense layer keeps torch's default: U(-1/sqrt(512), 1/sqrt(512)) for weights and bias.
  const double bound = 1.0 / std::sqrt(512.0);
  EXPECT_LE(params["14.weight"].abs().max().item<double>(), bound);
  EXPECT_LE(params["14.bias"].abs().max().item<double>(), bound);
  EXPECT_GT(params["14.bias"].abs().max().item<double>(), 0.0);  // not Keras' zeros
  // The reference networks keep Keras' zero biases.
  auto keras = build(models::image_architecture(1), InputShape{3, 32, 32}, 10);
  for (const auto& p : keras->named_parameters()) {
    if (p.key().find("bias") != std::string::npos) {
      EXPECT_EQ(p.value().abs().max().item<float>(), 0.0f) << p.key();
    }
  }
}

}  // namespace
}  // namespace helmholtz::train
