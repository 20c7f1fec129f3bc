#include "helmholtz/train/precision.hpp"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "helmholtz/core/error.hpp"

// The device-generic autocast calls arrived in LibTorch 2.4; older releases have one
// function per device kind.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define HELMHOLTZ_AUTOCAST_BY_DEVICE 1
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

void configure_backend(const torch::Device& device, Precision precision) {
  if (!device.is_cuda()) return;
  auto& context = at::globalContext();
  context.setBenchmarkCuDNN(true);
  const bool tf32 = precision != Precision::kFp32;
  context.setAllowTF32CuDNN(tf32);
  context.setAllowTF32CuBLAS(tf32);
}

}  // namespace helmholtz::train
