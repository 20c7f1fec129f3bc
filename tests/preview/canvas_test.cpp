// The drawing layer of `helmholtz preview`: PNG files out and back through libgd, the errors
// that name the file, text fitting, and the colour map.

#include "helmholtz/preview/canvas.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/preview/colormap.hpp"
#include "test_support.hpp"

namespace helmholtz::preview {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

TEST(PreviewCanvas, PngRoundTripKeepsEveryPixel) {
  TempDir dir;
  Canvas canvas(37, 23, Rgb{255, 255, 255});
  for (int y = 0; y < 23; ++y) {
    for (int x = 0; x < 37; ++x) {
      canvas.set(x, y,
                 Rgb{static_cast<std::uint8_t>(x * 7), static_cast<std::uint8_t>(y * 11),
                     static_cast<std::uint8_t>((x * y) % 256)});
    }
  }
  canvas.fill(30, 2, 5, 4, Rgb{1, 2, 3});
  const fs::path file = dir.path() / "round.png";
  canvas.write_png(file);
  EXPECT_FALSE(fs::exists(dir.path() / "round.png.tmp"));

  std::ifstream in(file, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  EXPECT_EQ(std::string(signature, 8), std::string("\x89PNG\r\n\x1a\n", 8));

  const Canvas back = Canvas::read_png(file);
  ASSERT_EQ(back.width(), 37);
  ASSERT_EQ(back.height(), 23);
  for (int y = 0; y < 23; ++y) {
    for (int x = 0; x < 37; ++x) ASSERT_EQ(back.get(x, y), canvas.get(x, y)) << x << "," << y;
  }
  EXPECT_EQ(back.get(32, 3), (Rgb{1, 2, 3}));
}

TEST(PreviewCanvas, TextDrawsInkInsideItsBox) {
  Canvas canvas(100, 20, Rgb{255, 255, 255});
  canvas.text(2, 3, "q5 412 B", Rgb{0, 0, 0}, Font::kSmall);
  int inked = 0, outside = 0;
  const int right = 2 + text_width("q5 412 B", Font::kSmall);
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 100; ++x) {
      if (canvas.get(x, y) == Rgb{255, 255, 255}) continue;
      const bool in_box = x >= 2 && x < right && y >= 3 && y < 3 + font_height(Font::kSmall);
      (in_box ? inked : outside) += 1;
    }
  }
  EXPECT_GT(inked, 20);
  EXPECT_EQ(outside, 0);
  EXPECT_EQ(font_width(Font::kSmall), 6);
  EXPECT_EQ(font_width(Font::kBold), 7);
}

TEST(PreviewCanvas, FitTextCutsWithAnEllipsis) {
  EXPECT_EQ(fit_text("ankle boot", 60, Font::kSmall), "ankle boot");
  EXPECT_EQ(fit_text("ankle boot", 42, Font::kSmall), "ankl...");
  EXPECT_LE(text_width(fit_text("a very long class name", 50, Font::kBold), Font::kBold), 50);
}

TEST(PreviewCanvas, ErrorsNameTheFile) {
  TempDir dir;
  const fs::path missing = dir.path() / "no-such-folder" / "sheet.png";
  auto message = testing::error_message_of<core::RunError>([&] { check_output_file(missing); });
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
  message = testing::error_message_of<core::RunError>([&] { check_output_file(dir.path()); });
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;
  message =
      testing::error_message_of<core::RunError>([&] { Canvas(4, 4, Rgb{}).write_png(missing); });
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
  EXPECT_NO_THROW(check_output_file(dir.path() / "fine.png"));

  const fs::path text = dir.path() / "not.png";
  std::ofstream(text) << "hello, not a picture";
  message = testing::error_message_of<core::DataError>([&] { Canvas::read_png(text); });
  EXPECT_NE(message.find(text.string()), std::string::npos) << message;
}

// Perceived lightness (Rec. 709 luma) of a colour.
double luma(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

TEST(PreviewColormap, MagmaRunsFromBlackToPaleYellowGettingLighter) {
  EXPECT_EQ(magma(0.0), (Rgb{0, 0, 4}));
  EXPECT_EQ(magma(1.0), (Rgb{252, 253, 191}));
  EXPECT_EQ(magma(-3.0), magma(0.0));
  EXPECT_EQ(magma(7.0), magma(1.0));
  EXPECT_EQ(magma(std::nan("")), magma(0.0));
  EXPECT_EQ(magma(128.0 / 255.0), (Rgb{183, 55, 121}));  // a table entry, exactly
  double last = -1;
  for (int i = 0; i <= 100; ++i) {
    const double l = luma(magma(i / 100.0));
    EXPECT_GT(l, last) << "lightness falls at t = " << i / 100.0;
    last = l;
  }
}

}  // namespace
}  // namespace helmholtz::preview
