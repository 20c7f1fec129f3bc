#pragma once
// The image codecs a study can choose, behind one interface: each codec's name, library, quality
// knob and range (the one table the README's codec table states), and a coder that makes the
// in-memory round trip of one 8-bit image. No torch.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"

namespace helmholtz::codec {

enum class ImageCodec { kJpeg, kWebp, kAvif, kJxl, kJ2k };

struct ImageCodecInfo {
  ImageCodec id;
  const char* name;     // "jpeg", "webp", "avif", "jxl", "j2k": the --codec value
  const char* display;  // "JPEG", "WebP", "AVIF", "JPEG XL", "JPEG 2000": in tables and titles
  const char* library;  // "libjpeg-turbo", "libwebp", ...
  const char* knob;     // what --quality sets, in words (README table, --help)
  int min_quality;      // the range of --quality in the codec's own scale
  int max_quality;
  bool built;  // whether this build has the codec (its library was found)
};

// Every image codec this project knows, built or not, in this order: jpeg, webp, avif, jxl, j2k.
const std::vector<ImageCodecInfo>& image_codecs();
const ImageCodecInfo& image_codec_info(ImageCodec codec);
std::string to_string(ImageCodec codec);
bool is_image_codec_name(const std::string& name);
// The codecs this build has, "jpeg, webp, avif, jxl, j2k", for messages.
std::string built_image_codec_names();
// Throws core::UsageError "--codec NAME: ..." naming the valid values (and saying how to get a
// codec this build left out).
ImageCodec parse_image_codec(const std::string& name);

// Throws core::UsageError "--quality Q: <codec> takes 0..100 (...)" outside the codec's range.
void check_quality(ImageCodec codec, int quality);

// The library the codec runs through, with its version: "libjpeg-turbo 2.1.5", "libwebp 1.2.4".
// Part of a run's identity and of cache fingerprints: another version may give other bytes.
std::string image_codec_version(ImageCodec codec);

// One thread's coder for one codec and level: encode, decode, and the payload of what it wrote.
// Not thread-safe: make one per thread.
class ImageCoder {
 public:
  virtual ~ImageCoder() = default;
  // pixels: rows top to bottom, interleaved channels (1 = grayscale, 3 = RGB).
  virtual std::vector<std::uint8_t> encode(const std::uint8_t* pixels, int width, int height,
                                           int channels) = 0;
  virtual void decode(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                      int height, int channels) = 0;
  // The coded data without the per-file container and tables (jpeg_payload_bytes, ...).
  virtual std::size_t payload_bytes(const std::uint8_t* data, std::size_t size) const = 0;
};

// A coder at `quality` (checked with check_quality). `subsampling` applies to JPEG only.
// Throws core::UsageError for a codec this build left out.
std::unique_ptr<ImageCoder> make_image_coder(ImageCodec codec, int quality,
                                             Subsampling subsampling = Subsampling::k420);

}  // namespace helmholtz::codec
