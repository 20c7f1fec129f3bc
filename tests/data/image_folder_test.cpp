// Folder datasets (torchvision's ImageFolder layout) and their coded cache: the listing and its
// labels, each refusal naming its file or folder, JPEG and PNG (gray, RGB, RGBA) decoded to RGB,
// coding at a level into files whose sizes the manifest records, a second pass read from the
// cache, a damaged file recoded, an interrupted pass resumed, and raw.

#include "helmholtz/data/image_folder.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <map>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {
namespace fs = std::filesystem;

std::vector<std::uint8_t> pattern(int width, int height, int channels, int seed) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width) * height * channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        out[(static_cast<std::size_t>(y) * width + x) * channels + c] =
            static_cast<std::uint8_t>((x * 7 + y * 3 + c * 50 + seed * 31) % 256);
      }
    }
  }
  return out;
}

void write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(file.parent_path());
  core::write_file_atomic(file, bytes.data(), bytes.size());
}

void write_jpeg(const fs::path& file, int width, int height, int channels, int seed) {
  codec::JpegEncoder encoder;
  const auto pixels = pattern(width, height, channels, seed);
  write_bytes(file, encoder.encode(pixels.data(), width, height, channels, 95));
}

void write_png(const fs::path& file, int width, int height, int channels, int seed) {
  const auto pixels = pattern(width, height, channels, seed);
  write_bytes(file, codec::encode_png(pixels.data(), width, height, channels));
}

void put_chunk(std::vector<std::uint8_t>& out, const char* type,
               const std::vector<std::uint8_t>& data) {
  const auto be32 = [&out](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
  };
  be32(static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  be32(static_cast<std::uint32_t>(
      crc32(0, out.data() + start, static_cast<uInt>(out.size() - start))));
}

// An 8-bit RGBA PNG written by hand (encode_png writes gray and RGB only).
std::vector<std::uint8_t> rgba_png(const std::vector<std::uint8_t>& rgba, int width, int height) {
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr = {0, 0, 0, 0, 0, 0, 0, 0, 8, 6, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    ihdr[i] = static_cast<std::uint8_t>(width >> (24 - 8 * i));
    ihdr[4 + i] = static_cast<std::uint8_t>(height >> (24 - 8 * i));
  }
  put_chunk(out, "IHDR", ihdr);
  std::vector<std::uint8_t> raw;
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), rgba.begin() + static_cast<std::ptrdiff_t>(y) * width * 4,
               rgba.begin() + static_cast<std::ptrdiff_t>(y + 1) * width * 4);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> idat(size);
  EXPECT_EQ(compress(idat.data(), &size, raw.data(), static_cast<uLong>(raw.size())), Z_OK);
  idat.resize(size);
  put_chunk(out, "IDAT", idat);
  put_chunk(out, "IEND", {});
  return out;
}

// 3 classes; JPEG and PNG; gray, RGB and RGBA; 40x30, 64x64, 97x51.
void make_folder(const fs::path& root) {
  write_jpeg(root / "train/cat/a.jpg", 40, 30, 3, 1);
  write_png(root / "train/cat/b.png", 64, 64, 1, 2);
  write_png(root / "train/dog/c.png", 97, 51, 3, 3);
  write_jpeg(root / "train/dog/d.jpg", 64, 64, 1, 4);
  write_bytes(root / "train/owl/e.png", rgba_png(pattern(40, 30, 4, 5), 40, 30));
  write_jpeg(root / "val/cat/f.jpg", 97, 51, 3, 6);
  write_png(root / "val/owl/g.png", 40, 30, 3, 7);
  write_bytes(root / "train/cat/.DS_Store", {1, 2, 3});  // hidden: skipped
}

CodedFolderRequest jpeg50(const fs::path& cache, int threads = 2) {
  CodedFolderRequest r;
  r.cache_dir = cache;
  r.quality = Quality::parse("50");
  r.threads = threads;
  return r;
}

std::map<std::string, fs::file_time_type> mtimes(const fs::path& dir) {
  std::map<std::string, fs::file_time_type> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().string()] = e.last_write_time();
  }
  return out;
}

TEST(ImageFolder, ListsClassesSortedAndLabelsByTrainsList) {
  testing::TempDir dir;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  EXPECT_EQ(folder.classes, (std::vector<std::string>{"cat", "dog", "owl"}));
  std::vector<std::pair<std::string, int>> train, val;
  for (const auto& i : folder.train.images) train.emplace_back(i.relative, i.label);
  for (const auto& i : folder.val.images) val.emplace_back(i.relative, i.label);
  EXPECT_EQ(train, (std::vector<std::pair<std::string, int>>{{"cat/a.jpg", 0},
                                                             {"cat/b.png", 0},
                                                             {"dog/c.png", 1},
                                                             {"dog/d.jpg", 1},
                                                             {"owl/e.png", 2}}));
  EXPECT_EQ(val, (std::vector<std::pair<std::string, int>>{{"cat/f.jpg", 0}, {"owl/g.png", 2}}));
  EXPECT_EQ(folder.key.size(), 16u);
  EXPECT_EQ(list_image_folder(dir.path()).key, folder.key);
  write_png(dir.path() / "train/dog/z.png", 8, 8, 3, 9);
  EXPECT_NE(list_image_folder(dir.path()).key, folder.key) << "a changed folder, a new key";
}

TEST(ImageFolder, DecodesJpegAndPngToRgb) {
  testing::TempDir dir;
  make_folder(dir.path());
  const auto a = decode_image_file(dir.path() / "train/cat/a.jpg");
  EXPECT_EQ(a.width, 40);
  EXPECT_EQ(a.height, 30);
  EXPECT_EQ(a.pixels.size(), 40u * 30 * 3);
  const auto b = decode_image_file(dir.path() / "train/cat/b.png");  // gray
  const auto gray = pattern(64, 64, 1, 2);
  ASSERT_EQ(b.pixels.size(), 64u * 64 * 3);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    ASSERT_EQ(b.pixels[3 * i], gray[i]);
    ASSERT_EQ(b.pixels[3 * i + 1], gray[i]);
    ASSERT_EQ(b.pixels[3 * i + 2], gray[i]);
  }
  const auto e = decode_image_file(dir.path() / "train/owl/e.png");  // RGBA: alpha dropped
  const auto rgba = pattern(40, 30, 4, 5);
  ASSERT_EQ(e.pixels.size(), 40u * 30 * 3);
  for (std::size_t i = 0; i < 40u * 30; ++i) {
    for (int c = 0; c < 3; ++c) ASSERT_EQ(e.pixels[3 * i + c], rgba[4 * i + c]);
  }
  const auto d = decode_image_file(dir.path() / "train/dog/d.jpg");  // gray JPEG
  for (std::size_t i = 0; i < 64u * 64; ++i) {
    ASSERT_EQ(d.pixels[3 * i], d.pixels[3 * i + 1]);
    ASSERT_EQ(d.pixels[3 * i], d.pixels[3 * i + 2]);
  }
}

// Palette (with transparency), 1-bit and gray+alpha PNGs as Pillow's convert("RGB") gives them;
// 16-bit gray as its high byte (Pillow clips it instead); a CMYK JPEG as Pillow converts it.
TEST(ImageFolder, PngKindsAndCmykJpegDecodeAsPillowGivesThem) {
  if (!testing::system_python_has("PIL, numpy")) GTEST_SKIP() << "needs python3-pil, python3-numpy";
  testing::TempDir dir;
  const std::string script = R"(
import sys, numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(1)
rgb = rng.integers(0, 256, (23, 37, 3), dtype=np.uint8)
p = Image.fromarray(rgb).quantize(16)
p.info["transparency"] = 3
p.save(d + "/palette.png", transparency=3)
Image.fromarray(rng.integers(0, 2, (23, 37), dtype=np.uint8) * 255).convert("1").save(d + "/bits.png")
Image.fromarray(rgb).convert("LA").save(d + "/la.png")
for name in ["palette", "bits", "la"]:
    open(d + "/" + name + ".rgb", "wb").write(Image.open(d + "/" + name + ".png").convert("RGB").tobytes())
g16 = rng.integers(0, 65536, (23, 37), dtype=np.uint16)
Image.fromarray(g16).save(d + "/gray16.png")
Image.fromarray(rgb).convert("CMYK").save(d + "/cmyk.jpg")
open(d + "/cmyk.rgb", "wb").write(Image.open(d + "/cmyk.jpg").convert("RGB").tobytes())
open(d + "/gray16.rgb", "wb").write(np.repeat((g16 >> 8).astype(np.uint8)[:, :, None], 3, 2).tobytes())
)";
  { std::ofstream(dir.path() / "make.py") << script; }
  const auto made = testing::run_shell(std::string(testing::kSystemPython) + " " +
                                       testing::quoted(dir.path() / "make.py") + " " +
                                       testing::quoted(dir.path()));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  for (const char* name : {"palette", "bits", "la", "gray16"}) {
    const auto image = decode_image_file(dir.path() / (std::string(name) + ".png"));
    EXPECT_EQ(image.width, 37) << name;
    EXPECT_EQ(image.height, 23) << name;
    EXPECT_EQ(image.pixels, core::read_file_bytes(dir.path() / (std::string(name) + ".rgb")))
        << name;
  }
  const auto cmyk = decode_image_file(dir.path() / "cmyk.jpg");
  EXPECT_EQ(cmyk.width, 37);
  EXPECT_EQ(cmyk.pixels, core::read_file_bytes(dir.path() / "cmyk.rgb"));
}

TEST(ImageFolder, EachRefusalNamesItsFolder) {
  testing::TempDir dir;
  make_folder(dir.path());
  fs::rename(dir.path() / "val", dir.path() / "valid");
  auto message = testing::error_message_of<core::DataError>([&] { list_image_folder(dir.path()); });
  EXPECT_NE(message.find("has no val/ folder"), std::string::npos) << message;
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;
  fs::rename(dir.path() / "valid", dir.path() / "val");

  fs::rename(dir.path() / "train", dir.path() / "training");
  message = testing::error_message_of<core::DataError>([&] { list_image_folder(dir.path()); });
  EXPECT_NE(message.find("has no train/ folder"), std::string::npos) << message;
  fs::rename(dir.path() / "training", dir.path() / "train");

  fs::create_directories(dir.path() / "train/emu");
  message = testing::error_message_of<core::DataError>([&] { list_image_folder(dir.path()); });
  EXPECT_NE(message.find("train/emu' holds no image files"), std::string::npos) << message;
  fs::remove(dir.path() / "train/emu");

  write_png(dir.path() / "val/yak/h.png", 8, 8, 3, 1);
  message = testing::error_message_of<core::DataError>([&] { list_image_folder(dir.path()); });
  EXPECT_NE(message.find("val/yak' has no match in"), std::string::npos) << message;
  fs::remove_all(dir.path() / "val/yak");

  message = testing::error_message_of<core::DataError>(
      [&] { list_image_folder(dir.path() / "nothing"); });
  EXPECT_NE(message.find("nothing' is not a folder"), std::string::npos) << message;
  EXPECT_NO_THROW(list_image_folder(dir.path()));
}

TEST(ImageFolder, AFileThatIsNoImageIsNamedWhenRead) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  write_bytes(dir.path() / "train/dog/notes.txt", {'h', 'i', '\n'});
  const auto folder = list_image_folder(dir.path());  // listed: checked when read
  auto message = testing::error_message_of<core::DataError>(
      [&] { code_folder_split(folder, "train", jpeg50(cache.path()), nullptr); });
  EXPECT_NE(message.find("train/dog/notes.txt' is neither a JPEG nor a PNG"), std::string::npos)
      << message;
  fs::remove(dir.path() / "train/dog/notes.txt");

  auto png = core::read_file_bytes(dir.path() / "train/dog/c.png");
  png.resize(png.size() / 2);
  write_bytes(dir.path() / "train/dog/c.png", png);
  message = testing::error_message_of<core::DataError>(
      [&] { decode_image_file(dir.path() / "train/dog/c.png"); });
  EXPECT_NE(message.find("c.png' is not a decodable PNG"), std::string::npos) << message;

  auto jpeg = core::read_file_bytes(dir.path() / "train/cat/a.jpg");
  jpeg.resize(jpeg.size() / 2);
  write_bytes(dir.path() / "train/cat/a.jpg", jpeg);
  message = testing::error_message_of<core::DataError>(
      [&] { decode_image_file(dir.path() / "train/cat/a.jpg"); });
  EXPECT_NE(message.find("a.jpg' is not a decodable JPEG"), std::string::npos) << message;
}

TEST(CodedFolder, JpegFilesMatchTheManifestAndDecodeToTheOriginalSize) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  for (const auto& name : folder_split_names()) {
    const auto split = code_folder_split(folder, name, jpeg50(cache.path()), nullptr);
    EXPECT_FALSE(split.from_cache);
    EXPECT_EQ(split.coded, static_cast<std::int64_t>(folder.split(name).images.size()));
    EXPECT_EQ(split.level_dir, cache.path() / "folders" / folder.key / name / "quality_50");
    EXPECT_TRUE(fs::exists(split.manifest));
    EXPECT_FALSE(fs::exists(split.level_dir.string() + ".progress"));
    double bits = 0, pixels = 0;
    for (const auto& f : split.files) {
      const fs::path file = split.level_dir / f.coded;
      ASSERT_TRUE(fs::exists(file)) << file;
      EXPECT_EQ(fs::file_size(file), f.bytes) << file;
      const auto bytes = read_coded_file(split, f);
      codec::JpegDecoder decoder;
      const auto header = decoder.read_header(bytes.data(), bytes.size());
      const auto original = decode_image_file(folder.split(name).dir / f.original);
      EXPECT_EQ(header.width, original.width) << f.original;
      EXPECT_EQ(header.height, original.height) << f.original;
      EXPECT_EQ(f.width, original.width);
      EXPECT_EQ(f.payload, codec::jpeg_payload_bytes(bytes.data(), bytes.size()));
      ASSERT_TRUE(f.psnr.has_value());
      EXPECT_GT(*f.psnr, 20.0) << f.original;
      bits += 8.0 * static_cast<double>(f.bytes);
      pixels += static_cast<double>(f.width) * f.height;
    }
    EXPECT_EQ(split.stats.images, static_cast<std::int64_t>(split.files.size()));
    EXPECT_NEAR(split.stats.bits_per_pixel, bits / pixels, 1e-9);
  }
  const auto train = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  EXPECT_EQ(train.files[0].coded, "cat/a.jpg");
  EXPECT_EQ(train.files[1].coded, "cat/b.jpg");
}

TEST(CodedFolder, TheSecondPassReadsTheCacheWithoutCoding) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  const auto first = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  const auto before = mtimes(first.level_dir);
  const auto second = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.coded, 0);
  EXPECT_EQ(second.recoded, 0);
  EXPECT_EQ(mtimes(first.level_dir), before);
  EXPECT_EQ(second.stats.mean_bytes, first.stats.mean_bytes);
  EXPECT_EQ(*second.stats.mean_psnr, *first.stats.mean_psnr);
  // Another level is another folder.
  CodedFolderRequest q20 = jpeg50(cache.path());
  q20.quality = Quality::parse("20");
  const auto other = code_folder_split(folder, "train", q20, nullptr);
  EXPECT_FALSE(other.from_cache);
  EXPECT_EQ(other.level_dir.filename(), "quality_20");
  EXPECT_LT(other.stats.mean_bytes, first.stats.mean_bytes);
}

TEST(CodedFolder, ATruncatedOrMissingFileIsRecoded) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  const auto first = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  const fs::path cut = first.level_dir / first.files[2].coded;
  fs::resize_file(cut, fs::file_size(cut) / 2);
  fs::remove(first.level_dir / first.files[4].coded);
  const auto second = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  EXPECT_FALSE(second.from_cache);
  EXPECT_EQ(second.recoded, 2);
  EXPECT_EQ(second.coded, 2);
  EXPECT_EQ(fs::file_size(cut), first.files[2].bytes);
  EXPECT_EQ(second.files[2].crc, first.files[2].crc) << "the same bytes again";
  // A flipped byte (same size) is caught by the CRC-32.
  testing::flip_byte(cut, 20);
  const auto third = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  EXPECT_EQ(third.recoded, 1);
  EXPECT_TRUE(code_folder_split(folder, "train", jpeg50(cache.path()), nullptr).from_cache);
}

TEST(CodedFolder, AnInterruptedPassKeepsTheFilesDone) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  // dog/c.png damaged with its size and time kept, so the listing (and key) stays the same
  // once it is mended: one thread codes in order, so a.jpg and b.png are done before it fails.
  const fs::path c = dir.path() / "train/dog/c.png";
  const auto good = core::read_file_bytes(c);
  const auto time = fs::last_write_time(c);
  auto bad = good;
  bad[50] ^= 0xFF;  // inside IDAT's data: its CRC fails
  write_bytes(c, bad);
  fs::last_write_time(c, time);
  const auto folder = list_image_folder(dir.path());
  EXPECT_THROW(code_folder_split(folder, "train", jpeg50(cache.path(), 1), nullptr),
               core::DataError);
  const fs::path level = cache.path() / "folders" / folder.key / "train" / "quality_50";
  EXPECT_TRUE(fs::exists(level.string() + ".progress"));
  EXPECT_FALSE(fs::exists(level.string() + ".manifest"));
  const auto done = mtimes(level);
  EXPECT_EQ(done.size(), 2u);
  write_bytes(c, good);
  fs::last_write_time(c, time);
  ASSERT_EQ(list_image_folder(dir.path()).key, folder.key);
  const auto resumed = code_folder_split(folder, "train", jpeg50(cache.path(), 1), nullptr);
  EXPECT_EQ(resumed.resumed, 2);
  EXPECT_EQ(resumed.coded, 3);
  EXPECT_FALSE(fs::exists(level.string() + ".progress"));
  for (const auto& [file, t] : done) EXPECT_EQ(fs::last_write_time(file), t) << file;
  EXPECT_TRUE(code_folder_split(folder, "train", jpeg50(cache.path()), nullptr).from_cache);
}

TEST(CodedFolder, RawCodesNothingAndCountsThePixels) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  CodedFolderRequest raw = jpeg50(cache.path());
  raw.quality = Quality::parse("raw");
  const auto split = code_folder_split(folder, "train", raw, nullptr);
  EXPECT_EQ(split.level_dir.filename(), "quality_raw");
  EXPECT_DOUBLE_EQ(split.stats.bits_per_pixel, 24.0);
  EXPECT_FALSE(split.stats.mean_psnr.has_value());
  for (const auto& f : split.files) {
    EXPECT_TRUE(f.coded.empty());
    EXPECT_EQ(f.bytes * 8, static_cast<std::uint64_t>(f.width) * f.height * 3 * 8);
  }
  EXPECT_EQ(split.original_dir, folder.train.dir);
  EXPECT_EQ(decode_image_file(split.original_dir / split.files[2].original).width, 97);
  EXPECT_EQ(split.files[2].width, 97);
  EXPECT_EQ(split.files[2].height, 51);
  EXPECT_TRUE(fs::is_empty(split.level_dir));
  EXPECT_TRUE(code_folder_split(folder, "train", raw, nullptr).from_cache);
}

TEST(CodedFolder, OriginalsSharingAStemKeepTheirNames) {
  testing::TempDir dir, cache;
  make_folder(dir.path());
  write_png(dir.path() / "train/cat/a.png", 16, 16, 3, 8);
  const auto folder = list_image_folder(dir.path());
  const auto split = code_folder_split(folder, "train", jpeg50(cache.path()), nullptr);
  EXPECT_EQ(split.files[0].coded, "cat/a.jpg.jpg");
  EXPECT_EQ(split.files[1].coded, "cat/a.png.jpg");
  EXPECT_EQ(split.files[2].coded, "cat/b.jpg");
}

TEST(CodedFolder, AnEmptyCacheDirIsRefused) {
  testing::TempDir dir;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  const auto message = testing::error_message_of<core::UsageError>(
      [&] { code_folder_split(folder, "train", jpeg50(""), nullptr); });
  EXPECT_NE(message.find("--cache-dir"), std::string::npos) << message;
}

// A header may not claim more pixels than its file could hold (found by the folder_image
// fuzzer: a 632-byte JPEG claiming 15000x15000 pixels had the decoder allocate 675 MB).
TEST(ImageFolder, AHeaderOfMorePixelsThanTheFileCanHoldIsRefused) {
  EXPECT_EQ(implausible_image_size(640, 480, 20000), "");
  EXPECT_EQ(implausible_image_size(4096, 1, 1), "");  // 4096 pixels per byte at most
  EXPECT_NE(implausible_image_size(4097, 1, 1), "");
  EXPECT_NE(implausible_image_size(0, 8, 632).find("0x8"), std::string::npos);
  EXPECT_NE(implausible_image_size(15000, 15000, 632).find("more than it can hold"),
            std::string::npos);
  EXPECT_NE(implausible_image_size(1 << 15, 1 << 14, std::size_t{1} << 40).find("over 2^28"),
            std::string::npos);
  // Through the decoder: one line naming the file.
  const auto bytes = codec::JpegEncoder().encode(std::vector<std::uint8_t>(8 * 8 * 3, 90).data(),
                                                 8, 8, 3, 50);
  auto claimed = bytes;
  for (std::size_t i = 0; i + 8 < claimed.size(); ++i) {
    if (claimed[i] == 0xff && claimed[i + 1] == 0xc0) {  // SOF0: height and width at +5, +7
      for (const std::size_t at : {i + 5, i + 7}) {
        claimed[at] = 15000 >> 8;
        claimed[at + 1] = 15000 & 0xff;
      }
      break;
    }
  }
  ASSERT_NE(claimed, bytes) << "no SOF0 marker found";
  const std::string message = testing::error_message_of<core::DataError>(
      [&] { decode_image(claimed.data(), claimed.size(), "big.jpg"); });
  EXPECT_NE(message.find("'big.jpg' is not a decodable JPEG"), std::string::npos) << message;
  EXPECT_NE(message.find("15000x15000"), std::string::npos) << message;
}

}  // namespace
}  // namespace helmholtz::data
