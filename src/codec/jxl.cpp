#include "helmholtz/codec/jxl.hpp"

#include <jxl/codestream_header.h>
#include <jxl/color_encoding.h>
#include <jxl/decode.h>
#include <jxl/decode_cxx.h>
#include <jxl/encode.h>
#include <jxl/encode_cxx.h>
#include <jxl/types.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "helmholtz/core/error.hpp"

// Matching `cjxl in.png out.jxl -q Q` of libjxl 0.7.0 (tools/cjxl_main.cc of that release; the
// bytes are checked equal by tests/codec/jxl_test.cpp):
// - SetDistanceFromFlags: distance = q >= 100 ? 0 (lossless) : q >= 30 ? 0.1 + (100 - q) * 0.09
//   : 6.4 + pow(2.5, (30 - q) / 5) / 6.25, in double, handed to JxlEncoderSetFrameDistance
//   (a float), which refuses anything above 25. So lossy quality is 5..99: q 4 gives 25.17.
// - CompressArgs: effort 7 (JXL_ENC_FRAME_SETTING_EFFORT); every other flag cjxl passes is the
//   library's default, so only effort and distance are set here.
// - No container: cjxl uses one only for Exif/XMP/JUMBF or JPEG reconstruction data, none of
//   which a plain PNG brings, so JxlEncoderUseContainer(false) = a bare codestream (FF 0A ...).
// - Basic info from the PNG: 8 bits, 1 colour channel for a gray PNG, 3 for RGB, no alpha;
//   uses_original_profile = lossless = false (XYB); intensity_target 0 = the library's default.
// - Colour: a PNG without colour chunks (encode_png writes none) is taken as sRGB: 0.7's
//   lib/extras/dec/color_hints.cc ("No color_space/icc_pathname given, assuming sRGB") sets colour
//   space (gray for a gray PNG), D65, sRGB primaries and transfer function on a zeroed
//   JxlColorEncoding, so its rendering intent stays 0 = perceptual. JxlColorEncodingSetToSRGB
//   gives relative, which costs bits (gray: one bit differs; RGB: 3 bytes more than all_default
//   ImageMetadata), so we set perceptual over it.
// - cjxl runs a JxlThreadParallelRunner; libjxl's output does not depend on the thread count, and
//   our callers encode many images in parallel, so we encode on the calling thread (no runner).

namespace helmholtz::codec {
namespace {

constexpr int kMinQuality = 5;   // cjxl's mapping gives 22.03 here, 25.17 (refused) at 4
constexpr int kMaxQuality = 99;  // cjxl's 100 is lossless (Modular), not this lossy codec
constexpr int kEffort = 7;       // cjxl 0.7's default effort

void check_shape(const char* what, int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError(std::string(what) + ": image size " + std::to_string(width) + "x" +
                           std::to_string(height) + " is not positive");
  }
  if (channels != 1 && channels != 3) {
    throw core::UsageError(std::string(what) + ": " + std::to_string(channels) +
                           " channels; JPEG XL images here have 1 (grayscale) or 3 (RGB)");
  }
}

JxlPixelFormat pixel_format(int channels) {
  return JxlPixelFormat{static_cast<std::uint32_t>(channels), JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0};
}

std::string encoder_error(JxlEncoder* enc, const char* step) {
  return std::string("JPEG XL encode: ") + step + " failed (libjxl error " +
         std::to_string(static_cast<int>(JxlEncoderGetError(enc))) + ")";
}

void check(JxlEncoder* enc, JxlEncoderStatus status, const char* step) {
  if (status != JXL_ENC_SUCCESS) throw core::CodecError(encoder_error(enc, step));
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

double jxl_distance(int quality) {
  const double q = quality;
  if (q >= 100) return 0.0;
  if (q >= 30) return 0.1 + (100 - q) * 0.09;
  return 6.4 + std::pow(2.5, (30 - q) / 5.0) / 6.25;
}

std::vector<std::uint8_t> encode_jxl(const std::uint8_t* pixels, int width, int height,
                                     int channels, int quality) {
  check_shape("JPEG XL encode", width, height, channels);
  if (quality < kMinQuality || quality > kMaxQuality) {
    throw core::UsageError("JPEG XL quality " + std::to_string(quality) + " is out of range: use " +
                           std::to_string(kMinQuality) + ".." + std::to_string(kMaxQuality) +
                           " (cjxl's distance passes 25 below 5, and 100 is lossless)");
  }
  if (pixels == nullptr) throw core::UsageError("JPEG XL encode: no pixels given");

  JxlEncoderPtr owner = JxlEncoderMake(nullptr);
  JxlEncoder* enc = owner.get();
  if (enc == nullptr) throw core::CodecError("cannot create a libjxl encoder");
  check(enc, JxlEncoderUseContainer(enc, JXL_FALSE), "JxlEncoderUseContainer");

  JxlBasicInfo info;
  JxlEncoderInitBasicInfo(&info);
  info.xsize = static_cast<std::uint32_t>(width);
  info.ysize = static_cast<std::uint32_t>(height);
  info.bits_per_sample = 8;
  info.exponent_bits_per_sample = 0;
  info.num_color_channels = static_cast<std::uint32_t>(channels);
  info.num_extra_channels = 0;
  info.alpha_bits = 0;
  info.uses_original_profile = JXL_FALSE;
  info.intensity_target = 0;  // as cjxl: libjxl then picks the default of the colour encoding
  check(enc, JxlEncoderSetBasicInfo(enc, &info), "JxlEncoderSetBasicInfo");

  JxlColorEncoding color;
  JxlColorEncodingSetToSRGB(&color, channels == 1 ? JXL_TRUE : JXL_FALSE);
  color.rendering_intent = JXL_RENDERING_INTENT_PERCEPTUAL;  // cjxl's, see the top of the file
  check(enc, JxlEncoderSetColorEncoding(enc, &color), "JxlEncoderSetColorEncoding");

  // Owned by the encoder, freed with it.
  JxlEncoderFrameSettings* settings = JxlEncoderFrameSettingsCreate(enc, nullptr);
  if (settings == nullptr) throw core::CodecError(encoder_error(enc, "frame settings"));
  check(enc, JxlEncoderFrameSettingsSetOption(settings, JXL_ENC_FRAME_SETTING_EFFORT, kEffort),
        "setting the effort");
  check(enc, JxlEncoderSetFrameDistance(settings, static_cast<float>(jxl_distance(quality))),
        "JxlEncoderSetFrameDistance");

  const JxlPixelFormat format = pixel_format(channels);
  const std::size_t bytes = static_cast<std::size_t>(width) * height * channels;
  check(enc, JxlEncoderAddImageFrame(settings, &format, pixels, bytes), "JxlEncoderAddImageFrame");
  JxlEncoderCloseInput(enc);

  std::vector<std::uint8_t> out(4096);
  std::uint8_t* next = out.data();
  std::size_t avail = out.size();
  JxlEncoderStatus status = JXL_ENC_NEED_MORE_OUTPUT;
  while ((status = JxlEncoderProcessOutput(enc, &next, &avail)) == JXL_ENC_NEED_MORE_OUTPUT) {
    const std::size_t used = static_cast<std::size_t>(next - out.data());
    out.resize(out.size() * 2);
    next = out.data() + used;
    avail = out.size() - used;
  }
  check(enc, status, "JxlEncoderProcessOutput");
  out.resize(static_cast<std::size_t>(next - out.data()));
  return out;
}

void decode_jxl(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                int height, int channels) {
  check_shape("JPEG XL decode", width, height, channels);
  if (out == nullptr) throw core::UsageError("JPEG XL decode: no output buffer given");
  if (data == nullptr || size == 0) throw core::CodecError("JPEG XL decode: no data (0 bytes)");
  const std::string where = " (" + std::to_string(size) + " bytes)";

  JxlDecoderPtr owner = JxlDecoderMake(nullptr);
  JxlDecoder* dec = owner.get();
  if (dec == nullptr) throw core::CodecError("cannot create a libjxl decoder");
  if (JxlDecoderSubscribeEvents(dec, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
      JxlDecoderSetInput(dec, data, size) != JXL_DEC_SUCCESS) {
    throw core::CodecError("JPEG XL decode: cannot set up the libjxl decoder");
  }
  // All the data is there: a decoder that still wants more input has a truncated file.
  JxlDecoderCloseInput(dec);

  const JxlPixelFormat format = pixel_format(channels);
  const std::size_t expected = static_cast<std::size_t>(width) * height * channels;
  bool have_info = false;
  bool have_image = false;
  while (true) {
    const JxlDecoderStatus status = JxlDecoderProcessInput(dec);
    switch (status) {
      case JXL_DEC_BASIC_INFO: {
        JxlBasicInfo info;
        if (JxlDecoderGetBasicInfo(dec, &info) != JXL_DEC_SUCCESS) {
          throw core::CodecError("corrupt JPEG XL" + where + ": no basic info");
        }
        if (info.xsize != static_cast<std::uint32_t>(width) ||
            info.ysize != static_cast<std::uint32_t>(height)) {
          throw core::CodecError("JPEG XL is " + std::to_string(info.xsize) + "x" +
                                 std::to_string(info.ysize) + ", expected " +
                                 std::to_string(width) + "x" + std::to_string(height));
        }
        if (info.num_color_channels != static_cast<std::uint32_t>(channels)) {
          throw core::CodecError("JPEG XL has " + std::to_string(info.num_color_channels) +
                                 " colour channels, expected " + std::to_string(channels));
        }
        have_info = true;
        break;
      }
      case JXL_DEC_NEED_IMAGE_OUT_BUFFER: {
        if (!have_info || have_image) {
          throw core::CodecError("JPEG XL" + where + " has more than one frame");
        }
        std::size_t needed = 0;
        if (JxlDecoderImageOutBufferSize(dec, &format, &needed) != JXL_DEC_SUCCESS ||
            needed != expected) {
          throw core::CodecError("JPEG XL decode" + where + ": output buffer of " +
                                 std::to_string(needed) + " bytes, expected " +
                                 std::to_string(expected));
        }
        if (JxlDecoderSetImageOutBuffer(dec, &format, out, expected) != JXL_DEC_SUCCESS) {
          throw core::CodecError("JPEG XL decode" + where + ": cannot set the output buffer");
        }
        break;
      }
      case JXL_DEC_FULL_IMAGE:
        have_image = true;
        break;
      case JXL_DEC_SUCCESS:
        if (!have_image) throw core::CodecError("JPEG XL" + where + " holds no image");
        return;
      case JXL_DEC_NEED_MORE_INPUT:
        throw core::CodecError("truncated JPEG XL" + where + ": the data ends mid-image");
      case JXL_DEC_ERROR:
        throw core::CodecError("corrupt or unreadable JPEG XL" + where);
      default:
        throw core::CodecError("JPEG XL decode" + where + ": unexpected decoder event " +
                               std::to_string(static_cast<int>(status)));
    }
  }
}

std::size_t jxl_payload_bytes(const std::uint8_t* data, std::size_t size) {
  const auto bad = [](std::size_t at, const std::string& what) {
    return core::CodecError("not a JPEG XL file: " + what + " at byte " + std::to_string(at));
  };
  if (data == nullptr || size < 2) throw bad(0, "fewer than 2 bytes");
  // A bare codestream: the 2-byte signature FF 0A, then headers and frames.
  if (data[0] == 0xFF && data[1] == 0x0A) {
    if (size == 2) throw bad(2, "no headers after the signature");
    return size - 2;
  }
  // An ISOBMFF container: the 12-byte signature box, then boxes; the codestream is in one jxlc
  // box or split over jxlp boxes (each starting with a 4-byte part counter).
  static const std::uint8_t kSignature[12] = {0x00, 0x00, 0x00, 0x0C, 'J',  'X',
                                              'L',  ' ',  0x0D, 0x0A, 0x87, 0x0A};
  if (size < 12 || !std::equal(kSignature, kSignature + 12, data)) {
    throw bad(0, "neither the codestream signature FF 0A nor the container signature");
  }
  std::size_t pos = 12;
  std::size_t codestream = 0;
  bool signature_seen = false;
  while (pos < size) {
    if (size - pos < 8) throw bad(pos, "a box header cut short");
    std::uint64_t box = read_be32(data + pos);
    std::size_t header = 8;
    if (box == 1) {  // 64-bit size after the type
      if (size - pos < 16) throw bad(pos, "a box header cut short");
      box = (std::uint64_t{read_be32(data + pos + 8)} << 32) | read_be32(data + pos + 12);
      header = 16;
    } else if (box == 0) {  // the last box: runs to the end of the file
      box = size - pos;
    }
    if (box < header || box > size - pos) throw bad(pos, "a box longer than the file");
    const std::uint8_t* type = data + pos + 4;
    const std::uint8_t* body = data + pos + header;
    std::size_t length = static_cast<std::size_t>(box) - header;
    const bool jxlc = std::equal(type, type + 4, "jxlc");
    const bool jxlp = std::equal(type, type + 4, "jxlp");
    if (jxlp) {
      if (length < 4) throw bad(pos, "a jxlp box without its part counter");
      body += 4;
      length -= 4;
    }
    if ((jxlc || jxlp) && length > 0) {
      if (!signature_seen) {
        if (length < 2 || body[0] != 0xFF || body[1] != 0x0A) {
          throw bad(pos, "a codestream box without the codestream signature");
        }
        signature_seen = true;
      }
      codestream += length;
    }
    pos += static_cast<std::size_t>(box);
  }
  if (!signature_seen) throw bad(size, "a container without a codestream box");
  return codestream - 2;
}

std::string jxl_version() {
  const std::uint32_t v = JxlEncoderVersion();  // major * 1000000 + minor * 1000 + patch
  return "libjxl " + std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." +
         std::to_string(v % 1000);
}

}  // namespace helmholtz::codec
