// Precision: the names, the autocast guard, and the measurement behind keeping float32 weights.

#include "helmholtz/train/precision.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loop.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {

TEST(Precision, NamesResolvePerDevice) {
  const torch::Device cpu(torch::kCPU);
  const torch::Device cuda(torch::kCUDA, 0);
  using run::PrecisionChoice;
  EXPECT_EQ(resolve_precision(PrecisionChoice::kAuto, cpu), Precision::kFp32);
  EXPECT_EQ(resolve_precision(PrecisionChoice::kAuto, cuda), Precision::kBf16);
  EXPECT_EQ(resolve_precision(PrecisionChoice::kFp32, cuda), Precision::kFp32);
  EXPECT_EQ(resolve_precision(PrecisionChoice::kBf16, cpu), Precision::kBf16);
  EXPECT_EQ(to_string(Precision::kBf16), "bf16");
  // The name is parsed at the edge, by the run spec's field.
  run::RunSpec spec;
  const auto message = testing::error_message_of<core::UsageError>(
      [&] { run::find_field("precision")->set(spec, "fp16"); });
  EXPECT_NE(message.find("--precision 'fp16'"), std::string::npos) << message;
  run::find_field("precision")->set(spec, "bf16");
  EXPECT_EQ(spec.runtime.precision, PrecisionChoice::kBf16);
}

TEST(Precision, AutocastGuardCastsInsideAndRestoresAfter) {
  torch::nn::Linear linear(4, 3);
  const auto x = torch::randn({2, 4});
  {
    const AutocastGuard outer(torch::kCPU, Precision::kBf16);
    EXPECT_EQ(linear->forward(x).scalar_type(), torch::kBFloat16);
    {
      const AutocastGuard inner(torch::kCPU, Precision::kFp32);  // fp32: changes nothing
      EXPECT_EQ(linear->forward(x).scalar_type(), torch::kBFloat16);
    }
    // Softmax cross-entropy is computed in float32 under autocast.
    const auto loss =
        torch::nn::functional::cross_entropy(linear->forward(x), torch::tensor({0, 2}));
    EXPECT_EQ(loss.scalar_type(), torch::kFloat32);
  }
  EXPECT_EQ(linear->forward(x).scalar_type(), torch::kFloat32);
  {
    const AutocastGuard fp32(torch::kCPU, Precision::kFp32);
    EXPECT_EQ(linear->forward(x).scalar_type(), torch::kFloat32);
  }
}

// Why weights stay float32 under bf16: one real Keras SGD step of all-cnns at the reference's
// lr changes most weights by less than half a bfloat16 step, so bfloat16 weights would not move.
TEST(Precision, HalfPrecisionWeightsWouldLoseMostSgdUpdates) {
  torch::manual_seed(3);
  auto model = build(models::image_architecture(0), {3, 32, 32}, 10);
  std::vector<torch::Tensor> before;
  for (const auto& p : model->parameters()) before.push_back(p.detach().clone());
  KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
  const auto images = data::make_pattern_images(64, 32, 32, 3, 10, 5);
  const auto batch = to_tensors(images, torch::Device(torch::kCPU));
  sgd.zero_grad();
  torch::nn::functional::cross_entropy(model->forward(model_input(batch.images)), batch.labels)
      .backward();
  sgd.step();
  std::int64_t moved32 = 0, moved_bf16 = 0, total = 0;
  const auto params = model->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].dim() < 2) continue;  // weights, not biases (those start at zero)
    const auto after = params[i].detach();
    moved32 += after.ne(before[i]).sum().item<std::int64_t>();
    moved_bf16 +=
        after.to(torch::kBFloat16).ne(before[i].to(torch::kBFloat16)).sum().item<std::int64_t>();
    total += after.numel();
  }
  std::printf("one Keras SGD step of all-cnns moved %lld of %lld weights in float32, %lld in "
              "bfloat16\n",
              static_cast<long long>(moved32), static_cast<long long>(total),
              static_cast<long long>(moved_bf16));
  EXPECT_GT(moved32, total * 9 / 10) << "float32 keeps (nearly) every update";
  EXPECT_LT(moved_bf16, total / 2) << "bfloat16 would round most updates away: " << moved_bf16
                                   << " of " << total << " weights moved";
}

}  // namespace
}  // namespace helmholtz::train
