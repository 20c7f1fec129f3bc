// TorchSgd against LibTorch's own SGD (which follows torch.optim.SGD), the lr schedules against
// hand-computed values, its checkpoint state, and the label-smoothed Keras loss against the
// plain Keras loss and torch's cross_entropy with label_smoothing.

#include "helmholtz/train/torch_sgd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loss.hpp"
#include "helmholtz/train/smoothed_loss.hpp"
#include "train/optimizer_state.hpp"

namespace helmholtz::train {
namespace {

namespace F = torch::nn::functional;

// A tiny conv + linear classifier; the same seed gives the same weights.
torch::nn::Sequential tiny_model(int channels = 3) {
  torch::manual_seed(7);
  return torch::nn::Sequential(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(2, channels, 3).padding(1)), torch::nn::ReLU(),
      torch::nn::Flatten(), torch::nn::Linear(channels * 4 * 4, 5));
}

struct Batch {
  torch::Tensor x;
  torch::Tensor y;
};

Batch tiny_batch() {
  torch::manual_seed(11);
  return {torch::randn({6, 2, 4, 4}), torch::randint(0, 5, {6}, torch::kInt64)};
}

// One forward and backward pass on the batch: the gradients the optimizer steps with.
void backward(torch::nn::Sequential& model, const Batch& batch) {
  F::cross_entropy(model->forward(batch.x), batch.y).backward();
}

void expect_same_weights(torch::nn::Sequential& a, torch::nn::Sequential& b, double tolerance) {
  const auto pa = a->parameters();
  const auto pb = b->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_LE((pa[i] - pb[i]).abs().max().item<double>(), tolerance) << "parameter " << i;
  }
}

ScheduleOptions step_schedule(int step_epochs, double gamma) {
  ScheduleOptions options;
  options.schedule = LrSchedule::kStep;
  options.step_epochs = step_epochs;
  options.gamma = gamma;
  return options;
}

TEST(TorchSgd, MatchesLibTorchSgdThroughAStepSchedule) {
  // One step per "epoch", the lr halved every two: 0.1, 0.1, 0.05, 0.05, 0.025, 0.025.
  const double lrs[] = {0.1, 0.1, 0.05, 0.05, 0.025, 0.025};
  const auto batch = tiny_batch();
  for (const bool nesterov : {false, true}) {
    SCOPED_TRACE(nesterov ? "nesterov" : "plain momentum");
    auto ours = tiny_model();
    auto theirs = tiny_model();
    TorchSgd sgd(ours->parameters(), 0.1, 0.9, nesterov, 1e-4, step_schedule(2, 0.5));
    torch::optim::SGD reference(
        theirs->parameters(),
        torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-4).nesterov(nesterov));
    EXPECT_DOUBLE_EQ(sgd.current_lr(), 0.1);
    for (int step = 0; step < 6; ++step) {
      sgd.start_epoch(step + 1);
      EXPECT_NEAR(sgd.current_lr(), lrs[step], 1e-15) << "epoch " << step + 1;
      static_cast<torch::optim::SGDOptions&>(reference.param_groups()[0].options()).lr(lrs[step]);
      sgd.zero_grad();
      reference.zero_grad();
      backward(ours, batch);
      backward(theirs, batch);
      sgd.step();
      reference.step();
      expect_same_weights(ours, theirs, 1e-6);
    }
    EXPECT_EQ(sgd.iterations(), 6);
  }
}

TEST(TorchSgd, InPlaceZeroedGradientsGiveTheSameSteps) {
  // The loop's graph path zeroes gradients in place instead of dropping them; the update is the
  // same.
  const auto batch = tiny_batch();
  auto a = tiny_model();
  auto b = tiny_model();
  TorchSgd sa(a->parameters(), 0.05, 0.9, true, 5e-4, {});
  TorchSgd sb(b->parameters(), 0.05, 0.9, true, 5e-4, {});
  for (int step = 0; step < 3; ++step) {
    sa.zero_grad();
    sb.zero_grad_in_place();
    backward(a, batch);
    backward(b, batch);
    sa.step();
    sb.update();
    sb.count_step();
  }
  expect_same_weights(a, b, 0.0);
}

TEST(TorchSgd, ParameterWithoutGradientIsLeftAlone) {
  auto p = torch::tensor({1.0, 2.0}, torch::kFloat64).requires_grad_(true);
  auto q = torch::tensor({3.0}, torch::kFloat64).requires_grad_(true);
  TorchSgd sgd({p, q}, 0.5, 0.5, false, 0.0, {});
  (p * p / 2).sum().backward();  // gradient p; q gets none
  sgd.step();
  EXPECT_TRUE(torch::equal(p, torch::tensor({0.5, 1.0}, torch::kFloat64)));
  EXPECT_EQ(q.item<double>(), 3.0);
}

TEST(TorchSgd, RefusesWhatTorchRefuses) {
  auto p = torch::zeros({2}).requires_grad_(true);
  EXPECT_THROW(TorchSgd({p}, -0.1, 0.9, false, 0.0, {}), core::UsageError);
  EXPECT_THROW(TorchSgd({p}, 0.1, -0.9, false, 0.0, {}), core::UsageError);
  EXPECT_THROW(TorchSgd({p}, 0.1, 0.9, false, -1e-4, {}), core::UsageError);
  EXPECT_THROW(TorchSgd({p}, 0.1, 0.0, true, 0.0, {}), core::UsageError);
  EXPECT_THROW(TorchSgd({p}, 0.1, 0.9, false, 0.0, step_schedule(0, 0.1)), core::UsageError);
  ScheduleOptions cosine;
  cosine.schedule = LrSchedule::kCosine;  // total_epochs left at 0
  EXPECT_THROW(TorchSgd({p}, 0.1, 0.9, false, 0.0, cosine), core::UsageError);
}

TEST(TorchSgdSchedule, StepMultipliesByGammaEveryStepEpochs) {
  const auto options = step_schedule(30, 0.1);
  EXPECT_NEAR(scheduled_lr(0.1, options, 1), 0.1, 1e-12);
  EXPECT_NEAR(scheduled_lr(0.1, options, 30), 0.1, 1e-12);
  EXPECT_NEAR(scheduled_lr(0.1, options, 31), 0.01, 1e-12);
  EXPECT_NEAR(scheduled_lr(0.1, options, 61), 0.001, 1e-12);
}

TEST(TorchSgdSchedule, CosineAnnealsToZeroOverTotalEpochs) {
  ScheduleOptions options;
  options.schedule = LrSchedule::kCosine;
  options.total_epochs = 10;
  EXPECT_NEAR(scheduled_lr(0.4, options, 1), 0.4, 1e-12);
  EXPECT_NEAR(scheduled_lr(0.4, options, 6), 0.2, 1e-12);
  EXPECT_NEAR(scheduled_lr(0.4, options, 11), 0.0, 1e-12);
}

TEST(TorchSgdSchedule, ConstantKeepsTheBase) {
  EXPECT_EQ(scheduled_lr(0.3, {}, 1), 0.3);
  EXPECT_EQ(scheduled_lr(0.3, {}, 500), 0.3);
}

TEST(TorchSgdSchedule, NamesRoundTripAndOthersAreRefused) {
  for (const auto schedule : {LrSchedule::kConstant, LrSchedule::kStep, LrSchedule::kCosine}) {
    EXPECT_EQ(parse_lr_schedule(to_string(schedule)), schedule);
  }
  EXPECT_EQ(to_string(LrSchedule::kCosine), "cosine");
  try {
    parse_lr_schedule("linear");
    FAIL() << "no exception";
  } catch (const core::UsageError& e) {
    EXPECT_STREQ(e.what(), "--schedule 'linear': use constant, step or cosine");
  }
}

TEST(TorchSgd, SaveLoadContinuesAsUninterrupted) {
  const auto batch = tiny_batch();
  auto a = tiny_model();
  TorchSgd sa(a->parameters(), 0.1, 0.9, true, 1e-4, step_schedule(2, 0.1));
  for (int epoch = 1; epoch <= 3; ++epoch) {
    sa.start_epoch(epoch);
    sa.zero_grad();
    backward(a, batch);
    sa.step();
  }
  // A fresh model with a's weights and a fresh optimizer with a's state.
  auto b = tiny_model();
  {
    torch::NoGradGuard no_grad;
    const auto from = a->parameters();
    auto to = b->parameters();
    for (std::size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  TorchSgd sb(b->parameters(), 0.1, 0.9, true, 1e-4, step_schedule(2, 0.1));
  testing::copy_state(sa, sb);
  EXPECT_EQ(sb.iterations(), 3);
  for (int epoch = 4; epoch <= 5; ++epoch) {
    for (auto [model, sgd] : {std::pair{&a, &sa}, std::pair{&b, &sb}}) {
      sgd->start_epoch(epoch);
      sgd->zero_grad();
      backward(*model, batch);
      sgd->step();
    }
    EXPECT_EQ(sb.current_lr(), sa.current_lr());
  }
  expect_same_weights(a, b, 0.0);
  EXPECT_EQ(sb.iterations(), 5);
}

TEST(TorchSgd, LoadRefusesAnotherModelOrOptimizer) {
  auto a = tiny_model(3);
  TorchSgd sa(a->parameters(), 0.1, 0.9, false, 0.0, {});
  // Same number of parameters, other shapes.
  auto wider = tiny_model(4);
  TorchSgd wide(wider->parameters(), 0.1, 0.9, false, 0.0, {});
  EXPECT_THROW(testing::copy_state(sa, wide), core::RunError);
  // Fewer parameters: a's archive holds buffers this one has no parameters for.
  torch::nn::Linear linear(3, 2);
  TorchSgd small(linear->parameters(), 0.1, 0.9, false, 0.0, {});
  EXPECT_THROW(testing::copy_state(sa, small), core::RunError);
  EXPECT_THROW(testing::copy_state(small, sa), core::RunError);
  // Another optimizer's state (velocities, not momentum buffers).
  KerasSgd keras(a->parameters(), 0.1, 0.9, false, 0.0);
  EXPECT_THROW(testing::copy_state(keras, sa), core::RunError);
}

TEST(SmoothedLoss, NoSmoothingIsTheKerasLossExactly) {
  torch::manual_seed(3);
  const auto logits = torch::randn({8, 10}) * 4;
  const auto labels = torch::randint(0, 10, {8}, torch::kInt64);
  const auto smoothed = smoothed_crossentropy(logits, labels, 0.0);
  EXPECT_EQ(smoothed.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(smoothed, keras_crossentropy(logits, labels)));
}

TEST(SmoothedLoss, MatchesTorchLabelSmoothingOnModerateLogits) {
  torch::manual_seed(5);
  const auto logits = torch::randn({8, 10});
  const auto labels = torch::randint(0, 10, {8}, torch::kInt64);
  const auto ours = smoothed_crossentropy(logits, labels, 0.1);
  const auto theirs = F::cross_entropy(
      logits, labels, F::CrossEntropyFuncOptions().label_smoothing(0.1).reduction(torch::kNone));
  ASSERT_EQ(ours.sizes(), theirs.sizes());
  EXPECT_LE((ours - theirs).abs().max().item<double>(), 1e-5);
}

TEST(SmoothedLoss, RefusesSmoothingOutsideZeroToOne) {
  const auto logits = torch::zeros({2, 3});
  const auto labels = torch::tensor({0, 1}, torch::kInt64);
  EXPECT_THROW(smoothed_crossentropy(logits, labels, 1.0), core::UsageError);
  EXPECT_THROW(smoothed_crossentropy(logits, labels, -0.1), core::UsageError);
  EXPECT_NO_THROW(smoothed_crossentropy(logits, labels, 0.5));
}

}  // namespace
}  // namespace helmholtz::train
