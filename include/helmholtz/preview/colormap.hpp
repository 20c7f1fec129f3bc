#pragma once
// The magma colour map (Smith and van der Walt's perceptually uniform map, as in matplotlib),
// for spectrograms: black-purple for quiet, through red and orange to pale yellow for loud.
// Lightness rises monotonically, so the picture reads correctly in grey too.

#include "helmholtz/preview/canvas.hpp"

namespace helmholtz::preview {

// t in [0, 1] (clamped; NaN counts as 0) -> colour. Linear interpolation between 17 samples of
// the map (every 16th of its 256 entries and the last), a few 8-bit levels from the full table.
Rgb magma(double t);

}  // namespace helmholtz::preview
