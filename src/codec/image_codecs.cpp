#include "helmholtz/codec/image_codecs.hpp"

#include <jconfig.h>

#include <algorithm>

#include "helmholtz/core/error.hpp"

#ifdef HELMHOLTZ_WITH_WEBP
#include "helmholtz/codec/webp.hpp"
#endif
#ifdef HELMHOLTZ_WITH_AVIF
#include "helmholtz/codec/avif.hpp"
#endif
#ifdef HELMHOLTZ_WITH_JXL
#include "helmholtz/codec/jxl.hpp"
#endif
#ifdef HELMHOLTZ_WITH_J2K
#include "helmholtz/codec/j2k.hpp"
#endif

// jconfig.h gives libjpeg-turbo's version as a bare number token (2.1.5): made a string here.
#define HELMHOLTZ_STRINGIFY2(x) #x
#define HELMHOLTZ_STRINGIFY(x) HELMHOLTZ_STRINGIFY2(x)

namespace helmholtz::codec {
namespace {

#ifdef HELMHOLTZ_WITH_WEBP
constexpr bool kWebp = true;
#else
constexpr bool kWebp = false;
#endif
#ifdef HELMHOLTZ_WITH_AVIF
constexpr bool kAvif = true;
#else
constexpr bool kAvif = false;
#endif
#ifdef HELMHOLTZ_WITH_JXL
constexpr bool kJxl = true;
#else
constexpr bool kJxl = false;
#endif
#ifdef HELMHOLTZ_WITH_J2K
constexpr bool kJ2k = true;
#else
constexpr bool kJ2k = false;
#endif

// The Debian packages that bring each codec's library (what a build without it should install).
const char* dev_packages(ImageCodec codec) {
  switch (codec) {
    case ImageCodec::kWebp:
      return "libwebp-dev";
    case ImageCodec::kAvif:
      return "libavif-dev";
    case ImageCodec::kJxl:
      return "libjxl-dev";
    case ImageCodec::kJ2k:
      return "libopenjp2-7-dev";
    default:
      return "libturbojpeg0-dev";
  }
}

class JpegCoder final : public ImageCoder {
 public:
  JpegCoder(int quality, Subsampling subsampling) : quality_(quality), subsampling_(subsampling) {}
  std::vector<std::uint8_t> encode(const std::uint8_t* pixels, int width, int height,
                                   int channels) override {
    return encoder_.encode(pixels, width, height, channels, quality_, subsampling_);
  }
  void decode(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width, int height,
              int channels) override {
    decoder_.decode(data, size, out, width, height, channels);
  }
  std::size_t payload_bytes(const std::uint8_t* data, std::size_t size) const override {
    return jpeg_payload_bytes(data, size);
  }

 private:
  int quality_;
  Subsampling subsampling_;
  JpegEncoder encoder_;
  JpegDecoder decoder_;
};

// The codecs whose libraries hold no state between images: three free functions each.
using Encode = std::vector<std::uint8_t> (*)(const std::uint8_t*, int, int, int, int);
using Decode = void (*)(const std::uint8_t*, std::size_t, std::uint8_t*, int, int, int);
using Payload = std::size_t (*)(const std::uint8_t*, std::size_t);

class FunctionCoder final : public ImageCoder {
 public:
  FunctionCoder(int quality, Encode encode, Decode decode, Payload payload)
      : quality_(quality), encode_(encode), decode_(decode), payload_(payload) {}
  std::vector<std::uint8_t> encode(const std::uint8_t* pixels, int width, int height,
                                   int channels) override {
    return encode_(pixels, width, height, channels, quality_);
  }
  void decode(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width, int height,
              int channels) override {
    decode_(data, size, out, width, height, channels);
  }
  std::size_t payload_bytes(const std::uint8_t* data, std::size_t size) const override {
    return payload_(data, size);
  }

 private:
  int quality_;
  Encode encode_;
  Decode decode_;
  Payload payload_;
};

}  // namespace

const std::vector<ImageCodecInfo>& image_codecs() {
  static const std::vector<ImageCodecInfo> all = {
      {ImageCodec::kJpeg, "jpeg", "JPEG", "libjpeg-turbo",
       "libjpeg quality: the Annex K tables scaled as jpeg_set_quality, baseline, 4:2:0 "
       "(--subsampling)",
       1, 100, true},
      {ImageCodec::kWebp, "webp", "WebP", "libwebp",
       "WebPConfig quality (lossy, WebPConfigPreset DEFAULT, method 4: Pillow's defaults)", 0, 100,
       kWebp},
      {ImageCodec::kAvif, "avif", "AVIF", "libavif (aom)",
       "quality 0..100 -> one AV1 quantizer round((100 - q) * 63 / 100) for min and max (libavif "
       "1.x's quality), YUV 4:4:4 (gray 4:0:0), speed 6 (avifenc's defaults)",
       0, 100, kAvif},
      {ImageCodec::kJxl, "jxl", "JPEG XL", "libjxl",
       "cjxl's quality -> Butteraugli distance 0.1 + (100 - q) * 0.09 from 30 up, "
       "6.4 + 2.5^((30 - q) / 5) / 6.25 below (VarDCT, effort 7: cjxl's defaults)",
       5, 99, kJxl},
      {ImageCodec::kJ2k, "j2k", "JPEG 2000", "OpenJPEG",
       "PSNR target in dB of one quality layer (opj_compress -q), 5/3 wavelet, up to 6 "
       "resolutions (as many as the image size allows)",
       1, 100, kJ2k},
  };
  return all;
}

const ImageCodecInfo& image_codec_info(ImageCodec codec) {
  for (const auto& info : image_codecs()) {
    if (info.id == codec) return info;
  }
  return image_codecs().front();
}

std::string to_string(ImageCodec codec) { return image_codec_info(codec).name; }

bool is_image_codec_name(const std::string& name) {
  const auto& all = image_codecs();
  return std::any_of(all.begin(), all.end(), [&](const auto& i) { return name == i.name; });
}

std::string built_image_codec_names() {
  std::string out;
  for (const auto& info : image_codecs()) {
    if (info.built) out += (out.empty() ? "" : ", ") + std::string(info.name);
  }
  return out;
}

ImageCodec parse_image_codec(const std::string& name) {
  for (const auto& info : image_codecs()) {
    if (name != info.name) continue;
    if (!info.built) {
      throw core::UsageError(
          "--codec " + name + ": this build has no " + info.library +
          " (it was not found when helmholtz was configured); install " + dev_packages(info.id) +
          " (scripts/setup.sh does) and build again, or use one of " + built_image_codec_names());
    }
    return info.id;
  }
  throw core::UsageError("--codec " + name + ": not an image codec (use one of " +
                         built_image_codec_names() + ")");
}

void check_quality(ImageCodec codec, int quality) {
  const auto& info = image_codec_info(codec);
  if (quality < info.min_quality || quality > info.max_quality) {
    throw core::UsageError("--quality " + std::to_string(quality) + ": " + info.name + " takes " +
                           std::to_string(info.min_quality) + ".." +
                           std::to_string(info.max_quality) + " (" + info.knob + "), or raw");
  }
}

std::string image_codec_version(ImageCodec codec) {
  switch (codec) {
#ifdef HELMHOLTZ_WITH_WEBP
    case ImageCodec::kWebp:
      return webp_version();
#endif
#ifdef HELMHOLTZ_WITH_AVIF
    case ImageCodec::kAvif:
      return avif_version();
#endif
#ifdef HELMHOLTZ_WITH_JXL
    case ImageCodec::kJxl:
      return jxl_version();
#endif
#ifdef HELMHOLTZ_WITH_J2K
    case ImageCodec::kJ2k:
      return j2k_version();
#endif
    case ImageCodec::kJpeg:
      return "libjpeg-turbo " HELMHOLTZ_STRINGIFY(LIBJPEG_TURBO_VERSION);
    default:
      return std::string(image_codec_info(codec).library) + " (not built)";
  }
}

std::unique_ptr<ImageCoder> make_image_coder(ImageCodec codec, int quality,
                                             Subsampling subsampling) {
  parse_image_codec(to_string(codec));  // refuses a codec this build left out
  check_quality(codec, quality);
  switch (codec) {
#ifdef HELMHOLTZ_WITH_WEBP
    case ImageCodec::kWebp:
      return std::make_unique<FunctionCoder>(quality, encode_webp, decode_webp, webp_payload_bytes);
#endif
#ifdef HELMHOLTZ_WITH_AVIF
    case ImageCodec::kAvif:
      return std::make_unique<FunctionCoder>(quality, encode_avif, decode_avif, avif_payload_bytes);
#endif
#ifdef HELMHOLTZ_WITH_JXL
    case ImageCodec::kJxl:
      return std::make_unique<FunctionCoder>(quality, encode_jxl, decode_jxl, jxl_payload_bytes);
#endif
#ifdef HELMHOLTZ_WITH_J2K
    case ImageCodec::kJ2k:
      return std::make_unique<FunctionCoder>(quality, encode_j2k, decode_j2k, j2k_payload_bytes);
#endif
    default:
      return std::make_unique<JpegCoder>(quality, subsampling);
  }
}

}  // namespace helmholtz::codec
