#pragma once
// Numeric precision of training and evaluation, and the backend switches that go with it.
//
//   fp32  the reference's float32 everywhere. On CUDA, TF32 tensor-core maths is switched off
//         for convolutions and matrix products, so fp32 means IEEE float32 as Keras computed.
//   bf16  autocast: convolutions and dense layers compute in bfloat16 from float32 master
//         weights; the loss, softmax and every optimizer update stay float32. bfloat16 has
//         float32's exponent range, so no loss scaling is needed (fp16 would need it).
//   auto  bf16 on CUDA, fp32 on the CPU (where bfloat16 kernels are not faster here).
//
// Weights themselves never live in half precision: one Keras SGD step changes a weight by
// about lr * |g| (1e-4 relative or less), below bfloat16's resolution (2^-8) and near
// float16's (2^-11), so half-precision weights would round most updates away.

#include <torch/torch.h>

#include <string>

#include "helmholtz/run/spec.hpp"

namespace helmholtz::train {

enum class Precision { kFp32, kBf16 };

// The precision a choice means on `device`: auto is bf16 on CUDA and fp32 elsewhere.
Precision resolve_precision(run::PrecisionChoice choice, const torch::Device& device);
std::string to_string(Precision precision);

// While alive, ops on `device_type` run under autocast at `precision` (nothing for fp32).
// `cache` keeps weight casts for the duration of the outermost guard; CUDA graph capture
// needs it off.
class AutocastGuard {
 public:
  AutocastGuard(torch::DeviceType device_type, Precision precision, bool cache = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  torch::DeviceType device_type_;
  bool active_ = false;
  bool previous_enabled_ = false;
  bool previous_cache_ = true;
  torch::ScalarType previous_dtype_ = torch::kFloat32;
};

// Process-wide backend settings for training on `device` at `precision`: on CUDA, cuDNN's
// benchmark mode (the fastest convolution algorithm for each shape, chosen once) and TF32
// off for fp32. Nothing on the CPU.
void configure_backend(const torch::Device& device, Precision precision);

// Allows or forbids TF32 for CUDA's convolutions and matrix products, through the switches the
// running LibTorch prefers (by version). Process-wide.
void set_tf32(bool allowed);

}  // namespace helmholtz::train
