#pragma once

#include <torch/torch.h>

#include <string>

namespace helmholtz::train {

// "auto" (CUDA when LibTorch has it and a GPU is visible, else CPU), "cpu", "cuda", "cuda:N".
// Throws core::UsageError for an unknown name or a GPU that is not there.
torch::Device resolve_device(const std::string& name);

// A readable name: "cpu (2 threads)", "cuda:0".
std::string describe_device(const torch::Device& device);

// The hardware: the GPU's name ("NVIDIA H100 80GB HBM3") or the CPU's model name; "unknown"
// when the system does not say.
std::string device_name(const torch::Device& device);

}  // namespace helmholtz::train
