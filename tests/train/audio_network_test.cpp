#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/train/network.hpp"

namespace helmholtz::train {
using namespace helmholtz::models;  // NOLINT: the tables under test
namespace {

// The reference's model summaries (input 96x173x1, 12 classes), BatchNorm over frequency
// included.
const std::vector<std::int64_t> kAudioCounts = {101412, 170436, 427492, 808356, 824868, 3715460};
const std::vector<std::string> kAudioNames = {"cnn_x3_mlp_0",      "cnn_x4_mlp_128",
                                              "cnn_x3_mlp_64_128", "cnn_x3_mlp_128",
                                              "cnn_x3_mlp_128x2",  "cnn_x2_mlp_128"};
const InputShape kMel{1, 96, 173};
constexpr int kClasses = 12;
constexpr std::int64_t kRows = 94;  // frequency rows after the first valid 3x3 conv

class AudioArchitectureTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

// The one BatchNormFreq module of a built network.
BatchNormFreq find_batch_norm(const torch::nn::Sequential& net) {
  for (const auto& child : net->children()) {
    if (auto bn = std::dynamic_pointer_cast<BatchNormFreqImpl>(child)) return BatchNormFreq(bn);
  }
  return BatchNormFreq(nullptr);
}

TEST_F(AudioArchitectureTest, SixSettingsWithTheReferenceNames) {
  const auto& all = audio_architectures();
  ASSERT_EQ(all.size(), 6u);
  for (int s = 0; s < 6; ++s) {
    EXPECT_EQ(all[s].setting, s);
    EXPECT_EQ(all[s].name, kAudioNames[s]);
    EXPECT_EQ(&audio_architecture(s), &all[s]);
  }
}

TEST_F(AudioArchitectureTest, BadSettingIsAUsageError) {
  EXPECT_THROW(audio_architecture(-1), core::UsageError);
  EXPECT_THROW(audio_architecture(6), core::UsageError);
}

TEST_F(AudioArchitectureTest, ParameterCountsMatchTheReference) {
  for (int s = 0; s < 6; ++s) {
    auto net = build(audio_architecture(s), kMel, kClasses);
    EXPECT_EQ(count_parameters(*net), kAudioCounts[s]) << audio_architecture(s).name;
  }
}

TEST_F(AudioArchitectureTest, ForwardGivesBatchByClasses) {
  torch::manual_seed(1);
  const auto x = torch::randn({2, 1, 96, 173});
  for (int s = 0; s < 6; ++s) {
    auto net = build(audio_architecture(s), kMel, kClasses);
    for (bool training : {true, false}) {
      net->train(training);
      torch::NoGradGuard no_grad;
      const auto y = net->forward(x);
      EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, kClasses})) << audio_architecture(s).name;
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
}

TEST_F(AudioArchitectureTest, BatchNormIsOverTheFrequencyAxis) {
  auto net = build(audio_architecture(0), kMel, kClasses);
  auto bn = find_batch_norm(net);
  ASSERT_TRUE(bn);
  EXPECT_EQ(bn->norm->running_mean.numel(), kRows);
  EXPECT_EQ(bn->norm->running_var.numel(), kRows);
  EXPECT_EQ(bn->norm->weight.numel(), kRows);
  EXPECT_EQ(bn->norm->bias.numel(), kRows);
  EXPECT_EQ(count_parameters(*bn), 4 * kRows);  // 376, as Keras counts it
  EXPECT_TRUE(torch::equal(bn->norm->weight, torch::ones({kRows})));
  EXPECT_TRUE(torch::equal(bn->norm->bias, torch::zeros({kRows})));
  EXPECT_DOUBLE_EQ(bn->options.momentum(), 0.01);  // Keras momentum 0.99
  EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-3);

  // In training mode each frequency row of the output has mean ~0 over (batch, channel, time),
  // while per-channel means are not forced to 0.
  torch::manual_seed(2);
  const auto row_scale = torch::linspace(1, 10, kRows).view({1, 1, kRows, 1});
  const auto channel_shift = torch::arange(32, torch::kFloat).view({1, 32, 1, 1});
  const auto x = torch::randn({3, 32, kRows, 171}) * row_scale + channel_shift;
  bn->train();
  torch::NoGradGuard no_grad;
  const auto y = bn->forward(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  const auto row_means = y.mean({0, 1, 3});
  const auto row_vars = y.pow(2).mean({0, 1, 3}) - row_means.pow(2);
  EXPECT_LT(row_means.abs().max().item<float>(), 1e-4);
  EXPECT_TRUE(torch::allclose(row_vars, torch::ones({kRows}), 1e-3, 1e-3));
  const auto channel_means = y.mean({0, 2, 3});
  EXPECT_GT(channel_means.abs().max().item<float>(), 0.5);
  // The running mean moved by momentum 0.01 towards the per-row batch means.
  const auto expected_running = 0.01 * x.mean({0, 1, 3});
  EXPECT_TRUE(torch::allclose(bn->norm->running_mean, expected_running, 1e-4, 1e-5));
}

TEST_F(AudioArchitectureTest, OutputHasNoFinalActivation) {
  // Dense(12) is last: eval-mode logits can be negative (softmax lives in the loss).
  torch::manual_seed(3);
  auto net = build(audio_architecture(3), kMel, kClasses);
  net->eval();
  torch::NoGradGuard no_grad;
  const auto y = net->forward(torch::randn({4, 1, 96, 173}));
  EXPECT_LT(y.min().item<float>(), 0.0f);
  const auto& last = audio_architecture(3).layers.back();
  EXPECT_EQ(last.kind, LayerKind::kDense);
}

TEST_F(AudioArchitectureTest, ImageTablesAreUnchanged) {
  EXPECT_EQ(image_architectures().size(), 6u);
  for (const auto& arch : image_architectures()) {
    for (const auto& spec : arch.layers) EXPECT_NE(spec.kind, LayerKind::kBatchNormFreq);
  }
}

}  // namespace
}  // namespace helmholtz::train
