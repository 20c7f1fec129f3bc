#include "helmholtz/train/device.hpp"

#include <fstream>

#include "helmholtz/core/error.hpp"

#ifdef HELMHOLTZ_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace helmholtz::train {

torch::Device resolve_device(const std::string& name) {
  if (name == "auto") {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  }
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw core::UsageError("--device " + name +
                             ": this build of LibTorch sees no CUDA GPU; use --device cpu or "
                             "build against a CUDA LibTorch (see README)");
    }
    int index = 0;
    if (name.size() > 5) {
      const std::string digits = name.substr(5);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
        throw core::UsageError("--device " + name + ": expected cuda:N with N a GPU index");
      }
      index = std::stoi(digits);
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (index >= count) {
      throw core::UsageError("--device " + name + ": only " + std::to_string(count) +
                             " GPU(s) visible (cuda:0..cuda:" + std::to_string(count - 1) + ")");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw core::UsageError("--device: unknown device '" + name + "' (auto, cpu, cuda, cuda:N)");
}

std::string describe_device(const torch::Device& device) {
  if (device.is_cpu()) return "cpu (" + std::to_string(at::get_num_threads()) + " threads)";
  return device.str();
}

std::string device_name(const torch::Device& device) {
#ifdef HELMHOLTZ_WITH_CUDA
  if (device.is_cuda()) {
    const auto index = device.index() < 0 ? c10::DeviceIndex{0} : device.index();
    return at::cuda::getDeviceProperties(index)->name;
  }
#endif
  if (device.is_cpu()) {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("model name", 0) != 0) continue;
      const auto colon = line.find(':');
      if (colon == std::string::npos) break;
      const auto begin = line.find_first_not_of(' ', colon + 1);
      return begin == std::string::npos ? "unknown" : line.substr(begin);
    }
  }
  return "unknown";
}

}  // namespace helmholtz::train
