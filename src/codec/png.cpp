#include "helmholtz/codec/png.hpp"

#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

void append(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void no_flush(png_structp) {}

// libpng reports errors by longjmp to png_jmpbuf; the message is kept for the exception.
void on_error(png_structp png, png_const_charp message) {
  auto* text = static_cast<std::string*>(png_get_error_ptr(png));
  if (text != nullptr && message != nullptr) *text = message;
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

// The libpng calls, with nothing between setjmp and them that needs a destructor. Returns false
// on a libpng error (its message in `error`).
bool write_png(const std::uint8_t* pixels, int width, int height, int channels,
               std::vector<std::uint8_t>* out, std::string* error) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, on_error, on_warning);
  if (png == nullptr) {
    *error = "cannot create a PNG writer (out of memory?)";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    *error = "cannot create a PNG info struct (out of memory?)";
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, append, no_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 9);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_ALL_FILTERS);
  png_write_info(png, info);
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  for (int y = 0; y < height; ++y) {
    // libpng takes a non-const row pointer but does not write through it.
    png_write_row(png, const_cast<png_bytep>(pixels + static_cast<std::size_t>(y) * stride));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

}  // namespace

std::vector<std::uint8_t> encode_png(const std::uint8_t* pixels, int width, int height,
                                     int channels) {
  if (pixels == nullptr || width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
    throw core::UsageError("PNG encode: " + std::to_string(width) + "x" + std::to_string(height) +
                           "x" + std::to_string(channels) +
                           " is not an image (positive sizes, 1 or 3 channels)");
  }
  std::vector<std::uint8_t> out;
  std::string error;
  if (!write_png(pixels, width, height, channels, &out, &error)) {
    throw core::CodecError("PNG encode failed: " + error);
  }
  return out;
}

std::size_t png_payload_bytes(const std::uint8_t* png, std::size_t size) {
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const auto bad = [](std::size_t at, const char* what) {
    return core::CodecError("not a PNG file: " + std::string(what) + " at byte " +
                            std::to_string(at));
  };
  if (size < 8 || std::memcmp(png, kSignature, 8) != 0) throw bad(0, "no PNG signature");
  std::size_t pos = 8, payload = 0;
  while (true) {
    if (pos + 12 > size) throw bad(pos, "no IEND chunk before the end");
    const std::size_t length = big_endian(png + pos);
    if (pos + 12 + length > size) throw bad(pos, "a chunk longer than the file");
    const std::uint8_t* type = png + pos + 4;
    if (std::memcmp(type, "IDAT", 4) == 0) payload += length;
    if (std::memcmp(type, "IEND", 4) == 0) return payload;
    pos += 12 + length;
  }
}

}  // namespace helmholtz::codec
