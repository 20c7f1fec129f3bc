#include "helmholtz/codec/avif.hpp"

#include <avif/avif.h>

#include <cstring>
#include <memory>
#include <string>

#include "helmholtz/core/error.hpp"

// Matching `avifenc --min Q --max Q -s 6 in.png out.avif` of libavif 0.11.1 (apps/avifenc.c and
// apps/shared/avifpng.c of that release; tests/codec/avif_test.cpp checks the bytes against the
// installed avifenc):
// - avifenc's defaults: jobs 1 (encoder->maxThreads), speed 6, codec "auto" (the first encoder
//   in libavif's table, aom; we ask for AVIF_CODEC_CHOICE_AOM outright and refuse without it),
//   tileRowsLog2 = tileColsLog2 = 0 (no --autotiling), alpha quantizers 0/0, keyframe interval
//   0, timescale 30, one frame added with AVIF_ADD_IMAGE_FLAG_SINGLE.
// - The image: depth 8 (an 8-bit PNG) and avifenc's "auto" -y, which avifPNGRead resolves by
//   the PNG's colour type: YUV 4:0:0 (monochrome, Y only) for a gray PNG, 4:4:4
//   (AVIF_APP_DEFAULT_PIXEL_FORMAT) for an RGB one; so 1 channel is coded 4:0:0 and 3 channels
//   4:4:4 (the same bytes as `-y 444`). Full range (its default -r), matrix coefficients BT.601
//   (6, avifenc's default), and, since a PNG without iCCP (encode_png writes none) gives no ICC
//   and no CICP, avifenc signals sRGB: primaries BT.709 (1), transfer sRGB (13). So the nclx box
//   says 1/13/6, full range, for gray and RGB alike.
// - avifPNGRead gives libavif RGBA (png_set_filler adds an opaque alpha to RGB and gray, and
//   png_set_gray_to_rgb makes gray R = G = B) and calls avifImageRGBToYUV, which for 4:0:0
//   writes only Y: full-range BT.601 luma of R = G = B, which is the gray level itself (the
//   coefficients sum to 1). We hand over the same RGBA. The alpha plane that makes is entirely
//   opaque, and with AVIF_ADD_IMAGE_FLAG_SINGLE libavif writes no alpha item for an opaque
//   image, so the file has only the colour item. A 4:0:0 file's container differs from a 4:4:4
//   one's only in pixi (1 channel), av1C (mono_chrome) and ftyp (no MA1A brand).
// - Quality: avifenc 0.11 has no -q; libavif 1.x's quality q sets the quantizer
//   (100 - q) * 63 / 100 rounded, which we give as both --min and --max.
// - Decoding goes through avifImageYUVToRGB, which turns a full-range 4:0:0 image into
//   R = G = B = Y exactly (every level 0..255), so 1 channel gets the coded gray back (the luma
//   of R = G = B is that value) and 3 channels get it repeated; an RGB-coded (4:4:4) file read
//   as 1 channel takes the ITU-R 601 luma of its RGB, as for every codec here.

namespace helmholtz::codec {
namespace {

constexpr int kSpeed = 6;       // avifenc's default -s
constexpr int kThreads = 1;     // avifenc's default -j
constexpr int kTimescale = 30;  // avifenc's default --timescale (unused for one image)
constexpr int kDepth = 8;

struct EncoderDeleter {
  void operator()(avifEncoder* e) const { avifEncoderDestroy(e); }
};
struct DecoderDeleter {
  void operator()(avifDecoder* d) const { avifDecoderDestroy(d); }
};
struct ImageDeleter {
  void operator()(avifImage* i) const { avifImageDestroy(i); }
};
using EncoderPtr = std::unique_ptr<avifEncoder, EncoderDeleter>;
using DecoderPtr = std::unique_ptr<avifDecoder, DecoderDeleter>;
using ImagePtr = std::unique_ptr<avifImage, ImageDeleter>;

// RAII over the encoder's output buffer.
class RWData {
 public:
  RWData() = default;
  ~RWData() { avifRWDataFree(&data_); }
  RWData(const RWData&) = delete;
  RWData& operator=(const RWData&) = delete;
  avifRWData* get() { return &data_; }

 private:
  avifRWData data_ = AVIF_DATA_EMPTY;
};

void check_shape(const char* what, int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError(std::string("AVIF ") + what + ": image size " + std::to_string(width) +
                           "x" + std::to_string(height) + " is not positive");
  }
  if (channels != 1 && channels != 3) {
    throw core::UsageError(std::string("AVIF ") + what + ": " + std::to_string(channels) +
                           " channels; AVIF images here have 1 (grayscale) or 3 (RGB)");
  }
}

// libavif's result name plus its diagnostics line, when it wrote one.
std::string failure(avifResult result, const avifDiagnostics& diag) {
  std::string text = avifResultToString(result);
  if (diag.error[0] != '\0') text += " (" + std::string(diag.error) + ")";
  return text;
}

// ITU-R 601 luma as Pillow's convert("L") (libImaging/Convert.c, L24): the gray this project
// takes of an RGB decode for every codec.
std::uint8_t luma(const std::uint8_t* rgb) {
  return static_cast<std::uint8_t>((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 0x8000u) >>
                                   16);
}

// avifCodecVersions: "name [enc/dec]:version" entries joined by ", ", e.g.
// "dav1d [dec]:1.0.0, libgav1 [dec]:0.18.0, aom [enc/dec]:v3.6.0, ...".
std::string codec_versions() {
  char versions[256] = {};
  avifCodecVersions(versions);
  return versions;
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

int avif_quantizer(int quality) {
  if (quality < 0 || quality > 100) {
    throw core::UsageError("AVIF quality " + std::to_string(quality) +
                           " is out of range: use 0..100");
  }
  return ((100 - quality) * 63 + 50) / 100;  // AVIF_QUANTIZER_WORST_QUALITY = 63
}

std::vector<std::uint8_t> encode_avif(const std::uint8_t* pixels, int width, int height,
                                      int channels, int quality) {
  check_shape("encode", width, height, channels);
  const int quantizer = avif_quantizer(quality);
  if (pixels == nullptr) throw core::UsageError("AVIF encode: no pixels given");
  if (avifCodecName(AVIF_CODEC_CHOICE_AOM, AVIF_CODEC_FLAG_CAN_ENCODE) == nullptr) {
    throw core::CodecError("AVIF encode: this libavif " + std::string(avifVersion()) +
                           " was built without the aom encoder (it has: " + codec_versions() + ")");
  }

  // avifPNGRead's "auto" format: 4:0:0 for a gray PNG, 4:4:4 (AVIF_APP_DEFAULT_PIXEL_FORMAT)
  // for an RGB one.
  const avifPixelFormat format =
      channels == 1 ? AVIF_PIXEL_FORMAT_YUV400 : AVIF_PIXEL_FORMAT_YUV444;
  ImagePtr image(avifImageCreate(static_cast<std::uint32_t>(width),
                                 static_cast<std::uint32_t>(height), kDepth, format));
  if (!image) throw core::CodecError("AVIF encode: cannot create an image (out of memory?)");
  image->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
  image->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
  image->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
  image->yuvRange = AVIF_RANGE_FULL;

  // RGBA with opaque alpha, gray as R = G = B: what avifPNGRead hands avifImageRGBToYUV (which
  // for 4:0:0 fills only the Y plane).
  const std::size_t count = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> rgba(count * 4);
  for (std::size_t i = 0; i < count; ++i) {
    for (int c = 0; c < 3; ++c) rgba[4 * i + c] = pixels[i * channels + (channels == 3 ? c : 0)];
    rgba[4 * i + 3] = 255;
  }
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, image.get());
  rgb.format = AVIF_RGB_FORMAT_RGBA;
  rgb.depth = kDepth;
  rgb.pixels = rgba.data();
  rgb.rowBytes = static_cast<std::uint32_t>(width) * 4;
  const avifResult converted = avifImageRGBToYUV(image.get(), &rgb);
  if (converted != AVIF_RESULT_OK) {
    throw core::CodecError("AVIF encode: RGB to YUV conversion failed: " +
                           std::string(avifResultToString(converted)));
  }

  EncoderPtr encoder(avifEncoderCreate());
  if (!encoder) throw core::CodecError("AVIF encode: cannot create an encoder (out of memory?)");
  encoder->codecChoice = AVIF_CODEC_CHOICE_AOM;
  encoder->maxThreads = kThreads;
  encoder->speed = kSpeed;
  encoder->minQuantizer = quantizer;
  encoder->maxQuantizer = quantizer;
  encoder->minQuantizerAlpha = AVIF_QUANTIZER_LOSSLESS;  // avifenc's defaults; no alpha is
  encoder->maxQuantizerAlpha = AVIF_QUANTIZER_LOSSLESS;  // written for an opaque image anyway
  encoder->tileRowsLog2 = 0;
  encoder->tileColsLog2 = 0;
  encoder->autoTiling = AVIF_FALSE;
  encoder->keyframeInterval = 0;
  encoder->timescale = kTimescale;

  const avifResult added =
      avifEncoderAddImage(encoder.get(), image.get(), 1, AVIF_ADD_IMAGE_FLAG_SINGLE);
  if (added != AVIF_RESULT_OK) {
    throw core::CodecError("AVIF encode of a " + std::to_string(width) + "x" +
                           std::to_string(height) +
                           " image failed: " + failure(added, encoder->diag));
  }
  RWData output;
  const avifResult finished = avifEncoderFinish(encoder.get(), output.get());
  if (finished != AVIF_RESULT_OK) {
    throw core::CodecError("AVIF encode: finishing the file failed: " +
                           failure(finished, encoder->diag));
  }
  return std::vector<std::uint8_t>(output.get()->data, output.get()->data + output.get()->size);
}

void decode_avif(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                 int height, int channels) {
  check_shape("decode", width, height, channels);
  if (out == nullptr) throw core::UsageError("AVIF decode: no output buffer given");
  if (data == nullptr || size == 0) throw core::CodecError("AVIF decode: no data (0 bytes)");
  const std::string where = " (" + std::to_string(size) + " bytes)";

  DecoderPtr decoder(avifDecoderCreate());
  ImagePtr image(avifImageCreateEmpty());
  if (!decoder || !image) throw core::CodecError("AVIF decode: out of memory");
  // Any available AV1 decoder (dav1d, libgav1, aom): AV1 decoding is exactly specified, so they
  // give the same pixels. One thread, as the callers decode many images in parallel.
  decoder->maxThreads = 1;
  decoder->ignoreExif = AVIF_TRUE;
  decoder->ignoreXMP = AVIF_TRUE;
  const avifResult read = avifDecoderReadMemory(decoder.get(), image.get(), data, size);
  if (read != AVIF_RESULT_OK) {
    throw core::CodecError("AVIF decode: corrupt, truncated or unsupported AVIF" + where + ": " +
                           failure(read, decoder->diag));
  }
  if (image->width != static_cast<std::uint32_t>(width) ||
      image->height != static_cast<std::uint32_t>(height)) {
    throw core::CodecError("AVIF is " + std::to_string(image->width) + "x" +
                           std::to_string(image->height) + ", expected " + std::to_string(width) +
                           "x" + std::to_string(height));
  }

  // 8-bit RGB (libavif rescales other depths and expands limited range; a 4:0:0 image comes
  // out R = G = B = Y), straight into `out` or into a scratch buffer for the luma, which for
  // R = G = B is that value exactly. Any alpha is dropped.
  const std::size_t count = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> scratch;
  std::uint8_t* target = out;
  if (channels == 1) {
    scratch.resize(count * 3);
    target = scratch.data();
  }
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, image.get());
  rgb.format = AVIF_RGB_FORMAT_RGB;
  rgb.depth = kDepth;
  rgb.pixels = target;
  rgb.rowBytes = static_cast<std::uint32_t>(width) * 3;
  const avifResult converted = avifImageYUVToRGB(image.get(), &rgb);
  if (converted != AVIF_RESULT_OK) {
    throw core::CodecError("AVIF decode: YUV to RGB conversion failed" + where + ": " +
                           std::string(avifResultToString(converted)));
  }
  if (channels == 1) {
    for (std::size_t i = 0; i < count; ++i) out[i] = luma(&target[3 * i]);
  }
}

std::size_t avif_payload_bytes(const std::uint8_t* data, std::size_t size) {
  const auto bad = [](std::size_t at, const std::string& what) {
    return core::CodecError("not an AVIF: " + what + " at byte " + std::to_string(at));
  };
  if (data == nullptr) throw bad(0, "no data");
  // ISO BMFF top-level boxes: 32-bit big-endian size (1: a 64-bit size follows the type; 0: to
  // the end of the file) and a FourCC. The first must be `ftyp` naming the `avif` brand (major or
  // compatible, as a still image or an `avis` sequence); the payload is every `mdat`'s data,
  // which for libavif's files is the colour item's AV1 OBUs and nothing else.
  std::size_t pos = 0;
  std::size_t payload = 0;
  bool seen_mdat = false;
  while (pos < size) {
    if (size - pos < 8) throw bad(pos, "a box header cut short");
    std::uint64_t box = read_be32(data + pos);
    const std::string type(reinterpret_cast<const char*>(data) + pos + 4, 4);
    std::size_t header = 8;
    if (box == 1) {
      if (size - pos < 16) throw bad(pos, "a 64-bit box size cut short");
      box = (std::uint64_t{read_be32(data + pos + 8)} << 32) | read_be32(data + pos + 12);
      header = 16;
    } else if (box == 0) {
      box = size - pos;
    }
    if (box < header || box > size - pos) throw bad(pos, "a box longer than the file");
    if (pos == 0) {
      if (type != "ftyp" || box < 16) throw bad(0, "no ftyp box");
      bool avif = false;
      for (std::size_t brand = 8; brand + 4 <= box; brand += 4) {
        if (brand == 12) continue;  // minor_version, not a brand
        const char* b = reinterpret_cast<const char*>(data) + brand;
        if (std::memcmp(b, "avif", 4) == 0 || std::memcmp(b, "avis", 4) == 0) avif = true;
      }
      if (!avif) throw bad(8, "an ftyp box without the avif brand");
    } else if (type == "mdat") {
      payload += static_cast<std::size_t>(box) - header;
      seen_mdat = true;
    }
    pos += static_cast<std::size_t>(box);
  }
  if (!seen_mdat) throw bad(pos, "no mdat box before the end");
  return payload;
}

std::string avif_version() {
  const std::string all = codec_versions();
  std::string aom = "no aom";
  const std::size_t at = all.find("aom [");
  if (at != std::string::npos) {
    const std::size_t colon = all.find(':', at);
    const std::size_t end = all.find(',', at);
    if (colon != std::string::npos && colon < end) {
      aom = "aom " + all.substr(colon + 1, end == std::string::npos ? end : end - colon - 1);
    }
  }
  return "libavif " + std::string(avifVersion()) + " (" + aom + ")";
}

}  // namespace helmholtz::codec
