#pragma once
// Portable random numbers for generated data: the same values from every standard library
// (std::uniform_real_distribution and friends differ between implementations).

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

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

// A uniform integer in [0, bound) from the raw 64-bit output, without bias (rejection of the
// lowest 2^64 mod bound values): the same draws from every standard library.
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t threshold = (std::uint64_t{0} - bound) % bound;
  std::uint64_t r = rng();
  while (r < threshold) r = rng();
  return r % bound;
}

// numpy's legacy `np.random.seed(seed); np.random.permutation(n)`: MT19937 seeded as
// init_genrand(seed) (std::mt19937's seeding), then Fisher-Yates from the end, each index drawn
// from 32-bit outputs masked to the smallest covering power of two minus one and redrawn while
// above the bound (numpy's random_interval). The same permutation as numpy, for reproducing
// what a numpy-seeded script did (the reference shuffled its audio set so, seed 2337).
inline std::vector<std::size_t> numpy_legacy_permutation(std::uint32_t seed, std::size_t n) {
  std::vector<std::size_t> out(n);
  std::iota(out.begin(), out.end(), std::size_t{0});
  std::mt19937 gen(seed);
  for (std::size_t i = n > 0 ? n - 1 : 0; i > 0; --i) {
    std::uint64_t mask = i;
    for (int shift = 1; shift <= 32; shift *= 2) mask |= mask >> shift;
    std::uint64_t j = 0;
    if (i <= 0xffffffffull) {
      do {
        j = gen() & mask;
      } while (j > i);
    } else {  // numpy draws 64 bits as two 32-bit outputs, high word first
      do {
        const std::uint64_t high = gen();
        j = ((high << 32) | gen()) & mask;
      } while (j > i);
    }
    std::swap(out[i], out[static_cast<std::size_t>(j)]);
  }
  return out;
}

}  // namespace helmholtz::core
