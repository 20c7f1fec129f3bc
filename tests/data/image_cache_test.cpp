// The decoded-image cache of the slow codecs: written once, read back exactly, rebuilt (never
// used) when damaged or made from other images or settings.

#include "helmholtz/data/image_cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {
namespace fs = std::filesystem;

#ifdef HELMHOLTZ_WITH_WEBP
ImageSet images(std::uint64_t seed) { return make_pattern_images(12, 32, 32, 3, 4, seed); }

TEST(ImageCache, JpegAndRawAreNotCached) {
  EXPECT_FALSE(cached_codec(Quality::parse("5")));
  EXPECT_FALSE(cached_codec(Quality{true, 0, codec::ImageCodec::kWebp}));
  EXPECT_TRUE(cached_codec(Quality::parse("50", codec::ImageCodec::kWebp)));
  testing::TempDir dir;
  ImageSet set = images(1);
  const auto r =
      compress_images_cached(set, Quality::parse("50"), codec::Subsampling::k420, 1,
                             Orientation::kUpright, {dir.path(), "cifar10", "test"}, nullptr);
  EXPECT_TRUE(r.file.empty());
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(ImageCache, TheSecondRunReadsWhatTheFirstCoded) {
  testing::TempDir dir;
  const Quality webp = Quality::parse("30", codec::ImageCodec::kWebp);
  const ImageCacheRequest where{dir.path(), "cifar10", "train-12"};
  ImageSet first = images(1);
  const auto coded = compress_images_cached(first, webp, codec::Subsampling::k420, 2,
                                            Orientation::kUpright, where, nullptr);
  EXPECT_FALSE(coded.from_cache);
  ASSERT_TRUE(fs::is_regular_file(coded.file));
  EXPECT_EQ(coded.file, image_cache_file(where, webp));
  EXPECT_EQ(coded.file.filename(), "train-12-webp_30.cache");

  ImageSet second = images(1);
  const auto read = compress_images_cached(second, webp, codec::Subsampling::k420, 2,
                                           Orientation::kUpright, where, nullptr);
  EXPECT_TRUE(read.from_cache);
  EXPECT_EQ(second.pixels, first.pixels);  // the decoded images, not the originals
  EXPECT_NE(second.pixels, images(1).pixels);
  EXPECT_DOUBLE_EQ(read.stats.mean_bytes, coded.stats.mean_bytes);
  EXPECT_DOUBLE_EQ(read.stats.mean_payload_bytes, coded.stats.mean_payload_bytes);
  EXPECT_DOUBLE_EQ(*read.stats.mean_psnr, *coded.stats.mean_psnr);
}

TEST(ImageCache, OtherImagesOrSettingsAreRecodedNotRead) {
  testing::TempDir dir;
  const ImageCacheRequest where{dir.path(), "cifar10", "train-12"};
  const Quality webp = Quality::parse("30", codec::ImageCodec::kWebp);
  ImageSet a = images(1);
  compress_images_cached(a, webp, codec::Subsampling::k420, 1, Orientation::kUpright, where,
                         nullptr);
  ImageSet other = images(2);  // other pixels, same name
  ImageSet expected = images(2);
  compress_images(expected, webp, codec::Subsampling::k420, 1);
  const auto r = compress_images_cached(other, webp, codec::Subsampling::k420, 1,
                                        Orientation::kUpright, where, nullptr);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(other.pixels, expected.pixels);
  ImageSet transposed = images(2);
  EXPECT_FALSE(compress_images_cached(transposed, webp, codec::Subsampling::k420, 1,
                                      Orientation::kTransposed, where, nullptr)
                   .from_cache);
}

TEST(ImageCache, AFolderThatCannotHoldTheCacheIsAWarningNotAFailedRun) {
  testing::TempDir dir;
  const fs::path not_a_folder = dir.path() / "file";
  std::ofstream(not_a_folder) << "x";
  const Quality webp = Quality::parse("30", codec::ImageCodec::kWebp);
  ImageSet a = images(4);
  ImageSet expected = images(4);
  compress_images(expected, webp, codec::Subsampling::k420, 1);
  const auto r = compress_images_cached(a, webp, codec::Subsampling::k420, 1,
                                        Orientation::kUpright, {not_a_folder, "cifar10", "t"},
                                        nullptr);
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(r.file.empty());
  EXPECT_EQ(a.pixels, expected.pixels);
}

TEST(ImageCache, ADamagedFileIsReportedAndRebuiltNeverUsed) {
  testing::TempDir dir;
  const ImageCacheRequest where{dir.path(), "cifar10", "test-12"};
  const Quality webp = Quality::parse("30", codec::ImageCodec::kWebp);
  ImageSet a = images(3);
  const auto written = compress_images_cached(a, webp, codec::Subsampling::k420, 1,
                                              Orientation::kUpright, where, nullptr);
  const auto size = fs::file_size(written.file);
  testing::flip_byte(written.file, static_cast<std::streamoff>(size - 100), 0x40);  // pixels
  ImageSet b = images(3);
  const auto r = compress_images_cached(b, webp, codec::Subsampling::k420, 1, Orientation::kUpright,
                                        where, nullptr);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(b.pixels, a.pixels);  // coded again: the damaged bytes were not used
  ImageSet c = images(3);
  EXPECT_TRUE(compress_images_cached(c, webp, codec::Subsampling::k420, 1, Orientation::kUpright,
                                     where, nullptr)
                  .from_cache);  // the rebuilt file is good
  // A truncated file too.
  fs::resize_file(written.file, 40);
  ImageSet d = images(3);
  EXPECT_FALSE(compress_images_cached(d, webp, codec::Subsampling::k420, 1, Orientation::kUpright,
                                      where, nullptr)
                   .from_cache);
  EXPECT_EQ(d.pixels, a.pixels);
}
#endif

}  // namespace
}  // namespace helmholtz::data
