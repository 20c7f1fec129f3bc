#pragma once
// Pillow's bilinear resize of an 8-bit RGB image (antialiased: the filter's support widens when
// downscaling), with Pillow's fixed-point arithmetic, horizontal pass first. No torch.

#include <cstdint>

namespace helmholtz::data {

// A region of a source image in pixels, fractional where a DCT-scaled decode put it.
struct Region {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Pillow's bilinear resize (Image.resize(size, BILINEAR, box)) of `region` of an RGB image to
// out_width x out_height, into `out` (RGB, interleaved). The filter reads source pixels up to the
// image's edges, as Pillow; with `clip_to_region` only those inside the region (rounded out to
// whole pixels), as Pillow resizing a crop of the image (torchvision's resized_crop).
void resize_bilinear(const std::uint8_t* rgb, int width, int height, const Region& region,
                     bool clip_to_region, int out_width, int out_height, std::uint8_t* out);

}  // namespace helmholtz::data
