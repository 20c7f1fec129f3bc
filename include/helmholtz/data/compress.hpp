#pragma once
// The compression stage: every image of a set is JPEG-encoded at one quality and decoded again,
// in place, in parallel over worker threads, before training starts.

#include <cstdint>
#include <optional>
#include <string>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

// A JPEG quality level: 1..100, or raw (no codec at all).
struct Quality {
  bool raw = false;
  int value = 0;  // 1..100 when !raw

  static Quality parse(const std::string& text);  // "raw" or "1".."100"; else core::UsageError
  std::string to_string() const;                  // "raw" or the number
  std::string folder_name() const;                // "quality_raw", "quality_5"
};

struct CompressionStats {
  std::int64_t images = 0;
  double mean_bytes = 0.0;      // mean compressed size per image (raw: the pixel bytes)
  double bits_per_pixel = 0.0;  // mean_bytes * 8 / (height * width)
  // Mean over images of each image's PSNR (dB) against its original. An image that comes back
  // identical counts as kPsnrCap; raw gives no PSNR (nullopt).
  std::optional<double> mean_psnr;
};

inline constexpr double kPsnrCap = 100.0;

// Encodes and decodes every image of `images` in place; returns the figures above.
// threads: 0 = all hardware threads.
CompressionStats compress_images(ImageSet& images, const Quality& quality,
                                 codec::Subsampling subsampling, int threads);

}  // namespace helmholtz::data
