#include "helmholtz/features/npy.hpp"

#include <cstdint>
#include <cstring>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html (version 1.0:
// "\x93NUMPY", 0x01 0x00, little-endian uint16 header length, an ASCII dict padded with spaces
// and ended by '\n' so that magic + length + dict is a multiple of 64 bytes).

namespace helmholtz::features {

std::string npy_header_f32(c10::IntArrayRef shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  const std::size_t preamble = 10;                          // magic 6 + version 2 + header length 2
  const std::size_t unpadded = preamble + dict.size() + 1;  // + '\n'
  const std::size_t total = (unpadded + 63) / 64 * 64;
  dict.append(total - unpadded, ' ');
  dict += '\n';
  TORCH_CHECK(dict.size() <= 0xFFFF, "npy header too long for format 1.0");
  const auto len = static_cast<std::uint16_t>(dict.size());
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(len & 0xFF);
  header += static_cast<char>(len >> 8);
  return header + dict;
}

void write_npy(const std::filesystem::path& file, const torch::Tensor& t) {
  static_assert(sizeof(float) == 4, "float must be 32 bits");
  {
    // The data is written in host order; '<f4' needs a little-endian host.
    const std::uint16_t probe = 1;
    unsigned char first = 0;
    std::memcpy(&first, &probe, 1);
    if (first != 1)
      throw core::RunError("cannot write '" + file.string() +
                           "': .npy writing needs a little-endian host");
  }
  const auto data = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::string bytes = npy_header_f32(data.sizes());
  const std::size_t header_size = bytes.size();
  const std::size_t n = static_cast<std::size_t>(data.numel()) * sizeof(float);
  bytes.resize(header_size + n);
  if (n > 0) std::memcpy(&bytes[header_size], data.data_ptr<float>(), n);
  try {
    core::write_file_atomic(file, bytes);
  } catch (const core::RunError& e) {
    throw core::RunError("cannot write .npy file '" + file.string() + "': " + e.what());
  }
}

}  // namespace helmholtz::features
