#pragma once
// Writes tensors as NumPy .npy files (format 1.0) so features can be inspected with np.load.

#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace helmholtz::features {

// The .npy header (magic, version 1.0, length, dict, padding, '\n') for a float32 C-order array
// of `shape`; its size is a multiple of 64 bytes, so the data that follows starts aligned.
std::string npy_header_f32(c10::IntArrayRef shape);

// Writes `t` (any rank, any device, converted to float32) as a little-endian float32 C-order
// .npy file, through a temporary file and a rename. Throws core::RunError naming the file.
void write_npy(const std::filesystem::path& file, const torch::Tensor& t);

}  // namespace helmholtz::features
