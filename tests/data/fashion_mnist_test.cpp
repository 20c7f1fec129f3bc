#include "helmholtz/data/fashion_mnist.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

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

const fs::path kSystemDir = "/usr/share/datasets/fashion-mnist";

std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

void write_gz(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(file);
}

// An IDX images file (uncompressed contents) of n images of rows x cols, all pixels = 9.
std::vector<std::uint8_t> idx_images(std::uint32_t magic, std::uint32_t n, std::uint32_t rows,
                                     std::uint32_t cols) {
  std::vector<std::uint8_t> out;
  for (const std::uint32_t v : {magic, n, rows, cols}) {
    const auto b = be32(v);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.resize(out.size() + static_cast<std::size_t>(n) * rows * cols, 9);
  return out;
}

std::vector<std::uint8_t> idx_labels(std::uint32_t magic, const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> out;
  for (const std::uint32_t v : {magic, static_cast<std::uint32_t>(labels.size())}) {
    const auto b = be32(v);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

template <typename Fn>
std::string data_error_of(Fn&& fn) {
  return testing::error_message_of<core::DataError>(std::forward<Fn>(fn));
}

TEST(FashionMnist, WriteThenReadPadsTo32) {
  TempDir dir;
  const ImageSet images = make_pattern_images(5, 28, 28, 1, 10, 3);
  write_idx_gz(dir.path() / "img.gz", dir.path() / "lab.gz", images);
  const ImageSet back = read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32);
  ASSERT_EQ(back.count, 5);
  EXPECT_EQ(back.height, 32);
  EXPECT_EQ(back.width, 32);
  EXPECT_EQ(back.channels, 1);
  EXPECT_EQ(back.labels, images.labels);
  for (std::int64_t i = 0; i < back.count; ++i) {
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        const bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        const std::uint8_t expected = inside ? images.image(i)[(y - 2) * 28 + (x - 2)] : 0;
        ASSERT_EQ(back.image(i)[y * 32 + x], expected) << "image " << i << " y " << y << " x " << x;
      }
    }
  }
  // pad_to 0 keeps the stored size.
  EXPECT_EQ(read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 0).pixels,
            images.pixels);
}

TEST(FashionMnist, ReadsUncompressedFilesToo) {
  TempDir dir;
  const auto images = idx_images(0x803, 2, 28, 28);
  std::ofstream(dir.path() / "img", std::ios::binary)
      .write(reinterpret_cast<const char*>(images.data()),
             static_cast<std::streamsize>(images.size()));
  write_gz(dir.path() / "lab.gz", idx_labels(0x801, {1, 2}));
  EXPECT_EQ(read_idx_images(dir.path() / "img", dir.path() / "lab.gz", 10, 32).count, 2);
}

TEST(FashionMnist, BadMagicIsRejected) {
  TempDir dir;
  write_gz(dir.path() / "img.gz", idx_images(0x801, 2, 28, 28));
  write_gz(dir.path() / "lab.gz", idx_labels(0x801, {1, 2}));
  const std::string message =
      data_error_of([&] { read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32); });
  EXPECT_NE(message.find((dir.path() / "img.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("magic"), std::string::npos) << message;
  EXPECT_NE(message.find("offset 0"), std::string::npos) << message;

  write_gz(dir.path() / "img.gz", idx_images(0x803, 2, 28, 28));
  write_gz(dir.path() / "lab.gz", idx_labels(0x803, {1, 2}));
  const std::string labels_message =
      data_error_of([&] { read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32); });
  EXPECT_NE(labels_message.find((dir.path() / "lab.gz").string()), std::string::npos)
      << labels_message;
}

TEST(FashionMnist, TruncatedContentsAreRejected) {
  TempDir dir;
  auto images = idx_images(0x803, 3, 28, 28);
  images.resize(images.size() - 100);
  write_gz(dir.path() / "img.gz", images);
  write_gz(dir.path() / "lab.gz", idx_labels(0x801, {1, 2, 3}));
  const std::string message =
      data_error_of([&] { read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32); });
  EXPECT_NE(message.find((dir.path() / "img.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  // Shorter than the header.
  write_gz(dir.path() / "img.gz", {0, 0, 8});
  EXPECT_THROW(read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32),
               core::DataError);
}

TEST(FashionMnist, TruncatedGzipStreamIsRejected) {
  TempDir dir;
  const ImageSet images = make_pattern_images(20, 28, 28, 1, 10, 3);
  write_idx_gz(dir.path() / "img.gz", dir.path() / "lab.gz", images);
  std::ifstream in(dir.path() / "img.gz", std::ios::binary);
  std::vector<char> gz{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  in.close();
  gz.resize(gz.size() / 2);
  std::ofstream(dir.path() / "img.gz", std::ios::binary | std::ios::trunc)
      .write(gz.data(), static_cast<std::streamsize>(gz.size()));
  const std::string message =
      data_error_of([&] { read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32); });
  EXPECT_NE(message.find((dir.path() / "img.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated gzip"), std::string::npos) << message;
}

TEST(FashionMnist, BadLabelNamesItsOffset) {
  TempDir dir;
  write_gz(dir.path() / "img.gz", idx_images(0x803, 5, 28, 28));
  write_gz(dir.path() / "lab.gz", idx_labels(0x801, {0, 1, 2, 10, 4}));
  const std::string message =
      data_error_of([&] { read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32); });
  EXPECT_NE(message.find((dir.path() / "lab.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("label 10"), std::string::npos) << message;
  EXPECT_NE(message.find("byte offset 11"), std::string::npos) << message;
}

TEST(FashionMnist, CountMismatchIsRejected) {
  TempDir dir;
  write_gz(dir.path() / "img.gz", idx_images(0x803, 5, 28, 28));
  write_gz(dir.path() / "lab.gz", idx_labels(0x801, {0, 1, 2, 3}));
  EXPECT_THROW(read_idx_images(dir.path() / "img.gz", dir.path() / "lab.gz", 10, 32),
               core::DataError);
}

TEST(FashionMnist, MissingFolderSaysHowToInstall) {
  TempDir dir;
  const fs::path folder = dir.path() / "fashion";
  const std::string message = data_error_of([&] { load_image_dataset("fashion-mnist", folder); });
  EXPECT_NE(message.find(folder.string()), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;

  fs::create_directories(folder);
  const std::string missing = data_error_of([&] { load_fashion_mnist(folder); });
  EXPECT_NE(missing.find("missing train-images-idx3-ubyte.gz"), std::string::npos) << missing;
}

TEST(FashionMnist, LoadsAGeneratedFolder) {
  TempDir dir;
  const ImageSet train = make_pattern_images(30, 28, 28, 1, 10, 1);
  const ImageSet test = make_pattern_images(10, 28, 28, 1, 10, 2);
  write_idx_gz(dir.path() / "train-images-idx3-ubyte.gz", dir.path() / "train-labels-idx1-ubyte.gz",
               train);
  write_idx_gz(dir.path() / "t10k-images-idx3-ubyte.gz", dir.path() / "t10k-labels-idx1-ubyte.gz",
               test);
  const ImageDataset dataset = load_fashion_mnist(dir.path());
  EXPECT_EQ(dataset.name, "fashion-mnist");
  EXPECT_EQ(dataset.num_classes, 10);
  ASSERT_EQ(dataset.class_names.size(), 10u);
  EXPECT_EQ(dataset.class_names[0], "T-shirt/top");
  EXPECT_EQ(dataset.class_names[9], "Ankle boot");
  EXPECT_EQ(dataset.train.count, 30);
  EXPECT_EQ(dataset.test.count, 10);
  EXPECT_EQ(dataset.test.labels, test.labels);
}

TEST(FashionMnist, RealTestSplit) {
  if (!fs::exists(kSystemDir / "t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
  }
  const ImageSet test = read_idx_images(kSystemDir / "t10k-images-idx3-ubyte.gz",
                                        kSystemDir / "t10k-labels-idx1-ubyte.gz", 10, 32);
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(test.height, 32);
  EXPECT_EQ(test.width, 32);
  EXPECT_EQ(test.channels, 1);
  std::vector<int> per_class(10, 0);
  for (const auto label : test.labels) ++per_class.at(label);
  for (const int n : per_class) EXPECT_EQ(n, 1000);  // the test split is balanced
  std::uint64_t border = 0;
  for (std::int64_t i = 0; i < test.count; ++i) {
    for (int x = 0; x < 32; ++x) border += test.image(i)[x] + test.image(i)[31 * 32 + x];
  }
  EXPECT_EQ(border, 0u);
}

}  // namespace
}  // namespace helmholtz::data
