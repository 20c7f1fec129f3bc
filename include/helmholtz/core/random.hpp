#pragma once
// Portable random numbers for generated data: the same values from every standard library
// (std::uniform_real_distribution and friends differ between implementations).

#include <cstdint>
#include <random>

namespace helmholtz::core {

// SplitMix64: mixes a seed (or seed ^ index) into a well-spread 64-bit value.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from the top 53 bits of one draw.
inline double uniform(std::mt19937_64& gen) { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }

}  // namespace helmholtz::core
