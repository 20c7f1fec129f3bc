#include "helmholtz/data/cifar10.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

using helmholtz::testing::TempDir;
namespace fs = std::filesystem;

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Calls fn, expects a DataError, returns its message.
template <typename Fn>
std::string data_error_of(Fn&& fn) {
  return testing::error_message_of<core::DataError>(std::forward<Fn>(fn));
}

TEST(Cifar10, WriteThenReadKeepsImagesAndLayout) {
  TempDir dir;
  const ImageSet images = make_pattern_images(7, 32, 32, 3, 10, 42);
  const fs::path file = dir.path() / "batch.bin";
  write_cifar10_batch(file, images);

  // The file is in the official planar layout: label, 1,024 R, 1,024 G, 1,024 B.
  const auto bytes = read_bytes(file);
  ASSERT_EQ(bytes.size(), 7u * kCifarRecordBytes);
  const std::size_t r = 3;  // record 3, pixel (row 5, col 9)
  const std::size_t p = 5 * 32 + 9;
  EXPECT_EQ(bytes[r * kCifarRecordBytes], images.labels[r]);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(bytes[r * kCifarRecordBytes + 1 + c * 1024 + p], images.image(r)[p * 3 + c]);
  }

  const ImageSet back = read_cifar10_batch(file);
  EXPECT_EQ(back.count, 7);
  EXPECT_EQ(back.height, 32);
  EXPECT_EQ(back.width, 32);
  EXPECT_EQ(back.channels, 3);
  EXPECT_EQ(back.labels, images.labels);
  EXPECT_TRUE(back.pixels == images.pixels);
}

TEST(Cifar10, SizeNotAMultipleOfTheRecordIsRejected) {
  TempDir dir;
  const fs::path file = dir.path() / "data_batch_1.bin";
  write_bytes(file, std::vector<std::uint8_t>(2 * kCifarRecordBytes + 100, 1));
  const std::string message = data_error_of([&] { read_cifar10_batch(file); });
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("3,073"), std::string::npos) << message;
  EXPECT_NE(message.find("fetch-cifar10.sh"), std::string::npos) << message;
}

TEST(Cifar10, EmptyFileIsRejected) {
  TempDir dir;
  const fs::path file = dir.path() / "test_batch.bin";
  write_bytes(file, {});
  const std::string message = data_error_of([&] { read_cifar10_batch(file); });
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
}

TEST(Cifar10, BadLabelNamesRecordAndOffset) {
  TempDir dir;
  const fs::path file = dir.path() / "data_batch_2.bin";
  std::vector<std::uint8_t> bytes(4 * kCifarRecordBytes, 7);
  bytes[2 * kCifarRecordBytes] = 10;  // record 2 starts at byte 6,146
  write_bytes(file, bytes);
  const std::string message = data_error_of([&] { read_cifar10_batch(file); });
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("offset 6146"), std::string::npos) << message;
  EXPECT_NE(message.find("label 10"), std::string::npos) << message;
}

TEST(Cifar10, MissingFileIsADataError) {
  TempDir dir;
  EXPECT_THROW(read_cifar10_batch(dir.path() / "nope.bin"), core::DataError);
  EXPECT_THROW(read_cifar10_batch(dir.path()), core::DataError);  // a folder
}

TEST(Cifar10, LoadsAWholeFolder) {
  TempDir dir;
  const fs::path folder = dir.path() / "cifar-10-batches-bin";
  write_pattern_cifar10(folder, 52, 13, 7);
  const ImageDataset dataset = load_image_dataset("cifar10", folder);
  EXPECT_EQ(dataset.name, "cifar10");
  EXPECT_EQ(dataset.num_classes, 10);
  ASSERT_EQ(dataset.class_names.size(), 10u);
  EXPECT_EQ(dataset.class_names.front(), "airplane");
  EXPECT_EQ(dataset.class_names.back(), "truck");
  EXPECT_EQ(dataset.train.count, 52);
  EXPECT_EQ(dataset.test.count, 13);
  EXPECT_EQ(dataset.train.pixels.size(), 52u * 3072);
  EXPECT_EQ(dataset.train.labels.size(), 52u);
  // The batches hold the train images in order.
  EXPECT_TRUE(dataset.train.pixels == make_pattern_images(52, 32, 32, 3, 10, 7).pixels);
}

TEST(Cifar10, MissingFolderSaysHowToFetchIt) {
  TempDir dir;
  const fs::path folder = dir.path() / "cifar-10-batches-bin";
  const std::string message = data_error_of([&] { load_image_dataset("cifar10", folder); });
  EXPECT_NE(message.find(folder.string()), std::string::npos) << message;
  EXPECT_NE(message.find("scripts/fetch-cifar10.sh '" + dir.path().string() + "'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--dataset fashion-mnist"), std::string::npos) << message;
  EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
}

TEST(Cifar10, MissingFileIsNamed) {
  TempDir dir;
  write_pattern_cifar10(dir.path(), 10, 2, 1);
  fs::remove(dir.path() / "data_batch_3.bin");
  const std::string message = data_error_of([&] { load_cifar10(dir.path()); });
  EXPECT_NE(message.find("missing data_batch_3.bin"), std::string::npos) << message;
  EXPECT_NE(message.find("fetch-cifar10.sh"), std::string::npos) << message;
}

TEST(Cifar10, DefaultFolderMessage) {
  if (fs::exists("data/cifar-10-batches-bin")) GTEST_SKIP() << "CIFAR-10 is present here";
  const std::string message = data_error_of([] { load_image_dataset("cifar10", ""); });
  EXPECT_EQ(message,
            "CIFAR-10 not found in 'data/cifar-10-batches-bin' (no such folder): run "
            "scripts/fetch-cifar10.sh to download it, or use the offline --dataset fashion-mnist "
            "(Debian package dataset-fashion-mnist)");
}

TEST(Cifar10, CorruptBatchInAFolderIsNamed) {
  TempDir dir;
  write_pattern_cifar10(dir.path(), 10, 2, 1);
  const fs::path bad = dir.path() / "data_batch_4.bin";
  auto bytes = read_bytes(bad);
  bytes.pop_back();
  write_bytes(bad, bytes);
  const std::string message = data_error_of([&] { load_cifar10(dir.path()); });
  EXPECT_NE(message.find(bad.string()), std::string::npos) << message;
}

TEST(Cifar10, WriteRejectsOtherShapes) {
  TempDir dir;
  EXPECT_THROW(write_cifar10_batch(dir.path() / "x.bin", make_pattern_images(2, 28, 28, 1, 10, 1)),
               core::UsageError);
}

}  // namespace
}  // namespace helmholtz::data
