#include "helmholtz/data/synthetic.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/cifar10.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

TEST(PatternImages, ShapeAndRoundRobinLabels) {
  const ImageSet set = make_pattern_images(23, 32, 32, 3, 10, 1);
  EXPECT_EQ(set.count, 23);
  EXPECT_EQ(set.height, 32);
  EXPECT_EQ(set.width, 32);
  EXPECT_EQ(set.channels, 3);
  ASSERT_EQ(set.pixels.size(), 23u * 32 * 32 * 3);
  ASSERT_EQ(set.labels.size(), 23u);
  for (std::size_t i = 0; i < set.labels.size(); ++i) EXPECT_EQ(set.labels[i], i % 10);
}

TEST(PatternImages, DeterministicForASeed) {
  const ImageSet a = make_pattern_images(30, 32, 32, 3, 10, 123);
  const ImageSet b = make_pattern_images(30, 32, 32, 3, 10, 123);
  const ImageSet c = make_pattern_images(30, 32, 32, 3, 10, 124);
  EXPECT_TRUE(a.pixels == b.pixels);
  EXPECT_FALSE(a.pixels == c.pixels);
  // The first images do not depend on how many are made.
  const ImageSet prefix = make_pattern_images(7, 32, 32, 3, 10, 123);
  EXPECT_TRUE(std::equal(prefix.pixels.begin(), prefix.pixels.end(), a.pixels.begin()));
}

TEST(PatternImages, ImagesVaryAndUseTheRange) {
  const ImageSet set = make_pattern_images(20, 32, 32, 1, 10, 8);
  // Two images of the same class differ (random phase, brightness, noise).
  EXPECT_FALSE(std::equal(set.image(0), set.image(0) + set.image_bytes(), set.image(10)));
  int low = 255, high = 0;
  for (const auto p : set.pixels) {
    low = std::min<int>(low, p);
    high = std::max<int>(high, p);
  }
  EXPECT_LT(low, 80);
  EXPECT_GT(high, 170);
}

TEST(PatternImages, RejectsBadArguments) {
  EXPECT_THROW(make_pattern_images(-1, 32, 32, 3, 10, 1), core::UsageError);
  EXPECT_THROW(make_pattern_images(1, 0, 32, 3, 10, 1), core::UsageError);
  EXPECT_THROW(make_pattern_images(1, 32, 32, 2, 10, 1), core::UsageError);
  EXPECT_THROW(make_pattern_images(1, 32, 32, 3, 0, 1), core::UsageError);
}

TEST(PatternImages, WritesACifarFolder) {
  helmholtz::testing::TempDir dir;
  write_pattern_cifar10(dir.path(), 23, 6, 5);
  std::int64_t train = 0;
  for (int b = 1; b <= 5; ++b) {
    const auto file = dir.path() / ("data_batch_" + std::to_string(b) + ".bin");
    ASSERT_TRUE(std::filesystem::exists(file));
    train += read_cifar10_batch(file).count;
  }
  EXPECT_EQ(train, 23);
  EXPECT_EQ(std::filesystem::file_size(dir.path() / "test_batch.bin"), 6u * kCifarRecordBytes);
  // Test images are not copies of train images.
  const ImageSet test = read_cifar10_batch(dir.path() / "test_batch.bin");
  const ImageSet first = read_cifar10_batch(dir.path() / "data_batch_1.bin");
  EXPECT_FALSE(std::equal(test.image(0), test.image(0) + test.image_bytes(), first.image(0)));
  EXPECT_THROW(write_pattern_cifar10(dir.path(), 4, 1, 5), core::UsageError);
}

}  // namespace
}  // namespace helmholtz::data
