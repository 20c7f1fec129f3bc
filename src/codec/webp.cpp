#include "helmholtz/codec/webp.hpp"

#include <webp/decode.h>
#include <webp/encode.h>

#include <cstring>
#include <string>

#include "helmholtz/core/error.hpp"

// Matching Pillow 9.4 (Debian python3-pil, /usr/bin/python3), whose bytes
// tests/codec/webp_test.cpp checks equal:
// - WebPImagePlugin._save: quality (default 80), method 4, lossless 0, exact 0, no ICC/Exif/XMP;
//   an "L" image is converted to RGB first (L is not one of _VALID_WEBP_LEGACY_MODES), so a
//   grayscale image reaches libwebp as R = G = B.
// - _webp.c WebPEncode_wrapper (the symbols its module imports: WebPConfigInitInternal,
//   WebPPictureImportRGB, WebPEncode, WebPMuxSetImage, WebPMuxAssemble): WebPConfigInit, then
//   quality, method, exact and lossless set on the config; WebPConfigInit is
//   WebPConfigPreset(DEFAULT, 75) with quality replaced, so it is the DEFAULT preset at q.
//   The picture has use_argb = 1 and gets WebPPictureImportRGB (stride 3 * width); lossy
//   WebPEncode then converts ARGB to YUV 4:2:0 itself (no dithering: preprocessing is 0).
// - Pillow then puts the bitstream through WebPMuxNew + WebPMuxSetImage + WebPMuxAssemble with
//   no other chunk. For a lossy image without alpha that is the simple format, "RIFF" size
//   "WEBP" + one "VP8 " chunk, the same bytes WebPEncode's own memory writer gives, so we need
//   no libwebpmux (the project links only pkg-config libwebp).

namespace helmholtz::codec {
namespace {

constexpr int kMethod = 4;  // Pillow's default `method`

// RAII over a WebPPicture (its ARGB/YUV buffers are libwebp's).
class Picture {
 public:
  Picture() {
    if (!WebPPictureInit(&picture_)) {
      throw core::CodecError("WebP: libwebp version mismatch (WebPPictureInit failed)");
    }
  }
  ~Picture() { WebPPictureFree(&picture_); }
  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;
  WebPPicture* get() { return &picture_; }

 private:
  WebPPicture picture_;
};

// RAII over a WebPMemoryWriter (the encoded bytes, grown by libwebp).
class MemoryWriter {
 public:
  MemoryWriter() { WebPMemoryWriterInit(&writer_); }
  ~MemoryWriter() { WebPMemoryWriterClear(&writer_); }
  MemoryWriter(const MemoryWriter&) = delete;
  MemoryWriter& operator=(const MemoryWriter&) = delete;
  WebPMemoryWriter* get() { return &writer_; }

 private:
  WebPMemoryWriter writer_;
};

void check_shape(const char* what, int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError(std::string("WebP ") + what + ": image size " + std::to_string(width) +
                           "x" + std::to_string(height) + " is not positive");
  }
  if (channels != 1 && channels != 3) {
    throw core::UsageError(std::string("WebP ") + what + ": " + std::to_string(channels) +
                           " channels; WebP images here have 1 (grayscale) or 3 (RGB)");
  }
}

std::string encode_error_text(WebPEncodingError code) {
  switch (code) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION:
      return "bad picture dimensions";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW:
    case VP8_ENC_ERROR_PARTITION_OVERFLOW:
      return "partition overflow";
    case VP8_ENC_ERROR_FILE_TOO_BIG:
      return "file bigger than 4 GiB";
    default:
      return "libwebp error " + std::to_string(static_cast<int>(code));
  }
}

std::uint32_t read_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}

// ITU-R 601 luma exactly as Pillow's convert("L") computes it (libImaging/Convert.c, L24):
// 16-bit fixed-point weights 0.299/0.587/0.114, rounded.
std::uint8_t luma(const std::uint8_t* rgb) {
  return static_cast<std::uint8_t>((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 0x8000u) >>
                                   16);
}

}  // namespace

std::vector<std::uint8_t> encode_webp(const std::uint8_t* pixels, int width, int height,
                                      int channels, int quality) {
  check_shape("encode", width, height, channels);
  if (quality < 0 || quality > 100) {
    throw core::UsageError("WebP quality " + std::to_string(quality) +
                           " is out of range: use 0..100");
  }
  if (width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
    throw core::UsageError("WebP encode: image size " + std::to_string(width) + "x" +
                           std::to_string(height) + " is over WebP's limit of " +
                           std::to_string(WEBP_MAX_DIMENSION) + " pixels a side");
  }
  if (pixels == nullptr) throw core::UsageError("WebP encode: no pixels given");

  WebPConfig config;
  if (!WebPConfigInit(&config)) {
    throw core::CodecError("WebP: libwebp version mismatch (WebPConfigInit failed)");
  }
  config.lossless = 0;
  config.quality = static_cast<float>(quality);
  config.method = kMethod;
  config.exact = 0;
  if (!WebPValidateConfig(&config)) {
    throw core::CodecError("WebP encode: libwebp refused the configuration (quality " +
                           std::to_string(quality) + ")");
  }

  // Grayscale: R = G = B, as Pillow's convert("RGB") of an L image.
  const std::size_t count = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> expanded;
  const std::uint8_t* rgb = pixels;
  if (channels == 1) {
    expanded.resize(count * 3);
    for (std::size_t i = 0; i < count; ++i) {
      expanded[3 * i] = expanded[3 * i + 1] = expanded[3 * i + 2] = pixels[i];
    }
    rgb = expanded.data();
  }

  Picture picture;
  MemoryWriter writer;
  WebPPicture* pic = picture.get();
  pic->width = width;
  pic->height = height;
  pic->use_argb = 1;  // as Pillow: import to ARGB, WebPEncode makes the YUV
  if (!WebPPictureImportRGB(pic, rgb, 3 * width)) {
    throw core::CodecError("WebP encode: cannot import a " + std::to_string(width) + "x" +
                           std::to_string(height) +
                           " picture: " + encode_error_text(pic->error_code));
  }
  pic->writer = WebPMemoryWrite;
  pic->custom_ptr = writer.get();
  if (!WebPEncode(&config, pic)) {
    throw core::CodecError("WebP encode of a " + std::to_string(width) + "x" +
                           std::to_string(height) +
                           " image failed: " + encode_error_text(pic->error_code));
  }
  const WebPMemoryWriter* w = writer.get();
  return std::vector<std::uint8_t>(w->mem, w->mem + w->size);
}

void decode_webp(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                 int height, int channels) {
  check_shape("decode", width, height, channels);
  if (out == nullptr) throw core::UsageError("WebP decode: no output buffer given");
  if (data == nullptr || size == 0) throw core::CodecError("WebP decode: no data (0 bytes)");
  const std::string where = " (" + std::to_string(size) + " bytes)";

  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(data, size, &features);
  if (status != VP8_STATUS_OK) {
    throw core::CodecError(std::string(status == VP8_STATUS_NOT_ENOUGH_DATA
                                           ? "WebP decode: truncated header"
                                           : "WebP decode: not a readable WebP") +
                           where + ", libwebp status " + std::to_string(static_cast<int>(status)));
  }
  if (features.has_animation) {
    throw core::CodecError("WebP decode: an animated WebP" + where + " is not an image");
  }
  if (features.width != width || features.height != height) {
    throw core::CodecError("WebP is " + std::to_string(features.width) + "x" +
                           std::to_string(features.height) + ", expected " + std::to_string(width) +
                           "x" + std::to_string(height));
  }

  // RGB straight into `out`, or into a scratch buffer for the luma. WebPDecodeRGBInto uses
  // libwebp's default decoder options (fancy upsampling), as Pillow's decoder does; any alpha
  // is dropped (Pillow would give RGBA, which this project does not use).
  const std::size_t count = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> scratch;
  std::uint8_t* rgb = out;
  if (channels == 1) {
    scratch.resize(count * 3);
    rgb = scratch.data();
  }
  if (WebPDecodeRGBInto(data, size, rgb, count * 3, 3 * width) == nullptr) {
    throw core::CodecError("WebP decode: corrupt or truncated WebP" + where);
  }
  if (channels == 1) {
    for (std::size_t i = 0; i < count; ++i) out[i] = luma(&rgb[3 * i]);
  }
}

std::size_t webp_payload_bytes(const std::uint8_t* data, std::size_t size) {
  const auto bad = [](std::size_t at, const std::string& what) {
    return core::CodecError("not a WebP: " + what + " at byte " + std::to_string(at));
  };
  // RIFF header: "RIFF", little-endian size of what follows it, "WEBP".
  if (data == nullptr || size < 12 || std::memcmp(data, "RIFF", 4) != 0 ||
      std::memcmp(data + 8, "WEBP", 4) != 0) {
    throw bad(0, "no RIFF/WEBP header");
  }
  const std::size_t riff_end = std::size_t{read_le32(data + 4)} + 8;
  if (riff_end > size || riff_end < 12) throw bad(4, "a RIFF size beyond the end of the data");
  // Chunks: FourCC, little-endian payload size, payload padded to an even length.
  std::size_t pos = 12;
  while (pos + 8 <= riff_end) {
    const std::string fourcc(reinterpret_cast<const char*>(data) + pos, 4);
    const std::size_t length = read_le32(data + pos + 4);
    if (length > riff_end - pos - 8) throw bad(pos, "a chunk longer than the file");
    if (fourcc == "VP8 " || fourcc == "VP8L") return length;
    pos += 8 + length + (length & 1);
  }
  throw bad(pos, "no VP8 or VP8L chunk before the end");
}

std::string webp_version() {
  const int v = WebPGetEncoderVersion();  // 0xMMmmpp
  return "libwebp " + std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff) +
         "." + std::to_string(v & 0xff);
}

}  // namespace helmholtz::codec
