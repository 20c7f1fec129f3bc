// The streaming folder loader: every sample of an epoch once with its label, batch shapes and
// layouts, the same bytes whatever the worker count, the evaluation and training transforms
// against Pillow + torchvision (when /usr/bin/python3 has them), DCT-scaled decoding close to
// the full decode, RandomResizedCrop's bounds, a damaged file named in a core::DataError, and a
// loader destroyed mid-epoch that returns at once.

#include "helmholtz/data/folder_loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>
#include <set>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/random.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {
namespace fs = std::filesystem;

// A smooth, photo-like RGB picture: gradients and a few waves.
std::vector<std::uint8_t> picture(int width, int height, int seed) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 60 * std::sin(0.05 * x + 0.7 * c + seed) +
                         50 * std::cos(0.031 * y * (c + 1) + seed) + 0.1 * (x - y);
        out[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
            static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return out;
}

void write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(file.parent_path());
  core::write_file_atomic(file, bytes.data(), bytes.size());
}

void write_jpeg(const fs::path& file, int width, int height, int seed) {
  codec::JpegEncoder encoder;
  const auto pixels = picture(width, height, seed);
  write_bytes(file, encoder.encode(pixels.data(), width, height, 3, 90));
}

void write_png(const fs::path& file, int width, int height, int seed) {
  const auto pixels = picture(width, height, seed);
  write_bytes(file, codec::encode_png(pixels.data(), width, height, 3));
}

// 3 classes, 12 training files: JPEG and PNG of several sizes and shapes.
void make_folder(const fs::path& root) {
  const int sizes[][2] = {{300, 200}, {250, 400}, {500, 375}, {64, 48}, {230, 230}, {120, 480}};
  const char* classes[] = {"ant", "bee", "cow"};
  for (int i = 0; i < 12; ++i) {
    const auto& s = sizes[i % 6];
    const fs::path dir = root / "train" / classes[i % 3];
    const std::string stem = "img" + std::to_string(i);
    if (i % 4 == 3) {
      write_png(dir / (stem + ".png"), s[0], s[1], i);
    } else {
      write_jpeg(dir / (stem + ".jpg"), s[0], s[1], i);
    }
  }
  write_jpeg(root / "val/ant/v.jpg", 260, 300, 99);
}

LoaderOptions small_options(int workers, LoaderMode mode = LoaderMode::kTrain) {
  LoaderOptions o;
  o.mode = mode;
  o.transform.crop = 32;
  o.transform.resize = 40;
  o.batch_size = 5;
  o.workers = workers;
  o.prefetch = 2;
  o.seed = 7;
  return o;
}

std::vector<std::size_t> shuffled(std::size_t n, unsigned seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

std::vector<Batch> epoch(FolderLoader& loader, std::int64_t number,
                         const std::vector<std::size_t>& order) {
  loader.start_epoch(number, order);
  std::vector<Batch> out;
  Batch b;
  while (loader.next(&b)) out.push_back(std::move(b));
  return out;
}

TEST(FolderLoader, EverySampleOnceWithItsLabelInTheEpochsOrder) {
  testing::TempDir dir;
  make_folder(dir.path());
  const auto folder = list_image_folder(dir.path());
  const LoaderFiles files = loader_files(folder.train);
  ASSERT_EQ(files.files.size(), 12u);
  FolderLoader loader(files, small_options(3));
  const auto order = shuffled(12, 1);
  const auto batches = epoch(loader, 0, order);
  ASSERT_EQ(batches.size(), 3u);
  std::vector<std::size_t> seen;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const Batch& batch = batches[b];
    EXPECT_EQ(batch.number, static_cast<std::int64_t>(b));
    EXPECT_EQ(batch.size, b < 2 ? 5 : 2);
    EXPECT_EQ(batch.height, 32);
    EXPECT_EQ(batch.width, 32);
    EXPECT_EQ(batch.channels, 3);
    EXPECT_EQ(batch.pixels.size(), static_cast<std::size_t>(batch.size) * 3 * 32 * 32);
    ASSERT_EQ(batch.labels.size(), static_cast<std::size_t>(batch.size));
    for (int s = 0; s < batch.size; ++s) {
      const std::size_t index = batch.samples[s];
      seen.push_back(index);
      EXPECT_EQ(batch.labels[s], files.files[index].label);
      EXPECT_EQ(batch.labels[s], folder.train.images[index].label);
    }
  }
  EXPECT_EQ(seen, order) << "the epoch's order, each sample once";

  LoaderOptions drop = small_options(2);
  drop.drop_last = true;
  FolderLoader dropping(files, drop);
  EXPECT_EQ(epoch(dropping, 0, order).size(), 2u);
  EXPECT_EQ(dropping.batches_per_epoch(), 2);
  EXPECT_EQ(epoch(dropping, 1, {}).size(), 0u) << "an empty epoch ends at once";
}

TEST(FolderLoader, SameBytesWhateverTheWorkerCountAndLayoutsAgree) {
  testing::TempDir dir;
  make_folder(dir.path());
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  const auto order = shuffled(12, 2);
  FolderLoader one(files, small_options(1));
  FolderLoader three(files, small_options(3));
  const auto a = epoch(one, 4, order);
  const auto b = epoch(three, 4, order);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].pixels, b[i].pixels) << "batch " << i;
    EXPECT_EQ(a[i].labels, b[i].labels);
  }
  // Another epoch draws other crops; the same epoch again the same ones.
  const auto c = epoch(three, 5, order);
  EXPECT_NE(a[0].pixels, c[0].pixels);
  EXPECT_EQ(epoch(one, 4, order)[1].pixels, a[1].pixels);

  LoaderOptions hwc = small_options(2);
  hwc.layout = PixelLayout::kHwc;
  FolderLoader interleaved(files, hwc);
  const auto h = epoch(interleaved, 4, order);
  const std::size_t plane = 32 * 32;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(h[i].pixels.size(), a[i].pixels.size());
    for (int s = 0; s < a[i].size; ++s) {
      const std::uint8_t* chw = a[i].pixels.data() + s * plane * 3;
      const std::uint8_t* rgb = h[i].pixels.data() + s * plane * 3;
      for (std::size_t p = 0; p < plane; ++p) {
        for (int ch = 0; ch < 3; ++ch) ASSERT_EQ(chw[ch * plane + p], rgb[3 * p + ch]);
      }
    }
  }
  // One sample alone, as the loader makes it.
  EXPECT_EQ(load_sample(files, h[0].samples[0], LoaderMode::kTrain, hwc.transform, hwc.seed, 4),
            std::vector<std::uint8_t>(h[0].pixels.begin(), h[0].pixels.begin() + plane * 3));
}

TEST(FolderLoader, ResizeKeepsAConstantAndAGradientsOrder) {
  // A reference that needs no Python: a flat image stays flat, a horizontal ramp stays sorted.
  testing::TempDir dir;
  std::vector<std::uint8_t> flat(300 * 200 * 3, 77), ramp(300 * 200 * 3);
  for (int y = 0; y < 200; ++y) {
    for (int x = 0; x < 300; ++x) {
      for (int c = 0; c < 3; ++c)
        ramp[(y * 300 + x) * 3 + c] = static_cast<std::uint8_t>(x * 255 / 299);
    }
  }
  write_bytes(dir.path() / "train/a/flat.png", codec::encode_png(flat.data(), 300, 200, 3));
  write_bytes(dir.path() / "train/a/ramp.png", codec::encode_png(ramp.data(), 300, 200, 3));
  write_bytes(dir.path() / "val/a/x.png", codec::encode_png(flat.data(), 300, 200, 3));
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  TransformOptions t;
  const auto f = load_sample(files, 0, LoaderMode::kEval, t, 0, 0);
  ASSERT_EQ(f.size(), 224u * 224 * 3);
  for (const auto v : f) ASSERT_EQ(v, 77);
  const auto r = load_sample(files, 1, LoaderMode::kEval, t, 0, 0);
  for (int y = 0; y < 224; ++y) {
    for (int x = 1; x < 224; ++x) ASSERT_LE(r[(y * 224 + x - 1) * 3], r[(y * 224 + x) * 3]);
  }
  // Resize(256) of 300x200 is 384x256; the centre 224 columns start at 80 of 384, i.e. source
  // column 62.5: the first output column is near 62.5 * 255 / 299.
  EXPECT_NEAR(r[0], 62.9 * 255 / 299, 2.0);
}

constexpr const char* kPython = "/usr/bin/python3";

bool torchvision_available() {
  const std::string command =
      std::string(kPython) + " -c 'import torchvision, PIL.Image' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// argv: a job file, one job a line: image, out, mode (eval | crop), then for crop: top left
// height width flip size. One Python start for every job (importing torchvision takes seconds).
constexpr const char* kPeerScript = R"PY(
import sys
from PIL import Image
from torchvision import transforms
import torchvision.transforms.functional as F
for line in open(sys.argv[1]):
    path, out, mode, *args = line.split()
    im = Image.open(path).convert("RGB")
    if mode == "eval":
        im = transforms.CenterCrop(224)(transforms.Resize(256)(im))
    else:
        t, l, h, w, flip, size = map(int, args)
        im = F.resized_crop(im, t, l, h, w, [size, size])
        if flip:
            im = F.hflip(im)
    open(out, "wb").write(im.tobytes())
)PY";

std::vector<std::uint8_t> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int max_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  int worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

TEST(FolderLoader, TransformsMatchTorchvisionOnPillow) {
  if (!torchvision_available()) {
    GTEST_SKIP() << kPython << " with torchvision and PIL is needed to compare with them";
  }
  testing::TempDir dir;
  make_folder(dir.path());
  std::ofstream(dir.path() / "peer.py") << kPeerScript;
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  TransformOptions t;
  t.dct_scaling = false;  // Pillow decodes whole images
  const std::size_t n = files.files.size();
  std::ofstream jobs(dir.path() / "jobs.txt");
  for (std::size_t i = 0; i < n; ++i) {
    const auto& file = files.files[i];
    const std::string out = (dir.path() / std::to_string(i)).string();
    jobs << file.path.string() << " " << out << ".eval eval\n";
    // Training: the crop our generator draws for (seed 3, epoch 2, sample i), made by Pillow.
    const RgbImage image = decode_image_file(file.path);
    auto rng = sample_generator(3, 2, static_cast<std::int64_t>(i));
    const CropBox box = random_resized_crop(image.width, image.height, t, rng);
    const bool flip = core::uniform(rng) < t.flip;
    jobs << file.path.string() << " " << out << ".train crop " << box.top << " " << box.left << " "
         << box.height << " " << box.width << " " << (flip ? 1 : 0) << " 224\n";
  }
  jobs.close();
  const std::string command = std::string(kPython) + " " + (dir.path() / "peer.py").string() + " " +
                              (dir.path() / "jobs.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string out = (dir.path() / std::to_string(i)).string();
    const auto eval = load_sample(files, i, LoaderMode::kEval, t, 0, 0);
    const auto pillow_eval = slurp(out + ".eval");
    ASSERT_EQ(eval.size(), pillow_eval.size()) << files.files[i].path;
    // Pillow 9.4 + torchvision 0.14 give these very bytes; +-1 leaves room for other versions.
    EXPECT_LE(max_difference(eval, pillow_eval), 1) << "eval, " << files.files[i].path;
    const auto train = load_sample(files, i, LoaderMode::kTrain, t, 3, 2);
    const auto pillow_train = slurp(out + ".train");
    ASSERT_EQ(train.size(), pillow_train.size()) << files.files[i].path;
    EXPECT_LE(max_difference(train, pillow_train), 1) << "train, " << files.files[i].path;
  }
}

TEST(FolderLoader, DctScaledDecodeStaysCloseToTheFullDecode) {
  testing::TempDir dir;
  write_jpeg(dir.path() / "train/a/big.jpg", 1000, 750, 5);
  write_jpeg(dir.path() / "val/a/v.jpg", 100, 100, 6);
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  TransformOptions scaled, full;
  full.dct_scaling = false;
  for (const auto mode : {LoaderMode::kEval, LoaderMode::kTrain}) {
    for (int epoch = 0; epoch < 4; ++epoch) {
      const auto a = load_sample(files, 0, mode, scaled, 1, epoch);
      const auto b = load_sample(files, 0, mode, full, 1, epoch);
      double sum = 0;
      for (std::size_t i = 0; i < a.size(); ++i) sum += std::abs(a[i] - b[i]);
      EXPECT_LT(sum / a.size(), 2.0) << "mode " << static_cast<int>(mode) << " epoch " << epoch;
    }
  }
}

// Decoding only a training crop's window gives the bytes of decoding the whole image, at every
// DCT scale, for 4:2:0 colour, 4:4:4 colour and grayscale JPEGs of sizes that are no multiple of
// an iMCU, over many crops (small ones too, and ones at the image's edges).
TEST(FolderLoader, WindowDecodingGivesTheWholeDecodesBytes) {
  testing::TempDir dir;
  codec::JpegEncoder encoder;
  const auto colour = picture(997, 743, 3);
  write_bytes(dir.path() / "train/a/420.jpg",
              encoder.encode(colour.data(), 997, 743, 3, 85, codec::Subsampling::k420));
  write_bytes(dir.path() / "train/a/444.jpg",
              encoder.encode(colour.data(), 997, 743, 3, 85, codec::Subsampling::k444));
  std::vector<std::uint8_t> gray(301 * 517);
  for (std::size_t i = 0; i < gray.size(); ++i) gray[i] = colour[3 * i];
  write_bytes(dir.path() / "train/b/gray.jpg", encoder.encode(gray.data(), 301, 517, 1, 85));
  write_jpeg(dir.path() / "val/a/v.jpg", 100, 100, 6);
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  for (const int crop : {224, 64}) {
    for (const bool scaled : {true, false}) {
      TransformOptions window, whole;
      window.crop = whole.crop = crop;
      window.dct_scaling = whole.dct_scaling = scaled;
      whole.window_decoding = false;
      for (std::size_t i = 0; i < files.files.size(); ++i) {
        for (int epoch = 0; epoch < 12; ++epoch) {
          EXPECT_EQ(load_sample(files, i, LoaderMode::kTrain, window, 4, epoch),
                    load_sample(files, i, LoaderMode::kTrain, whole, 4, epoch))
              << files.files[i].path << " crop " << crop << (scaled ? " scaled" : "") << " epoch "
              << epoch;
        }
      }
    }
  }
}

TEST(FolderLoader, RandomResizedCropStaysWithinTorchvisionsBounds) {
  TransformOptions t;
  const int sizes[][2] = {{500, 375}, {375, 500}, {224, 224}, {40, 30}, {1000, 50}, {50, 1000}};
  for (const auto& s : sizes) {
    const int w = s[0], h = s[1];
    int fallbacks = 0;
    for (int i = 0; i < 2000; ++i) {
      auto rng = sample_generator(11, 0, i);
      const CropBox b = random_resized_crop(w, h, t, rng);
      ASSERT_GT(b.width, 0);
      ASSERT_GT(b.height, 0);
      ASSERT_GE(b.top, 0);
      ASSERT_GE(b.left, 0);
      ASSERT_LE(b.top + b.height, h);
      ASSERT_LE(b.left + b.width, w);
      const double area = static_cast<double>(b.width) * b.height / (static_cast<double>(w) * h);
      const double ratio = static_cast<double>(b.width) / b.height;
      const bool centred = b.top == (h - b.height) / 2 && b.left == (w - b.width) / 2;
      // Rounding w and h to whole pixels moves area and ratio a little past the ranges.
      const double slack_w = 1.0 / b.width, slack_h = 1.0 / b.height;
      const bool in_range = area >= 0.08 * (1 - slack_w) * (1 - slack_h) && area <= 1.0 + 1e-9 &&
                            ratio >= 0.75 * (1 - slack_w) / (1 + slack_h) &&
                            ratio <= 4.0 / 3.0 * (1 + slack_w) / (1 - slack_h);
      if (!in_range) {
        // Only the fallback leaves the ranges: a centre crop, the whole image clamped to the
        // ratio range.
        ASSERT_TRUE(centred) << w << "x" << h;
        ++fallbacks;
        const bool full_w = b.width == w, full_h = b.height == h;
        ASSERT_TRUE(full_w || full_h) << w << "x" << h;
      }
    }
    if (w == 1000 || h == 1000) {
      EXPECT_GT(fallbacks, 0) << "a 20:1 image falls back";
    }
  }
  // The fallback of a 20:1 image: the whole height, the width at the widest ratio.
  std::mt19937_64 rng(0);
  TransformOptions narrow;
  narrow.min_scale = 1.0;
  const CropBox b = random_resized_crop(1000, 50, narrow, rng);
  EXPECT_EQ(b.height, 50);
  EXPECT_EQ(b.width, 67);  // round(50 * 4 / 3)
  EXPECT_EQ(b.left, (1000 - 67) / 2);
}

TEST(FolderLoader, DamagedFileIsADataErrorNamingIt) {
  testing::TempDir dir;
  make_folder(dir.path());
  const fs::path bad = dir.path() / "train/bee/img1.jpg";
  auto bytes = core::read_file_bytes(bad);
  bytes.resize(bytes.size() / 2);
  write_bytes(bad, bytes);
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  std::size_t bad_index = files.files.size();
  for (std::size_t i = 0; i < files.files.size(); ++i) {
    if (files.files[i].path.filename() == "img1.jpg") bad_index = i;
  }
  ASSERT_LT(bad_index, files.files.size());
  FolderLoader loader(files, small_options(2));
  std::vector<std::size_t> order(12);
  std::iota(order.begin(), order.end(), std::size_t{0});
  loader.start_epoch(0, order);
  Batch batch;
  std::string message;
  int good = 0;
  for (;;) {
    try {
      if (!loader.next(&batch)) break;
      ++good;
    } catch (const core::DataError& e) {
      message = e.what();
    }
  }
  EXPECT_NE(message.find("img1.jpg"), std::string::npos) << message;
  EXPECT_EQ(good, 2) << "the other batches still arrive";

  // A coded level's file that no longer matches its manifest is refused by its checksum.
  write_bytes(dir.path() / "train/bee/img1.jpg", {0xFF, 0xD8, 0xFF, 0x00});
  LoaderFiles coded;
  LoaderFile f;
  f.path = dir.path() / "train/bee/img1.jpg";
  f.bytes = 4;
  f.crc = 12345;
  coded.files.push_back(f);
  try {
    load_sample(coded, 0, LoaderMode::kEval, TransformOptions{}, 0, 0);
    ADD_FAILURE() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("img1.jpg"), std::string::npos) << e.what();
  }
  // A missing file too.
  LoaderFiles missing;
  missing.files.push_back(LoaderFile{dir.path() / "train/gone.png"});
  EXPECT_THROW(load_sample(missing, 0, LoaderMode::kEval, TransformOptions{}, 0, 0),
               core::DataError);
}

TEST(FolderLoader, CodedLevelReadsTheCache) {
  testing::TempDir dir;
  make_folder(dir.path() / "data");
  const auto folder = list_image_folder(dir.path() / "data");
  CodedFolderRequest request;
  request.cache_dir = dir.path() / "cache";
  request.quality = Quality::parse("50");
  request.threads = 2;
  const auto split = code_folder_split(folder, "train", request, nullptr);
  const LoaderFiles files = loader_files(split, request.quality);
  ASSERT_EQ(files.files.size(), 12u);
  EXPECT_EQ(files.files[0].path.parent_path().parent_path(), split.level_dir);
  FolderLoader loader(files, small_options(2, LoaderMode::kEval));
  const auto batches = epoch(loader, 0, shuffled(12, 3));
  EXPECT_EQ(batches.size(), 3u);
  request.quality = Quality::parse("raw");
  const auto raw = code_folder_split(folder, "train", request, nullptr);
  const LoaderFiles originals = loader_files(raw, request.quality);
  EXPECT_EQ(originals.files[0].path, loader_files(folder.train).files[0].path);
}

TEST(FolderLoader, DestroyedMidEpochReturnsAtOnce) {
  testing::TempDir dir;
  make_folder(dir.path());
  const LoaderFiles files = loader_files(list_image_folder(dir.path()).train);
  std::vector<std::size_t> order;
  for (int r = 0; r < 50; ++r) {
    for (std::size_t i = 0; i < 12; ++i) order.push_back(i);
  }
  const auto start = std::chrono::steady_clock::now();
  {
    LoaderOptions o = small_options(3);
    o.transform.crop = 224;
    o.transform.resize = 256;
    o.batch_size = 64;
    FolderLoader loader(files, o);
    loader.start_epoch(0, order);
    Batch b;
    ASSERT_TRUE(loader.next(&b));
    loader.start_epoch(1, order);  // abandons the first epoch's work
    ASSERT_TRUE(loader.next(&b));
    EXPECT_EQ(b.number, 0);
  }
  { FolderLoader idle(files, small_options(2)); }  // never started
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 20.0);
}

TEST(FolderLoader, RefusesBadOptions) {
  LoaderOptions o;
  o.workers = 0;
  EXPECT_THROW(FolderLoader(LoaderFiles{}, o), core::UsageError);
  o = LoaderOptions{};
  o.transform.resize = 100;
  EXPECT_THROW(FolderLoader(LoaderFiles{}, o), core::UsageError);
  FolderLoader loader(LoaderFiles{}, LoaderOptions{});
  EXPECT_THROW(loader.start_epoch(0, {3}), core::UsageError);
}

}  // namespace
}  // namespace helmholtz::data
