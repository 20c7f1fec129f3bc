#include "helmholtz/train/precision.hpp"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "helmholtz/core/error.hpp"

// The device-generic autocast calls arrived in LibTorch 2.4; older releases have one
// function per device kind.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define HELMHOLTZ_AUTOCAST_BY_DEVICE 1
#endif

// TF32 is switched per backend and operation from LibTorch 2.9 (at::Float32Precision); the
// allowTF32 setters before.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 9)
#define HELMHOLTZ_TF32_BY_PRECISION 1
#endif

namespace helmholtz::train {
namespace {

bool autocast_enabled(torch::DeviceType type) {
#ifdef HELMHOLTZ_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void set_autocast_enabled(torch::DeviceType type, bool enabled) {
#ifdef HELMHOLTZ_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(type, enabled);
#else
  if (type == torch::kCUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

torch::ScalarType autocast_dtype(torch::DeviceType type) {
#ifdef HELMHOLTZ_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                              : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast_dtype(torch::DeviceType type, torch::ScalarType dtype) {
#ifdef HELMHOLTZ_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (type == torch::kCUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

Precision resolve_precision(run::PrecisionChoice choice, const torch::Device& device) {
  if (choice == run::PrecisionChoice::kFp32) return Precision::kFp32;
  if (choice == run::PrecisionChoice::kBf16) return Precision::kBf16;
  return device.is_cuda() ? Precision::kBf16 : Precision::kFp32;
}

std::string to_string(Precision precision) {
  return precision == Precision::kBf16 ? "bf16" : "fp32";
}

AutocastGuard::AutocastGuard(torch::DeviceType device_type, Precision precision, bool cache)
    : device_type_(device_type) {
  if (precision == Precision::kFp32) return;
  active_ = true;
  previous_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  previous_cache_ = at::autocast::is_autocast_cache_enabled();
  set_autocast_enabled(device_type_, true);
  set_autocast_dtype(device_type_, torch::kBFloat16);
  at::autocast::set_autocast_cache_enabled(cache);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast_enabled(device_type_, previous_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
  at::autocast::set_autocast_cache_enabled(previous_cache_);
}

void set_tf32(bool allowed) {
  auto& context = at::globalContext();
#ifdef HELMHOLTZ_TF32_BY_PRECISION
  // LibTorch 2.9 and later: one fp32 precision per backend and operation. Its older switches
  // below are deprecated there, and mixing the two ways raises.
  const auto p = allowed ? at::Float32Precision::TF32 : at::Float32Precision::IEEE;
  context.setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::CONV, p);
  context.setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::MATMUL, p);
#else
  context.setAllowTF32CuDNN(allowed);
  context.setAllowTF32CuBLAS(allowed);
#endif
}

void configure_backend(const torch::Device& device, Precision precision) {
  if (!device.is_cuda()) return;
  at::globalContext().setBenchmarkCuDNN(true);
  set_tf32(precision != Precision::kFp32);
}

}  // namespace helmholtz::train
