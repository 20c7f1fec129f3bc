#include "helmholtz/codec/jpeg_window.hpp"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

// A warning (corrupt data, a premature end) ends the decode as an error does.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

// The libjpeg part: no object with a destructor lives in this frame, so longjmp out of a libjpeg
// call skips nothing. Returns "" or the library's message.
std::string decode(const std::uint8_t* jpeg, std::size_t size, int denom, int left, int top,
                   int right, int bottom, JpegWindow* out) {
  jpeg_decompress_struct cinfo;
  ErrorManager error;
  cinfo.err = jpeg_std_error(&error.base);
  error.base.error_exit = on_error;
  error.base.emit_message = on_message;
  error.message[0] = '\0';
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return error.message[0] != '\0' ? error.message : "libjpeg failed";
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, jpeg, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return "a CMYK or YCCK JPEG";
  }
  cinfo.out_color_space = JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned int>(denom);
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&cinfo);
  const int width = static_cast<int>(cinfo.output_width);
  const int height = static_cast<int>(cinfo.output_height);
  const int x0 = std::clamp(left - kJpegWindowMargin, 0, width);
  const int x1 = std::clamp(right + kJpegWindowMargin, x0, width);
  const int y0 = std::clamp(top - kJpegWindowMargin, 0, height);
  const int y1 = std::clamp(bottom + kJpegWindowMargin, y0, height);
  JDIMENSION xoffset = static_cast<JDIMENSION>(x0);
  JDIMENSION cropped = static_cast<JDIMENSION>(std::max(1, x1 - x0));
  if (cropped < cinfo.output_width) jpeg_crop_scanline(&cinfo, &xoffset, &cropped);
  if (y0 > 0) jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(y0));
  out->left = static_cast<int>(xoffset);
  out->top = y0;
  out->width = static_cast<int>(cinfo.output_width);
  out->height = std::max(1, y1 - y0);
  const std::size_t stride = static_cast<std::size_t>(out->width) * 3;
  out->pixels.resize(stride * static_cast<std::size_t>(out->height));
  while (static_cast<int>(cinfo.output_scanline) < y0 + out->height) {
    JSAMPROW row =
        out->pixels.data() + (cinfo.output_scanline - static_cast<JDIMENSION>(y0)) * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  // The rows below the window are not needed: the decode stops here.
  jpeg_abort_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return "";
}

}  // namespace

void decode_jpeg_window(const std::uint8_t* jpeg, std::size_t size, int scale_denom, int left,
                        int top, int right, int bottom, JpegWindow* out) {
  if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8) {
    throw core::UsageError("decode_jpeg_window: scale 1/" + std::to_string(scale_denom) +
                           " (use 1, 2, 4 or 8)");
  }
  const std::string problem = decode(jpeg, size, scale_denom, left, top, right, bottom, out);
  if (!problem.empty()) throw core::CodecError(problem);
}

}  // namespace helmholtz::codec
