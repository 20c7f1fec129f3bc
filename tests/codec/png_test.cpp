#include "helmholtz/codec/png.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

// Gradients and a deterministic texture: compressible, but not to nothing.
std::vector<std::uint8_t> test_image(int width, int height, int channels) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * channels);
  std::uint32_t state = 7;
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    const std::size_t x = (i / channels) % width, y = i / channels / width;
    pixels[i] = static_cast<std::uint8_t>((4 * x + 3 * y + (state >> 29)) & 0xFF);
  }
  return pixels;
}

TEST(Png, PayloadIsTheIdatDataAndEverythingElseIsFixedOverhead) {
  for (const int channels : {1, 3}) {
    const auto pixels = test_image(32, 24, channels);
    const auto png = encode_png(pixels.data(), 32, 24, channels);
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png[1], 'P');
    // One IDAT for an image this small: signature 8, IHDR 12 + 13, IDAT 12 + data, IEND 12.
    const std::size_t payload = png_payload_bytes(png.data(), png.size());
    EXPECT_EQ(png.size() - payload, 8u + 25u + 12u + 12u) << channels << " channels";
    EXPECT_EQ(std::string(png.begin() + 37, png.begin() + 41), "IDAT");
    // Lossless and compressed: less than the pixels, more than a flat image.
    EXPECT_LT(payload, pixels.size());
    const std::vector<std::uint8_t> flat(pixels.size(), 128);
    const auto flat_png = encode_png(flat.data(), 32, 24, channels);
    EXPECT_LT(png_payload_bytes(flat_png.data(), flat_png.size()), payload / 4);
  }
}

TEST(Png, PillowReadsBackTheExactPixels) {
  if (!testing::system_python_has("PIL")) GTEST_SKIP() << "Debian's python3-pil is not installed";
  const testing::TempDir dir;
  const auto pixels = test_image(20, 9, 3);
  const auto png = encode_png(pixels.data(), 20, 9, 3);
  std::ofstream(dir.path() / "a.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  std::ofstream(dir.path() / "a.rgb", std::ios::binary)
      .write(reinterpret_cast<const char*>(pixels.data()),
             static_cast<std::streamsize>(pixels.size()));
  const auto result = testing::run_shell(
      std::string(testing::kSystemPython) + " -c \"from PIL import Image; import sys; "
      "im = Image.open(sys.argv[1]); im.load(); "
      "print(im.mode, im.size, im.tobytes() == open(sys.argv[2], 'rb').read())\" '" +
      (dir.path() / "a.png").string() + "' '" + (dir.path() / "a.rgb").string() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "RGB (20, 9) True\n");
}

TEST(Png, RefusesBadInputNamingWhatIsWrong) {
  const std::vector<std::uint8_t> pixels(12, 0);
  EXPECT_THROW(encode_png(pixels.data(), 2, 2, 2), core::UsageError);
  EXPECT_THROW(encode_png(pixels.data(), 0, 2, 1), core::UsageError);
  const std::vector<std::uint8_t> junk = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_THROW(png_payload_bytes(junk.data(), junk.size()), core::CodecError);
  auto cut = encode_png(pixels.data(), 2, 2, 3);
  cut.resize(cut.size() - 12);  // IEND gone
  const std::string message = testing::error_message_of<core::CodecError>(
      [&] { png_payload_bytes(cut.data(), cut.size()); });
  EXPECT_NE(message.find("no IEND chunk"), std::string::npos) << message;
}

}  // namespace
}  // namespace helmholtz::codec
