#pragma once
// A window of a JPEG, decoded through libjpeg's scanline API (libjpeg-turbo): only the rows and
// the iMCU columns that hold the window are decoded (jpeg_crop_scanline, jpeg_skip_scanlines),
// at a DCT scale of 1/1, 1/2, 1/4 or 1/8. The pixels are those a whole decode at the same scale
// gives (accurate integer DCT, fancy upsampling, as TurboJPEG's defaults) wherever the window
// lies at least kJpegWindowMargin scaled pixels inside what was decoded, which is why the window
// decoded reaches that far beyond the one asked for, where the image allows. No torch.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace helmholtz::codec {

// Scaled pixels decoded beyond each side of the window asked for: at a window's edge libjpeg
// replicates the edge's chroma instead of interpolating from the neighbour, and skipped rows
// leave no context for the first row's upsampling.
inline constexpr int kJpegWindowMargin = 16;

struct JpegWindow {
  int left = 0;  // the decoded window's place in the scaled image
  int top = 0;
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 3, RGB, rows top to bottom
};

// Decodes a JPEG scaled by 1/scale_denom (1, 2, 4 or 8; the scaled size is ceil(size / denom),
// as TurboJPEG's TJSCALED) over at least the columns [left, right) and rows [top, bottom) of the
// scaled image (clamped to it), grayscale repeated into RGB, into `out` (its buffer reused).
// Throws core::CodecError for bytes libjpeg cannot decode, a corrupt or truncated file (a
// libjpeg warning counts as an error), or a CMYK/YCCK JPEG.
void decode_jpeg_window(const std::uint8_t* jpeg, std::size_t size, int scale_denom, int left,
                        int top, int right, int bottom, JpegWindow* out);

}  // namespace helmholtz::codec
