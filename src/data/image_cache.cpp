#include "helmholtz/data/image_cache.hpp"

#include "helmholtz/core/spdlog.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/file_lock.hpp"
#include "helmholtz/core/hash.hpp"
#include "helmholtz/data/report_json.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bump when the coding changes in a way the fingerprint does not capture.
constexpr int kImageCacheVersion = 1;

std::string fingerprint(const ImageSet& images, const Quality& quality,
                        codec::Subsampling subsampling, Orientation orientation,
                        const ImageCacheRequest& r) {
  std::ostringstream out;
  out << "helmholtz decoded images v" << kImageCacheVersion << "; dataset=" << r.dataset
      << "; split=" << r.split << "; images=" << images.count << "x" << images.height << "x"
      << images.width << "x" << images.channels
      << "; pixels=" << core::hex16(core::fnv1a(images.pixels.data(), images.pixels.size()))
      << "; codec=" << codec::to_string(quality.codec) << "; quality=" << quality.to_string()
      << "; library=" << codec::image_codec_version(quality.codec)
      << "; subsampling=" << codec::to_string(subsampling)
      << "; orientation=" << (orientation == Orientation::kTransposed ? "transposed" : "upright");
  return out.str();
}

CompressionStats stats_from_json(const json& j) {
  CompressionStats s;
  s.images = j.at("images").get<std::int64_t>();
  s.mean_bytes = j.at("mean_bytes").get<double>();
  s.mean_payload_bytes = j.at("mean_payload_bytes").get<double>();
  s.mean_lossless_bytes = j.at("mean_lossless_bytes").get<double>();
  s.mean_lossless_payload_bytes = j.at("mean_lossless_payload_bytes").get<double>();
  s.bits_per_pixel = j.at("bits_per_pixel").get<double>();
  if (!j.at("mean_psnr").is_null()) s.mean_psnr = j.at("mean_psnr").get<double>();
  return s;
}

void say(spdlog::logger* log, spdlog::level::level_enum level, const std::string& line) {
  if (log != nullptr) log->log(level, line);
}

// Reads the cache into `images` when it holds exactly `wanted`; false (and a line saying why)
// otherwise. `images` is untouched unless the whole file was read and verified.
bool read_cache(const fs::path& file, const std::string& wanted, ImageSet& images,
                CompressionStats& stats, spdlog::logger* log) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return false;
  std::vector<std::uint8_t> pixels;
  try {
    const bool read = core::read_checked_file(
        file, [&](const std::string& header_text, std::size_t payload_bytes) -> void* {
          const json header = json::parse(header_text);
          if (header.at("fingerprint").get<std::string>() != wanted) return nullptr;
          if (payload_bytes != images.pixels.size()) {
            throw core::DataError("cache file '" + file.string() + "' holds " +
                                  std::to_string(payload_bytes) + " pixel bytes, not " +
                                  std::to_string(images.pixels.size()));
          }
          stats = stats_from_json(header.at("stats"));
          pixels.resize(payload_bytes);
          return pixels.data();
        });
    if (!read) {
      say(log, spdlog::level::info,
          "cache " + file.string() + " was made from other images or settings; rebuilding it");
      return false;
    }
  } catch (const core::DataError& e) {
    say(log, spdlog::level::warn, std::string(e.what()) + "; rebuilding it");
    return false;
  } catch (const std::exception& e) {  // a header that does not parse (nlohmann)
    say(log, spdlog::level::warn,
        "cache file '" + file.string() + "' is damaged (" + e.what() + "); rebuilding it");
    return false;
  }
  images.pixels = std::move(pixels);
  return true;
}

}  // namespace

bool cached_codec(const Quality& quality) {
  return !quality.raw && quality.codec != codec::ImageCodec::kJpeg;
}

fs::path image_cache_file(const ImageCacheRequest& r, const Quality& quality) {
  return r.cache_dir / "images" / r.dataset / (r.split + "-" + quality.folder_name() + ".cache");
}

CachedCompression compress_images_cached(ImageSet& images, const Quality& quality,
                                         codec::Subsampling subsampling, int threads,
                                         Orientation orientation, const ImageCacheRequest& r,
                                         spdlog::logger* log) {
  CachedCompression out;
  if (r.cache_dir.empty() || !cached_codec(quality)) {
    out.stats = compress_images(images, quality, subsampling, threads, orientation);
    return out;
  }
  out.file = image_cache_file(r, quality);
  const std::string wanted = fingerprint(images, quality, subsampling, orientation, r);
  // The runs of a sweep at one level share the file: one codes it while the others wait for
  // the lock, then read it. A cache that cannot be used is a warning, never a failed run.
  std::optional<core::FileLock> lock;
  try {
    std::error_code ec;
    fs::create_directories(out.file.parent_path(), ec);
    if (ec) throw core::RunError("cannot create '" + out.file.parent_path().string() + "'");
    fs::path lock_file = out.file;
    lock_file += ".lock";
    lock.emplace(lock_file, "cache file '" + out.file.string() + "'", core::FileLock::Wait::kYes);
  } catch (const core::RunError& e) {
    say(log, spdlog::level::warn,
        std::string("no decoded-image cache: ") + e.what() +
            " (choose another folder with --cache-dir, or none with --cache-dir '')");
    out.stats = compress_images(images, quality, subsampling, threads, orientation);
    out.file.clear();
    return out;
  }
  if (read_cache(out.file, wanted, images, out.stats, log)) {
    out.from_cache = true;
    return out;
  }
  out.stats = compress_images(images, quality, subsampling, threads, orientation);
  json header;
  header["fingerprint"] = wanted;
  header["stats"] = to_json(out.stats);
  try {
    core::write_checked_file(out.file, header.dump(), images.pixels.data(), images.pixels.size());
  } catch (const core::RunError& e) {
    say(log, spdlog::level::warn,
        std::string("the decoded-image cache was not written: ") + e.what() +
            "; this run goes on without it");
    out.file.clear();
  }
  return out;
}

}  // namespace helmholtz::data
