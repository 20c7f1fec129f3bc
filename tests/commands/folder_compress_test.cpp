// `compress --dataset folder` through the binary: both splits coded into the cache and read back
// from it, raw's 24 bits per pixel, and one clear line for a folder that is not a dataset, a
// missing --data-dir, and `train --dataset folder` options the recipe for photos cannot take.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/files.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;

void write_image(const fs::path& file, int width, int height, int channels, bool jpeg) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * channels);
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<std::uint8_t>((i * 13 + i / 7) % 256);
  }
  codec::JpegEncoder encoder;
  const auto bytes = jpeg ? encoder.encode(pixels.data(), width, height, channels, 90)
                          : codec::encode_png(pixels.data(), width, height, channels);
  fs::create_directories(file.parent_path());
  core::write_file_atomic(file, bytes.data(), bytes.size());
}

// 3 classes, 4 training and 2 validation images of several sizes, gray and RGB.
void make_folder(const fs::path& root) {
  write_image(root / "train/ant/1.jpg", 40, 30, 3, true);
  write_image(root / "train/bee/2.png", 64, 64, 1, false);
  write_image(root / "train/bee/3.jpg", 97, 51, 1, true);
  write_image(root / "train/cow/4.png", 97, 51, 3, false);
  write_image(root / "val/ant/5.png", 64, 64, 3, false);
  write_image(root / "val/cow/6.jpg", 40, 30, 3, true);
}

std::string compress(const fs::path& data, const fs::path& cache, const std::string& more) {
  return "compress --dataset folder --data-dir " + testing::quoted(data) + " --cache-dir " +
         testing::quoted(cache) + " --threads 2 " + more;
}

nlohmann::json json_of(const testing::CommandResult& r) {
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

TEST(FolderCompress, CodesBothSplitsThenReadsTheCache) {
  testing::TempDir data, cache;
  make_folder(data.path());
  const auto first =
      testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50 --json"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto j = json_of(first);
  EXPECT_EQ(j["dataset"], "folder");
  EXPECT_EQ(j["codec"], "jpeg");
  EXPECT_EQ(j["quality"], "50");
  EXPECT_EQ(j["classes"], (std::vector<std::string>{"ant", "bee", "cow"}));
  EXPECT_FALSE(j["from_cache"].get<bool>());
  EXPECT_EQ(j["train"]["images"], 4);
  EXPECT_EQ(j["val"]["images"], 2);
  EXPECT_EQ(j["train"]["coded"], 4);
  EXPECT_GT(j["train"]["mean_bytes"].get<double>(), j["train"]["mean_payload_bytes"].get<double>());
  EXPECT_GT(j["val"]["mean_psnr"].get<double>(), 10.0);  // a noisy pattern
  EXPECT_GT(j["train"]["bits_per_pixel"].get<double>(), 0.1);
  EXPECT_TRUE(fs::exists(j["train"]["manifest"].get<std::string>()));
  EXPECT_TRUE(fs::exists(fs::path(j["val"]["level_dir"].get<std::string>()) / "cow/6.jpg"));

  const auto second =
      testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50 --json"));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto k = json_of(second);
  EXPECT_TRUE(k["from_cache"].get<bool>());
  EXPECT_EQ(k["train"]["coded"], 0);
  EXPECT_EQ(k["train"]["mean_bytes"], j["train"]["mean_bytes"]);

  const auto text = testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("from cache"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("bits/pixel"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("val "), std::string::npos) << text.output;

  // A truncated coded file: one warning line, the file coded again.
  const fs::path cut = fs::path(j["val"]["level_dir"].get<std::string>()) / "cow/6.jpg";
  fs::resize_file(cut, 10);
  const auto mended =
      testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50 --json"));
  ASSERT_EQ(mended.exit_code, 0) << mended.output;
  const auto m = json_of(mended);
  EXPECT_FALSE(m["from_cache"].get<bool>());
  EXPECT_EQ(m["val"]["recoded"], 1);
  EXPECT_TRUE(m["train"]["from_cache"].get<bool>());
  const std::string warning = "missing or damaged (first: cow/6.jpg: 10 bytes";
  const auto at = mended.output.find(warning);
  EXPECT_NE(at, std::string::npos) << mended.output;
  EXPECT_EQ(mended.output.find("missing or damaged", at + 1), std::string::npos) << mended.output;
  EXPECT_GT(fs::file_size(cut), 10u);
  EXPECT_EQ(m["val"]["mean_bytes"], j["val"]["mean_bytes"]);
}

TEST(FolderCompress, RawSpendsTwentyFourBitsPerPixel) {
  testing::TempDir data, cache;
  make_folder(data.path());
  const auto r =
      testing::run_helmholtz(compress(data.path(), cache.path(), "--quality raw --json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = json_of(r);
  EXPECT_DOUBLE_EQ(j["train"]["bits_per_pixel"].get<double>(), 24.0);
  EXPECT_TRUE(j["train"]["mean_psnr"].is_null());
  EXPECT_DOUBLE_EQ(j["val"]["mean_bytes"].get<double>(), (64.0 * 64 * 3 + 40.0 * 30 * 3) / 2);
}

TEST(FolderCompress, RefusalsAreOneClearLine) {
  testing::TempDir data, cache;
  make_folder(data.path());
  fs::remove_all(data.path() / "val");
  auto r = testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("has no val/ folder"), std::string::npos) << r.output;

  r = testing::run_helmholtz("compress --dataset folder --quality 50 --cache-dir " +
                             testing::quoted(cache.path()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--dataset folder needs --data-dir"), std::string::npos) << r.output;

  r = testing::run_helmholtz(compress(data.path(), cache.path(), ""));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("needs --quality"), std::string::npos) << r.output;

  r = testing::run_helmholtz(compress(data.path(), cache.path(), "--quality 50 --train-size 2"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--train-size does not apply to --dataset folder"), std::string::npos)
      << r.output;

  // `train` on a folder: what the recipe for photos cannot take, one line each, nothing made.
  make_folder(data.path());
  const std::string train = "train --dataset folder --quality 50 --epochs 1 --log-dir " +
                            testing::quoted(cache.path() / "run") + " ";
  const std::string in_folder = "--data-dir " + testing::quoted(data.path()) + " ";
  for (const auto& [args, line] : std::vector<std::pair<std::string, std::string>>{
           {"", "--dataset folder needs --data-dir D"},
           {in_folder + "--shift 0.1",
            "--shift does not apply to --dataset folder: training "
            "images are random-resized crops (--crop)"},
           {in_folder + "--protocol reference",
            "train --dataset folder under --protocol corrected"},
           {in_folder + "--crop 64 --resize 48", "--resize 48 is smaller than --crop 64"},
           {in_folder + "--storage-budget 1000",
            "--storage-budget does not apply to --dataset "
            "folder"}}) {
    r = testing::run_helmholtz(train + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(line), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(cache.path() / "run"));
}

}  // namespace
}  // namespace helmholtz::commands
