// `helmholtz doctor`'s checks: each passes when its two paths agree, and fails, naming the
// option that avoids the fast path, when the fast path's result is made to differ. On a CPU
// machine the CUDA-graphs check says it needs a GPU; its comparison is tested on a GPU.

#include "helmholtz/train/doctor.hpp"

#include <gtest/gtest.h>

#include "helmholtz/train/cuda_graphs.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {

DoctorSetup tiny_setup(const torch::Device& device) {
  DoctorSetup setup;
  setup.spec = testing::tiny_image_spec("unused-data", "unused-logs", 1);
  setup.device = device;
  setup.batch = 8;
  return setup;
}

// Changes one value of the fast path's result by `by` times the largest magnitude in it.
Tamper nudge(double by) {
  return [by](torch::Tensor& t) {
    auto flat = t.view({-1});
    flat[flat.size(0) / 2] += by * t.abs().max().item<double>();
  };
}

void expect_ok(const CheckResult& r) {
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.name << ": " << r.detail;
  ASSERT_TRUE(r.difference && r.tolerance) << r.name;
  EXPECT_LE(*r.difference, *r.tolerance) << r.name;
}

void expect_failed(const CheckResult& r, const std::string& avoid) {
  EXPECT_EQ(r.status, CheckStatus::kFailed) << r.name << ": " << r.detail;
  EXPECT_EQ(r.avoid, avoid) << r.name;
}

const torch::Device kCpu(torch::kCPU);

TEST(Doctor, Bf16PassesAndFailsWhenTheLossOrTheGradientDiffers) {
  torch::set_num_threads(1);
  const auto setup = tiny_setup(kCpu);
  const auto ok = check_bf16(setup);
  expect_ok(ok);
  EXPECT_NE(ok.detail.find("gradient cosine"), std::string::npos) << ok.detail;
  // The loss 5% off, beyond its 1%.
  expect_failed(check_bf16(setup, [](torch::Tensor& t) { t[0] *= 1.05; }), "--precision fp32");
  // The loss as it was, the gradient turned around: its cosine with float32's is -1.
  const auto turned = check_bf16(setup, [](torch::Tensor& t) { t.slice(0, 1) *= -1; });
  expect_failed(turned, "--precision fp32");
  EXPECT_LE(*turned.difference, *turned.tolerance) << "the loss alone still agrees";
}

TEST(Doctor, ChannelsLastPassesAndFailsWhenALogitOrGradientDiffers) {
  torch::set_num_threads(1);
  const auto setup = tiny_setup(kCpu);
  expect_ok(check_channels_last(setup));
  expect_failed(check_channels_last(setup, nudge(1e-3)), "--no-channels-last");
}

TEST(Doctor, CheckpointPassesAndFailsWhenOneWeightDiffersInItsLastBit) {
  torch::set_num_threads(1);
  const auto setup = tiny_setup(kCpu);
  const auto ok = check_checkpoint(setup);
  expect_ok(ok);
  EXPECT_EQ(*ok.difference, 0.0);
  const auto r = check_checkpoint(setup, nudge(1e-9));
  EXPECT_EQ(r.status, CheckStatus::kFailed) << r.detail;
  EXPECT_GT(*r.difference, 0.0);
}

TEST(Doctor, AugmentationIsSkippedOnTheCpuAndItsComparisonFailsWhenAPixelDiffers) {
  torch::set_num_threads(1);
  const auto setup = tiny_setup(kCpu);
  const auto skipped = check_augmentation(setup);
  EXPECT_EQ(skipped.status, CheckStatus::kSkipped);
  EXPECT_NE(skipped.detail.find("CPU"), std::string::npos) << skipped.detail;
  // The same comparison with both sides on the CPU: equal, and made to differ.
  expect_ok(check_augmentation(setup, {}, /*compare_on_cpu=*/true));
  expect_failed(check_augmentation(setup, nudge(1e-3), true), "--device cpu");
}

TEST(Doctor, GraphCheckNeedsAGpu) {
  const auto r = check_cuda_graphs(tiny_setup(kCpu));
  EXPECT_EQ(r.status, CheckStatus::kSkipped);
  EXPECT_EQ(r.detail, "needs a CUDA device");
}

TEST(Doctor, VersionsNameTheRunningTorch) {
  const auto v = versions();
  EXPECT_EQ(v.torch, TORCH_VERSION);
  EXPECT_FALSE(v.cuda.empty());
  EXPECT_FALSE(v.cudnn.empty());
}

// --- CUDA: skipped where this build or machine has no GPU ---------------------------------

bool have_cuda() { return StepGraphs::compiled() && torch::cuda::is_available(); }

TEST(CudaDoctor, EveryCheckPassesOnTheGpuAndGraphsFailWhenAWeightDiffers) {
  if (!have_cuda()) GTEST_SKIP() << "no CUDA GPU in this build or machine";
  const auto setup = tiny_setup(torch::Device(torch::kCUDA, 0));
  for (const auto& r : run_checks(setup)) expect_ok(r);
  expect_failed(check_cuda_graphs(setup, nudge(1e-4)), "--no-cuda-graphs");
  expect_failed(check_augmentation(setup, nudge(1e-3)), "--device cpu");
}

}  // namespace
}  // namespace helmholtz::train
