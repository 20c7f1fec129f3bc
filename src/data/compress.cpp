#include "helmholtz/data/compress.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/parallel.hpp"

namespace helmholtz::data {

namespace {

// "raw" or up to three digits; -1 for anything else.
int level_number(const std::string& text) {
  const bool digits =
      !text.empty() && text.size() <= 3 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return digits ? std::stoi(text) : -1;
}

}  // namespace

Quality Quality::parse(const std::string& text, codec::ImageCodec codec) {
  if (text == "raw") return Quality{true, 0};  // raw is no codec: always the default's
  const int value = level_number(text);
  if (value < 0) {
    const auto& info = codec::image_codec_info(codec);
    throw core::UsageError("--quality '" + text + "': not a " + info.name + " quality (use " +
                           std::to_string(info.min_quality) + ".." +
                           std::to_string(info.max_quality) + " or raw)");
  }
  codec::check_quality(codec, value);
  return Quality{false, value, codec};
}

Quality Quality::parse_unchecked(const std::string& text) {
  if (text == "raw") return Quality{true, 0};
  const int value = level_number(text);
  if (value < 0) {
    throw core::UsageError("--quality '" + text +
                           "': use a number in the codec's range (JPEG 1..100) or raw");
  }
  return Quality{false, value};
}

Quality Quality::with_codec(codec::ImageCodec to) const {
  if (raw) return Quality{true, 0};
  codec::check_quality(to, value);
  return Quality{false, value, to};
}

std::string Quality::to_string() const { return raw ? "raw" : std::to_string(value); }

std::string Quality::folder_name() const {
  if (raw || codec == codec::ImageCodec::kJpeg) return "quality_" + to_string();
  return codec::to_string(codec) + "_" + to_string();
}

void transpose_image(const std::uint8_t* in, int width, int height, int channels,
                     std::uint8_t* out) {
  const std::size_t c = static_cast<std::size_t>(channels);
  for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y) {
    for (std::size_t x = 0; x < static_cast<std::size_t>(width); ++x) {
      const std::uint8_t* from = in + (y * static_cast<std::size_t>(width) + x) * c;
      std::uint8_t* to = out + (x * static_cast<std::size_t>(height) + y) * c;
      for (std::size_t k = 0; k < c; ++k) to[k] = from[k];
    }
  }
}

namespace {

// The mean PNG file and IDAT bytes of the images as they are (upright, before any codec).
void add_lossless_sizes(const ImageSet& images, int threads, CompressionStats& stats) {
  const std::size_t n = static_cast<std::size_t>(images.count);
  if (n == 0) return;
  std::vector<std::uint32_t> files(n), payloads(n);
  core::parallel_for(
      n, core::resolve_threads(threads), [&](int, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
          const auto png = codec::encode_png(images.image(static_cast<std::int64_t>(i)),
                                             images.width, images.height, images.channels);
          files[i] = static_cast<std::uint32_t>(png.size());
          payloads[i] =
              static_cast<std::uint32_t>(codec::png_payload_bytes(png.data(), png.size()));
        }
      });
  const auto mean = [n](const std::vector<std::uint32_t>& v) {
    return static_cast<double>(std::accumulate(v.begin(), v.end(), std::uint64_t{0})) /
           static_cast<double>(n);
  };
  stats.mean_lossless_bytes = mean(files);
  stats.mean_lossless_payload_bytes = mean(payloads);
}

}  // namespace

CompressionStats compress_images(ImageSet& images, const Quality& quality,
                                 codec::Subsampling subsampling, int threads,
                                 Orientation orientation) {
  CompressionStats stats;
  stats.images = images.count;
  const double pixels_per_image = static_cast<double>(images.height) * images.width;
  if (!quality.raw) codec::check_quality(quality.codec, quality.value);
  if (images.pixels.size() != static_cast<std::size_t>(images.count) * images.image_bytes()) {
    throw core::UsageError("compress_images: the image set holds " +
                           std::to_string(images.pixels.size()) + " pixel bytes, not count x " +
                           "image size");
  }
  add_lossless_sizes(images, threads, stats);
  if (quality.raw) {
    stats.mean_bytes = static_cast<double>(images.image_bytes());
    stats.mean_payload_bytes = stats.mean_bytes;
    stats.bits_per_pixel = pixels_per_image > 0 ? stats.mean_bytes * 8.0 / pixels_per_image : 0.0;
    return stats;
  }
  if (images.count == 0) return stats;
  codec::make_image_coder(quality.codec, quality.value, subsampling);  // a codec this build has

  const std::size_t n = static_cast<std::size_t>(images.count);
  const std::size_t image_bytes = images.image_bytes();
  // Per-image results, summed afterwards in image order: the figures do not depend on how the
  // images were split over threads.
  std::vector<std::uint32_t> sizes(n);
  std::vector<std::uint32_t> payloads(n);
  std::vector<double> psnrs(n);
  core::parallel_for(
      n, core::resolve_threads(threads), [&](int, std::size_t begin, std::size_t end) {
        const auto coder = codec::make_image_coder(quality.codec, quality.value, subsampling);
        std::vector<std::uint8_t> decoded(image_bytes);
        const bool transposed = orientation == Orientation::kTransposed;
        std::vector<std::uint8_t> coded_in(transposed ? image_bytes : 0);
        std::vector<std::uint8_t> coded_out(transposed ? image_bytes : 0);
        // What the codec sees: the image, or its transpose (width and height swapped).
        const int coded_width = transposed ? images.height : images.width;
        const int coded_height = transposed ? images.width : images.height;
        for (std::size_t i = begin; i < end; ++i) {
          std::uint8_t* image = images.image(static_cast<std::int64_t>(i));
          if (transposed) {
            transpose_image(image, images.width, images.height, images.channels, coded_in.data());
          }
          const std::vector<std::uint8_t> bytes = coder->encode(
              transposed ? coded_in.data() : image, coded_width, coded_height, images.channels);
          coder->decode(bytes.data(), bytes.size(), transposed ? coded_out.data() : decoded.data(),
                        coded_width, coded_height, images.channels);
          if (transposed) {
            transpose_image(coded_out.data(), coded_width, coded_height, images.channels,
                            decoded.data());
          }
          const double p = codec::psnr(image, decoded.data(), image_bytes);
          psnrs[i] = std::min(p, kPsnrCap);  // identical (+inf) counts as the cap
          sizes[i] = static_cast<std::uint32_t>(bytes.size());
          payloads[i] =
              static_cast<std::uint32_t>(coder->payload_bytes(bytes.data(), bytes.size()));
          std::memcpy(image, decoded.data(), image_bytes);
        }
      });

  const std::uint64_t total_bytes = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});
  const double total_psnr = std::accumulate(psnrs.begin(), psnrs.end(), 0.0);
  stats.mean_bytes = static_cast<double>(total_bytes) / static_cast<double>(n);
  stats.mean_payload_bytes =
      static_cast<double>(std::accumulate(payloads.begin(), payloads.end(), std::uint64_t{0})) /
      static_cast<double>(n);
  stats.bits_per_pixel = stats.mean_bytes * 8.0 / pixels_per_image;
  stats.mean_psnr = total_psnr / static_cast<double>(n);
  return stats;
}

}  // namespace helmholtz::data
