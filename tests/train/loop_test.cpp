// Moving image sets into tensors; evaluation and its per-sample outcomes.

#include "helmholtz/train/loop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

namespace helmholtz::train {
namespace {

// The tensors must own their pixels: a run keeps them after the decoded set is gone. (With one
// channel the NCHW view of HWC bytes needs no copy, which once left them borrowed.)
TEST(ToTensors, OwnsItsPixelsForGrayAndColour) {
  for (int channels : {1, 3}) {
    auto set = std::make_unique<data::ImageSet>();
    set->count = 4;
    set->height = 2;
    set->width = 3;
    set->channels = channels;
    set->pixels.resize(set->count * set->image_bytes());
    for (std::size_t i = 0; i < set->pixels.size(); ++i) set->pixels[i] = static_cast<uint8_t>(i);
    set->labels = {0, 1, 2, 3};
    const auto t = to_tensors(*set, torch::kCPU);
    // pixel (n=1, y=1, x=2, c=last) in HWC order
    const std::size_t hwc = ((1 * 2 + 1) * 3 + 2) * channels + (channels - 1);
    const auto expected = set->pixels[hwc];
    EXPECT_EQ(t.images.index({1, channels - 1, 1, 2}).item<int>(), expected) << channels;
    std::fill(set->pixels.begin(), set->pixels.end(), 0);
    set.reset();
    EXPECT_EQ(t.images.index({1, channels - 1, 1, 2}).item<int>(), expected) << channels;
    EXPECT_EQ(t.images.sizes().vec(), (std::vector<int64_t>{4, channels, 2, 3}));
    EXPECT_EQ(t.labels.index({3}).item<int64_t>(), 3);
  }
}

// Ten samples in batches of three (the last one short): each sample's class and probability of
// its true class, in order, agree with the metrics and with the network run on them by hand,
// and become the predictions file's rows.
TEST(Evaluate, PerSampleOutcomesAgreeWithTheMetricsAndBecomeThePredictionsRows) {
  torch::manual_seed(5);
  torch::nn::Sequential model(torch::nn::Flatten(), torch::nn::Linear(12, 4));
  TensorData data;
  data.images = torch::randint(0, 256, {10, 3, 2, 2}, torch::kUInt8);
  data.labels = torch::tensor({0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, torch::kInt64);
  const Metrics plain = evaluate(model, data, 3);
  PerSample outcome;
  const Metrics m = evaluate(model, data, 3, false, Precision::kFp32, &outcome);
  EXPECT_DOUBLE_EQ(m.acc, plain.acc);
  EXPECT_DOUBLE_EQ(m.loss, plain.loss);
  ASSERT_EQ(outcome.predicted.sizes().vec(), std::vector<std::int64_t>{10});
  ASSERT_EQ(outcome.p_true.sizes().vec(), std::vector<std::int64_t>{10});
  EXPECT_EQ(outcome.predicted.scalar_type(), torch::kInt64);
  EXPECT_EQ(outcome.p_true.scalar_type(), torch::kFloat32);

  torch::NoGradGuard no_grad;
  model->eval();
  const auto logits = model->forward(model_input(data.images));
  EXPECT_TRUE(torch::equal(outcome.predicted, logits.argmax(1)));
  const auto p = torch::softmax(logits, 1).gather(1, data.labels.unsqueeze(1)).squeeze(1);
  EXPECT_TRUE(torch::allclose(outcome.p_true, p, 1e-5, 1e-6));
  const double right = outcome.predicted.eq(data.labels).sum().item<double>();
  EXPECT_DOUBLE_EQ(m.acc, right / 10.0);
  // The loss is the mean of -log of those probabilities (none near Keras' clipping here).
  EXPECT_NEAR(m.loss, -outcome.p_true.log().mean().item<double>(), 1e-5);

  const run::Predictions rows = predictions_of(data, outcome, 7, "quality_5");
  EXPECT_EQ(rows.weights_epoch, 7);
  EXPECT_EQ(rows.level, "quality_5");
  ASSERT_EQ(rows.size(), 10u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto at = static_cast<std::int64_t>(i);
    EXPECT_EQ(rows.label[i], data.labels[at].item<std::int64_t>()) << i;
    EXPECT_EQ(rows.predicted[i], outcome.predicted[at].item<std::int64_t>()) << i;
    EXPECT_FLOAT_EQ(rows.p_true[i], outcome.p_true[at].item<float>()) << i;
  }
  EXPECT_DOUBLE_EQ(rows.accuracy(), m.acc);
}

}  // namespace
}  // namespace helmholtz::train
