#include "helmholtz/preview/colormap.hpp"

#include <array>
#include <cmath>

namespace helmholtz::preview {
namespace {

struct Anchor {
  int index;  // position in the 256-entry map
  Rgb colour;
};

// matplotlib's magma (CC0), 8-bit, entries 0, 16, ..., 240 and 255.
constexpr std::array<Anchor, 17> kMagma = {{
    {0, {0, 0, 4}},
    {16, {10, 8, 34}},
    {32, {29, 17, 71}},
    {48, {54, 16, 107}},
    {64, {81, 18, 124}},
    {80, {106, 28, 129}},
    {96, {131, 38, 129}},
    {112, {156, 46, 127}},
    {128, {183, 55, 121}},
    {144, {208, 65, 111}},
    {160, {231, 82, 99}},
    {176, {245, 107, 92}},
    {192, {252, 137, 97}},
    {208, {254, 167, 114}},
    {224, {254, 196, 136}},
    {240, {253, 226, 163}},
    {255, {252, 253, 191}},
}};

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double f) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * f));
}

}  // namespace

Rgb magma(double t) {
  if (!(t > 0)) return kMagma.front().colour;  // also NaN
  if (t >= 1) return kMagma.back().colour;
  const double position = t * 255.0;
  std::size_t i = 1;
  while (kMagma[i].index < position) ++i;
  const Anchor& lo = kMagma[i - 1];
  const Anchor& hi = kMagma[i];
  const double f = (position - lo.index) / (hi.index - lo.index);
  return Rgb{mix(lo.colour.r, hi.colour.r, f), mix(lo.colour.g, hi.colour.g, f),
             mix(lo.colour.b, hi.colour.b, f)};
}

}  // namespace helmholtz::preview
