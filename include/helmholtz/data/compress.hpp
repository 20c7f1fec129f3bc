#pragma once
// The compression stage: every image of a set is encoded by the run's codec at one level and
// decoded again, in place, in parallel over worker threads, before training starts.

#include <cstdint>
#include <optional>
#include <string>

#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

// An image codec level: a codec and its --quality in that codec's own scale
// (codec::image_codecs() gives each range: JPEG 1..100, WebP and AVIF 0..100, JPEG XL 5..99,
// JPEG 2000 a PSNR target in dB), or raw (no codec at all: parse and with_codec give raw the
// default codec, JPEG, whatever the codec asked, so that one raw run, one folder and one identity
// serve every codec of a study).
struct Quality {
  bool raw = false;
  int value = 0;  // in the codec's range when !raw
  codec::ImageCodec codec = codec::ImageCodec::kJpeg;

  // "raw" or a number in the codec's range; else core::UsageError naming --quality and the range.
  static Quality parse(const std::string& text,
                       codec::ImageCodec codec = codec::ImageCodec::kJpeg);
  // "raw" or a number 0..999, not yet checked against a codec (the --quality option, before
  // finalize() knows --codec); else core::UsageError.
  static Quality parse_unchecked(const std::string& text);
  // This level for `codec`, checked against its range (raw stays raw).
  Quality with_codec(codec::ImageCodec codec) const;
  std::string to_string() const;    // "raw" or the number
  // "quality_raw"; JPEG keeps "quality_5"; the others "webp_50", "avif_30", ...
  std::string folder_name() const;
};

struct CompressionStats {
  std::int64_t images = 0;
  double mean_bytes = 0.0;      // mean compressed size per image (raw: the pixel bytes)
  // Mean entropy-coded scan bytes per image, without the headers and tables every file repeats
  // (codec::jpeg_payload_bytes; raw: the pixel bytes).
  double mean_payload_bytes = 0.0;
  // The lossless reference: the mean PNG size of the original images (codec::encode_png), as a
  // file and as its payload (codec::png_payload_bytes, the IDAT data). The same at every level.
  double mean_lossless_bytes = 0.0;
  double mean_lossless_payload_bytes = 0.0;
  double bits_per_pixel = 0.0;  // mean_bytes * 8 / (height * width)
  // Mean over images of each image's PSNR (dB) against its original. An image that comes back
  // identical counts as kPsnrCap; raw gives no PSNR (nullopt).
  std::optional<double> mean_psnr;
};

inline constexpr double kPsnrCap = 100.0;

// How an image meets the codec. kTransposed is the reference's quirk: it stored CIFAR-10 as
// (N, W, H, C), so the codec saw every image transposed (columns as rows); the image is
// transposed, coded, decoded and transposed back, so the pixels stay upright. The bytes are
// then those of the transposed image, and the Annex K luma table, which is not symmetric,
// quantises the image's horizontal frequencies as if they were vertical.
enum class Orientation { kUpright, kTransposed };

// Encodes and decodes every image of `images` in place; returns the figures above.
// threads: 0 = all hardware threads.
CompressionStats compress_images(ImageSet& images, const Quality& quality,
                                 codec::Subsampling subsampling, int threads,
                                 Orientation orientation = Orientation::kUpright);

// An HWC image transposed: pixel (row y, column x) goes to (row x, column y); the result is
// `height` wide and `width` high. Applying it twice (with the sizes swapped) gives the image.
void transpose_image(const std::uint8_t* in, int width, int height, int channels,
                     std::uint8_t* out);

}  // namespace helmholtz::data
