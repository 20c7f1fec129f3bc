#include "helmholtz/data/compress.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"

namespace helmholtz::data {
namespace {

TEST(Quality, ParsesRawAndOneToHundred) {
  EXPECT_TRUE(Quality::parse("raw").raw);
  EXPECT_EQ(Quality::parse("1").value, 1);
  EXPECT_FALSE(Quality::parse("1").raw);
  EXPECT_EQ(Quality::parse("100").value, 100);
  EXPECT_EQ(Quality::parse("075").value, 75);
  EXPECT_EQ(Quality::parse("raw").to_string(), "raw");
  EXPECT_EQ(Quality::parse("5").to_string(), "5");
  EXPECT_EQ(Quality::parse("raw").folder_name(), "quality_raw");
  EXPECT_EQ(Quality::parse("5").folder_name(), "quality_5");
}

TEST(Quality, RejectsEverythingElse) {
  for (const char* text : {"0", "101", "abc", "5x", "", "-5", "+5", " 5", "5 ", "1000", "RAW",
                           "99999999999999999999"}) {
    EXPECT_THROW(Quality::parse(text), core::UsageError) << "'" << text << "'";
  }
  try {
    Quality::parse("abc");
  } catch (const core::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'abc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("raw"), std::string::npos) << e.what();
  }
}

TEST(CompressImages, RawLeavesPixelsAlone) {
  ImageSet images = make_pattern_images(20, 32, 32, 3, 10, 5);
  const ImageSet original = images;
  const CompressionStats stats =
      compress_images(images, Quality::parse("raw"), codec::Subsampling::k420, 2);
  EXPECT_EQ(stats.images, 20);
  EXPECT_DOUBLE_EQ(stats.mean_bytes, 3072.0);
  EXPECT_DOUBLE_EQ(stats.bits_per_pixel, 24.0);
  EXPECT_FALSE(stats.mean_psnr.has_value());
  EXPECT_TRUE(images.pixels == original.pixels);
}

TEST(CompressImages, LowQualityShrinksAndChangesPixels) {
  ImageSet images = make_pattern_images(40, 32, 32, 3, 10, 5);
  const ImageSet original = images;
  const CompressionStats stats =
      compress_images(images, Quality::parse("10"), codec::Subsampling::k420, 2);
  EXPECT_EQ(stats.images, 40);
  EXPECT_GT(stats.mean_bytes, 100.0);
  EXPECT_LT(stats.mean_bytes, 3072.0 / 3);
  EXPECT_NEAR(stats.bits_per_pixel, stats.mean_bytes * 8.0 / 1024.0, 1e-12);
  ASSERT_TRUE(stats.mean_psnr.has_value());
  EXPECT_TRUE(std::isfinite(*stats.mean_psnr));
  EXPECT_GT(*stats.mean_psnr, 12.0);
  EXPECT_LT(*stats.mean_psnr, 40.0);
  EXPECT_FALSE(images.pixels == original.pixels);
  EXPECT_EQ(images.labels, original.labels);
  EXPECT_EQ(images.pixels.size(), original.pixels.size());

  // Higher quality: more bytes, higher PSNR.
  ImageSet better = original;
  const CompressionStats high =
      compress_images(better, Quality::parse("90"), codec::Subsampling::k420, 2);
  EXPECT_GT(high.mean_bytes, stats.mean_bytes);
  EXPECT_GT(*high.mean_psnr, *stats.mean_psnr);
}

TEST(CompressImages, DeterministicAndIndependentOfThreads) {
  const ImageSet original = make_pattern_images(33, 32, 32, 3, 10, 9);
  ImageSet one = original;
  ImageSet two = original;
  ImageSet again = original;
  const Quality q = Quality::parse("25");
  const CompressionStats s1 = compress_images(one, q, codec::Subsampling::k420, 1);
  const CompressionStats s2 = compress_images(two, q, codec::Subsampling::k420, 2);
  const CompressionStats s3 = compress_images(again, q, codec::Subsampling::k420, 3);
  EXPECT_TRUE(one.pixels == two.pixels);
  EXPECT_TRUE(one.pixels == again.pixels);
  EXPECT_EQ(s1.mean_bytes, s2.mean_bytes);
  EXPECT_EQ(s1.mean_bytes, s3.mean_bytes);
  EXPECT_EQ(*s1.mean_psnr, *s2.mean_psnr);
  EXPECT_EQ(*s1.mean_psnr, *s3.mean_psnr);
}

TEST(CompressImages, Subsampling444KeepsMore) {
  ImageSet a = make_pattern_images(20, 32, 32, 3, 10, 2);
  ImageSet b = a;
  const auto s420 = compress_images(a, Quality::parse("50"), codec::Subsampling::k420, 2);
  const auto s444 = compress_images(b, Quality::parse("50"), codec::Subsampling::k444, 2);
  EXPECT_GT(s444.mean_bytes, s420.mean_bytes);
  EXPECT_GT(*s444.mean_psnr, *s420.mean_psnr);
}

TEST(CompressImages, IdenticalImagesCountAsTheCap) {
  ImageSet flat;
  flat.count = 3;
  flat.height = 16;
  flat.width = 16;
  flat.channels = 1;
  flat.pixels.assign(3 * 16 * 16, 128);
  flat.labels.assign(3, 0);
  const auto stats = compress_images(flat, Quality::parse("100"), codec::Subsampling::k420, 1);
  ASSERT_TRUE(stats.mean_psnr.has_value());
  EXPECT_DOUBLE_EQ(*stats.mean_psnr, kPsnrCap);
  EXPECT_DOUBLE_EQ(stats.bits_per_pixel, stats.mean_bytes * 8.0 / 256.0);
}

TEST(CompressImages, GrayscaleAndEmptySets) {
  ImageSet gray = make_pattern_images(10, 32, 32, 1, 10, 4);
  const auto stats = compress_images(gray, Quality::parse("50"), codec::Subsampling::k420, 0);
  EXPECT_EQ(stats.images, 10);
  EXPECT_LT(stats.mean_bytes, 1024.0);
  EXPECT_TRUE(stats.mean_psnr.has_value());

  ImageSet empty = make_pattern_images(0, 32, 32, 3, 10, 4);
  const auto none = compress_images(empty, Quality::parse("50"), codec::Subsampling::k420, 2);
  EXPECT_EQ(none.images, 0);
  EXPECT_FALSE(none.mean_psnr.has_value());
}

}  // namespace
}  // namespace helmholtz::data
