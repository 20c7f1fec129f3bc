#pragma once
// The cache files' names and fingerprints: a 64-bit FNV-1a hash of bytes, and its 16 hex digits.
// Not for security: it tells apart inputs that differ, so a changed input gets another name.
// No torch.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace helmholtz::core {

inline std::uint64_t fnv1a(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}

inline std::uint64_t fnv1a(const std::string& text) {
  return fnv1a(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

inline std::string hex16(std::uint64_t v) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
  return buffer;
}

}  // namespace helmholtz::core
