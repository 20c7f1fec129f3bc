#pragma once
// Decoded images of the slow codecs, kept between runs. AVIF, JPEG XL, JPEG 2000 and WebP code a
// dataset many times slower than JPEG, and every run of a sweep at one level sees the same
// decoded pixels: the first run codes the split and writes them, with its figures, to a checked
// cache file (core/checked_file: magic, sizes, CRC-32, written atomically); the next reads them.
// The fingerprint in the header holds everything that decides the pixels: the dataset and
// split, the images' own bytes (a hash), the codec, its level, its library version, the
// subsampling and the orientation. A file of other inputs is rewritten; a damaged one is
// reported and rebuilt, never used. JPEG and raw are not cached (coding them is faster than
// reading a file). Runs that share a file (a sweep's settings and seeds at one level) take turns
// on a lock beside it (<file>.lock): the first codes and writes, the others wait and read. A
// cache folder that cannot be created or written is a warning and the run goes on uncached.
// No torch.

#include <filesystem>
#include <string>

#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"

namespace spdlog {
class logger;
}

namespace helmholtz::data {

struct ImageCacheRequest {
  std::filesystem::path cache_dir;  // empty: no cache
  std::string dataset;              // "fashion-mnist"
  std::string split;                // "train-<count>", "test-<count>", "train-all" (budget)
};

// Whether the codec of `quality` is one whose results are cached.
bool cached_codec(const Quality& quality);

// The cache file of this split at this level (whether it exists or not).
std::filesystem::path image_cache_file(const ImageCacheRequest& request, const Quality& quality);

struct CachedCompression {
  CompressionStats stats;
  bool from_cache = false;
  std::filesystem::path file;  // empty when not cached
};

// compress_images with the cache: reads the decoded images and their figures when the cache
// holds exactly these, else codes them and writes the cache. `log` (may be null) gets a line
// for a rebuilt or damaged file and for a cache that cannot be used. Throws what
// compress_images throws.
CachedCompression compress_images_cached(ImageSet& images, const Quality& quality,
                                         codec::Subsampling subsampling, int threads,
                                         Orientation orientation, const ImageCacheRequest& request,
                                         spdlog::logger* log);

}  // namespace helmholtz::data
