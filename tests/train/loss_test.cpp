// Keras' categorical_crossentropy against a hand computation: values and gradients, with and
// without the clip of the probabilities to [1e-7, 1 - 1e-7].

#include "helmholtz/train/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace helmholtz::train {
namespace {

TEST(KerasLoss, UnclippedIsMinusLogSoftmaxWithItsGradient) {
  auto logits = torch::tensor({{2.0f, 1.0f, 0.0f}, {0.5f, -1.0f, 3.0f}}).requires_grad_();
  const auto labels = torch::tensor({0, 1}, torch::kInt64);
  const auto loss = keras_crossentropy(logits, labels);
  // By hand: p = e^z / sum e^z.
  const double s0 = std::exp(2.0) + std::exp(1.0) + 1.0;
  const double s1 = std::exp(0.5) + std::exp(-1.0) + std::exp(3.0);
  EXPECT_NEAR(loss[0].item<double>(), -std::log(std::exp(2.0) / s0), 1e-6);
  EXPECT_NEAR(loss[1].item<double>(), -std::log(std::exp(-1.0) / s1), 1e-6);
  loss.sum().backward();
  // d(-log p_y)/dz_k = p_k - [k == y].
  const double g[2][3] = {{std::exp(2.0) / s0 - 1, std::exp(1.0) / s0, 1.0 / s0},
                          {std::exp(0.5) / s1, std::exp(-1.0) / s1 - 1, std::exp(3.0) / s1}};
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(logits.grad()[i][k].item<double>(), g[i][k], 1e-6);
  }
}

TEST(KerasLoss, ClippedProbabilitiesCapTheLossAndStopTheGradient) {
  // Sample 0: the label's probability e^0 / (2 + e^40) ~ 4e-18 is below 1e-7: the loss is
  // -log(1e-7) = 16.118..., not 40, and no gradient flows. Sample 1: the label's probability
  // rounds above 1 - 1e-7: the loss is -log(float(1 - 1e-7)), again with no gradient.
  auto logits = torch::tensor({{0.0f, 40.0f, 0.0f}, {0.0f, 40.0f, 0.0f}}).requires_grad_();
  const auto labels = torch::tensor({0, 1}, torch::kInt64);
  const auto loss = keras_crossentropy(logits, labels);
  EXPECT_NEAR(loss[0].item<double>(), -std::log(1e-7), 1e-5);
  EXPECT_NEAR(loss[0].item<double>(), 16.1181, 1e-4);
  EXPECT_NEAR(loss[1].item<double>(), -std::log(static_cast<double>(1.0f - 1e-7f)), 1e-9);
  // LibTorch's own cross-entropy has no cap.
  EXPECT_NEAR(torch::nn::functional::cross_entropy(logits.detach(), labels,
                                                   torch::nn::functional::CrossEntropyFuncOptions()
                                                       .reduction(torch::kNone))[0]
                  .item<double>(),
              40.0, 1e-3);
  loss.sum().backward();
  EXPECT_EQ(logits.grad().abs().max().item<float>(), 0.0f);
}

}  // namespace
}  // namespace helmholtz::train
