// `helmholtz preview` end to end through the binary on generated data: the PNG's size follows
// the layout, the raw cells hold the original pixels, the JPEG cells hold exactly the JPEG
// round trip, the low-bitrate spectrogram lost its high bands; and the errors a user can cause.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/preview/canvas.hpp"
#include "helmholtz/preview/colormap.hpp"
#include "helmholtz/preview/image_sheet.hpp"
#include "helmholtz/preview/spectrogram_sheet.hpp"
#include "test_support.hpp"

namespace helmholtz::preview {
namespace {
namespace fs = std::filesystem;
using testing::run_helmholtz;
using testing::TempDir;

bool has_png_signature(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  return in && std::string(signature, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

// The image sheet's size from its documented layout: margins, the row-label column, columns at
// least kMinColumnWidth wide, the title and header lines, two label lines under each image.
int image_sheet_width(int columns, int image_width, int scale) {
  using L = ImageSheetLayout;
  const int column = std::max(image_width * scale, L::kMinColumnWidth);
  return 2 * L::kMargin + L::kRowLabelWidth + columns * column + (columns - 1) * L::kColumnGap;
}
int image_sheet_height(int rows, int image_height, int scale) {
  using L = ImageSheetLayout;
  return 2 * L::kMargin + L::kTitleHeight + L::kHeaderHeight +
         rows * (image_height * scale + L::kLabelHeight) + (rows - 1) * L::kRowGap;
}

// Counts the pixels of an image's cell on the sheet that differ from `pixels` (HWC, enlarged by
// `scale`); every sheet pixel of the cell is compared.
int cell_differences(const Canvas& sheet, int x0, int y0, const std::uint8_t* pixels, int width,
                     int height, int channels, int scale) {
  int differ = 0;
  for (int y = 0; y < height * scale; ++y) {
    for (int x = 0; x < width * scale; ++x) {
      const std::uint8_t* p =
          pixels + (static_cast<std::size_t>(y / scale) * width + x / scale) * channels;
      const Rgb expected = channels == 3 ? Rgb{p[0], p[1], p[2]} : Rgb{p[0], p[0], p[0]};
      if (sheet.get(x0 + x, y0 + y) != expected) ++differ;
    }
  }
  return differ;
}

class PreviewImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    data::write_pattern_cifar10(cifar(), 10, 12, 5);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path cifar() { return dir_->path() / "cifar"; }
  static fs::path out(const std::string& name) { return dir_->path() / name; }
  static inline TempDir* dir_ = nullptr;
};

TEST_F(PreviewImages, CifarSheetHasTheLayoutSizeRawCellsAndJpegCells) {
  const fs::path png = out("cifar.png");
  const auto r =
      run_helmholtz("preview --dataset cifar10 --data-dir '" + cifar().string() +
                    "' --qualities 5,raw,50 --images 3 --scale 2 --out '" + png.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(png));
  EXPECT_TRUE(has_png_signature(png));
  const Canvas sheet = Canvas::read_png(png);
  EXPECT_EQ(sheet.width(), image_sheet_width(3, 32, 2));
  EXPECT_EQ(sheet.height(), image_sheet_height(3, 32, 2));

  const auto test = data::load_image_dataset("cifar10", cifar()).test;
  const auto layout = image_sheet_layout(3, 3, 32, 32, 2);
  codec::JpegEncoder encoder;
  codec::JpegDecoder decoder;
  for (int row = 0; row < 3; ++row) {
    const std::uint8_t* original = test.image(row);
    // The raw column (second) is the original, pixel for pixel.
    EXPECT_EQ(cell_differences(sheet, layout.cell_x(1), layout.cell_y(row), original, 32, 32, 3, 2),
              0)
        << "row " << row;
    // The quality-5 column differs from it in most pixels...
    EXPECT_GT(cell_differences(sheet, layout.cell_x(0), layout.cell_y(row), original, 32, 32, 3, 2),
              32 * 32 * 4 / 2)
        << "row " << row;
    // ...and is exactly the JPEG round trip at quality 5 (4:2:0), as is quality 50's.
    for (const auto& [column, quality] : {std::pair{0, 5}, std::pair{2, 50}}) {
      const auto jpeg = encoder.encode(original, 32, 32, 3, quality);
      std::vector<std::uint8_t> decoded(32 * 32 * 3);
      decoder.decode(jpeg.data(), jpeg.size(), decoded.data(), 32, 32, 3);
      EXPECT_EQ(cell_differences(sheet, layout.cell_x(column), layout.cell_y(row), decoded.data(),
                                 32, 32, 3, 2),
                0)
          << "row " << row << ", quality " << quality;
    }
  }
  // The console summary names the file and the levels.
  EXPECT_NE(r.output.find(png.string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("raw"), std::string::npos) << r.output;
}

TEST_F(PreviewImages, LibraryReportsJpegBytesThatFallWithQuality) {
  ImageSheetRequest request;
  request.dataset = "cifar10";
  request.data_dir = cifar();
  request.qualities = parse_qualities({"1", "10", "100", "raw"});
  request.indices = {11, 4};
  request.scale = 1;
  const auto sheet = make_image_sheet(request);
  ASSERT_EQ(sheet.cells.size(), 2u);
  EXPECT_EQ(sheet.indices, (std::vector<std::int64_t>{11, 4}));
  EXPECT_EQ(sheet.canvas.width(), image_sheet_width(4, 32, 1));
  EXPECT_EQ(sheet.canvas.height(), image_sheet_height(2, 32, 1));
  for (const auto& row : sheet.cells) {
    ASSERT_EQ(row.size(), 4u);
    EXPECT_LT(row[0].bytes, row[1].bytes);
    EXPECT_LT(row[1].bytes, row[2].bytes);
    EXPECT_EQ(row[3].bytes, 32u * 32 * 3);  // raw: the pixel bytes
    EXPECT_LT(row[0].psnr_db, row[1].psnr_db);
    EXPECT_LT(row[1].psnr_db, row[2].psnr_db);
    EXPECT_TRUE(std::isinf(row[3].psnr_db));
  }
}

// A folder dataset: val/'s photos spread over the listing, each shown as the network sees it at
// evaluation (resized and centre-cropped to --crop), the raw cell the loader's very pixels.
TEST_F(PreviewImages, FolderSheetShowsValPhotosAsTheLoaderCropsThem) {
  const fs::path photos = out("photos");
  data::write_pattern_folder(photos, 3, 4, 4, 2);  // 12 val/ photos of four sizes
  ImageSheetRequest request;
  request.dataset = "folder";
  request.data_dir = photos;
  request.qualities = parse_qualities({"10", "raw"});
  request.images = 3;
  request.side = 48;
  request.scale = 1;
  const auto sheet = make_image_sheet(request);
  EXPECT_EQ(sheet.indices, (std::vector<std::int64_t>{0, 4, 8}));  // one per class
  EXPECT_EQ(sheet.canvas.width(), image_sheet_width(2, 48, 1));
  EXPECT_EQ(sheet.canvas.height(), image_sheet_height(3, 48, 1));
  const auto folder = data::list_image_folder(photos);
  const auto files = data::loader_files(folder.val);
  data::TransformOptions crop;
  crop.crop = crop.resize = 48;
  for (int r = 0; r < 3; ++r) {
    const auto& cells = sheet.cells[static_cast<std::size_t>(r)];
    EXPECT_LT(cells[0].bytes, cells[1].bytes);
    EXPECT_EQ(cells[1].bytes, 48u * 48 * 3);
    const auto pixels = data::load_sample(
        files, static_cast<std::size_t>(sheet.indices[static_cast<std::size_t>(r)]),
        data::LoaderMode::kEval, crop, 0, 0);
    EXPECT_EQ(cell_differences(sheet.canvas, sheet.layout.cell_x(1), sheet.layout.cell_y(r),
                               pixels.data(), 48, 48, 3, 1),
              0)
        << "row " << r;
  }
  const auto refused =
      run_helmholtz("preview --dataset cifar10 --crop 64 --out " + testing::quoted(out("x.png")));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("--crop does not apply to --dataset cifar10"), std::string::npos)
      << refused.output;
}

TEST_F(PreviewImages, FashionMnistGreyscaleRawCellIsTheOriginal) {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir / "t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "no Fashion-MNIST here";
  const fs::path png = out("fashion.png");
  const auto r = run_helmholtz(
      "preview --dataset fashion-mnist --indices 0,9999 --qualities "
      "raw,5 --out '" +
      png.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has_png_signature(png));
  const Canvas sheet = Canvas::read_png(png);
  EXPECT_EQ(sheet.width(), image_sheet_width(2, 32, 3));  // default scale 3
  EXPECT_EQ(sheet.height(), image_sheet_height(2, 32, 3));
  const auto test = data::load_image_dataset("fashion-mnist", dir).test;
  const auto layout = image_sheet_layout(2, 2, 32, 32, 3);
  for (const auto& [row, index] : {std::pair{0, 0}, std::pair{1, 9999}}) {
    EXPECT_EQ(cell_differences(sheet, layout.cell_x(0), layout.cell_y(row), test.image(index), 32,
                               32, 1, 3),
              0);
    EXPECT_GT(cell_differences(sheet, layout.cell_x(1), layout.cell_y(row), test.image(index), 32,
                               32, 1, 3),
              0);
  }
}

TEST_F(PreviewImages, UserErrorsNameTheOption) {
  const std::string base = "preview --dataset cifar10 --data-dir '" + cifar().string() + "' ";
  const std::string to = " --out '" + out("x.png").string() + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base + "--qualities 5,101" + to, "--qualities"},
      {base + "--qualities 5,five" + to, "--qualities"},
      {base + "--qualities 5,5" + to, "--qualities"},
      {"preview --dataset mnist" + to, "--dataset"},
      {base + "--indices 3,12" + to, "--indices 12"},
      {base + "--images 13" + to, "--images"},
      {base + "--images 0" + to, "--images"},
      {base + "--scale 0" + to, "--scale"},
      {base + "--bitrates 8" + to, "--bitrates"},
      {base + "--images 2 --indices 1" + to, "--indices"},
  };
  for (const auto& [args, option] : cases) {
    const auto r = run_helmholtz(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(option), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out("x.png"))) << args;
  }
  // An --out in a folder that does not exist: a run-time error naming the file, before any work.
  const fs::path nowhere = out("missing-folder") / "sheet.png";
  const auto r = run_helmholtz(base + "--out '" + nowhere.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(nowhere.string()), std::string::npos) << r.output;

  // The library throws the project's usage error for an index out of range.
  ImageSheetRequest request;
  request.dataset = "cifar10";
  request.data_dir = cifar();
  request.qualities = parse_qualities({"raw"});
  request.indices = {-1};
  EXPECT_THROW(make_image_sheet(request), core::UsageError);
  EXPECT_THROW(parse_qualities({"0"}), core::UsageError);
  EXPECT_THROW(parse_qualities({}), core::UsageError);
}

// Audio: the clip at 8 kbit/s and raw, side by side.
class PreviewAudio : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    data::write_audio_effects(set(), 1, 11);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path set() { return dir_->path() / "fx"; }
  static fs::path out(const std::string& name) { return dir_->path() / name; }
  static inline TempDir* dir_ = nullptr;
};

TEST_F(PreviewAudio, TwoBitratesGiveTheLayoutSizeAndEightKbitLosesTheHighBands) {
  const fs::path png = out("audio.png");
  const auto r = run_helmholtz("preview --dataset audio-effects --data-dir '" + set().string() +
                               "' --bitrates 8,raw --clip 1 --out '" + png.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(png));
  EXPECT_TRUE(has_png_signature(png));
  const Canvas sheet = Canvas::read_png(png);

  // Two panels in one row, each 173 frames x 96 bands at the default scale 2, a frequency axis
  // on the left and the colour bar with its labels on the right.
  using L = SpectrogramSheetLayout;
  const int panel_w = 173 * 2, panel_h = 96 * 2;
  EXPECT_EQ(sheet.width(), 2 * L::kMargin + L::kAxisWidth + 2 * panel_w + L::kColumnGap +
                               L::kBarGap + L::kBarWidth + L::kBarLabelWidth);
  EXPECT_EQ(sheet.height(), 2 * L::kMargin + L::kTitleHeight + L::kLabelHeight + panel_h);

  // LAME codes 8 kbit/s at 8 kHz, so nothing is left above 4 kHz: the top 36 of 96 bands (above
  // about 4.7 kHz) of its panel are the bottom colour of the map, while the original (a
  // distorted note, rich in harmonics) has energy there.
  const auto layout = spectrogram_sheet_layout(2, 3, 96, 173, 2);
  const auto above_floor = [&](int panel) {
    int count = 0;
    for (int y = 0; y < 36 * 2; ++y) {
      for (int x = 0; x < panel_w; ++x) {
        if (sheet.get(layout.panel_x(panel) + x, layout.panel_y(panel) + y) != magma(0)) ++count;
      }
    }
    return count;
  };
  const int region = 36 * 2 * panel_w;
  EXPECT_LT(above_floor(0), region / 100) << "8 kbit/s";
  EXPECT_GT(above_floor(1), region / 20) << "raw";
  EXPECT_NE(r.output.find("Distortion_0000.wav"), std::string::npos) << r.output;  // clip 1
}

TEST_F(PreviewAudio, LibraryRowsAndFigures) {
  SpectrogramSheetRequest request;
  request.data_dir = set();
  request.clip = (set() / "Samples" / "NoFX" / "NoFX_0000.wav").string();
  request.bitrates = parse_bitrates({"16", "32", "raw"});
  request.columns = 2;
  request.scale = 1;
  const auto sheet = make_spectrogram_sheet(request);
  ASSERT_EQ(sheet.panels.size(), 3u);
  EXPECT_EQ(sheet.layout.rows, 2);
  EXPECT_EQ(sheet.layout.columns, 2);
  using L = SpectrogramSheetLayout;
  EXPECT_EQ(sheet.canvas.height(),
            2 * L::kMargin + L::kTitleHeight + 2 * (L::kLabelHeight + 96) + L::kRowGap);
  for (const auto& p : sheet.panels) {
    EXPECT_EQ(p.mel_db.sizes(), (torch::IntArrayRef{96, 173}));
  }
  // 2 s at 16 and 32 kbit/s: about 4,000 and 8,000 bytes; raw: the 16-bit samples.
  EXPECT_NEAR(static_cast<double>(sheet.panels[0].bytes), 4000, 1000);
  EXPECT_NEAR(static_cast<double>(sheet.panels[1].bytes), 8000, 1000);
  EXPECT_EQ(sheet.panels[2].bytes, 88200u * 2);
  EXPECT_LT(sheet.panels[0].snr_db, sheet.panels[1].snr_db);
  EXPECT_TRUE(std::isinf(sheet.panels[2].snr_db));
}

TEST_F(PreviewAudio, UserErrorsNameTheOption) {
  const std::string base = "preview --dataset audio-effects --data-dir '" + set().string() + "' ";
  const std::string to = " --out '" + out("y.png").string() + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base + "--bitrates 8,33" + to, "--bitrates"},
      {base + "--bitrates 8,8" + to, "--bitrates"},
      {base + "--clip 12" + to, "--clip 12"},
      {base + "--clip no-such-file.wav" + to, "--clip"},
      {base + "--qualities 5" + to, "--qualities"},
      {base + "--columns 0" + to, "--columns"},
  };
  for (const auto& [args, option] : cases) {
    const auto r = run_helmholtz(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(option), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out("y.png"))) << args;
  }
  EXPECT_THROW(parse_bitrates({"33"}), core::UsageError);
  SpectrogramSheetRequest request;
  request.data_dir = set();
  request.clip = "99";
  request.bitrates = parse_bitrates({"raw"});
  EXPECT_THROW(make_spectrogram_sheet(request), core::UsageError);
}

}  // namespace
}  // namespace helmholtz::preview
