#pragma once
// Pillow's bilinear resize of an 8-bit RGB image (antialiased: the filter's support widens when
// downscaling), with Pillow's fixed-point arithmetic, horizontal pass first. No torch.

#include <cstdint>

namespace helmholtz::data {

// A region of a source image in pixels, fractional where a DCT-scaled decode put it.
struct Region {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// The part of a width x height image that a buffer holds, when only part of it was decoded:
// `width` x `height` pixels from (left, top), rows of `width` pixels.
struct SourceWindow {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};

// Pillow's bilinear resize (Image.resize(size, BILINEAR, box)) of `region` of an RGB image to
// out_width x out_height, into `out` (RGB, interleaved). The filter reads source pixels up to the
// image's edges, as Pillow; with `clip_to_region` only those inside the region (rounded out to
// whole pixels), as Pillow resizing a crop of the image (torchvision's resized_crop). `rgb` holds
// the whole image, or with `window` that window of it (the result is the same wherever the
// pixels read lie inside it; core::RunError when they do not).
void resize_bilinear(const std::uint8_t* rgb, int width, int height, const Region& region,
                     bool clip_to_region, int out_width, int out_height, std::uint8_t* out,
                     const SourceWindow* window = nullptr);

}  // namespace helmholtz::data
