#ifdef HELMHOLTZ_WITH_WEBP

#include "helmholtz/codec/webp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"  // psnr
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

using helmholtz::testing::quoted;
using helmholtz::testing::run_shell;
using helmholtz::testing::TempDir;

// A deterministic test image: smooth gradients and waves with a seeded pseudo-random texture,
// so each quality loses something different (and nothing is flat enough to be free).
std::vector<std::uint8_t> test_image(int width, int height, int channels,
                                     std::uint32_t seed = 2024) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * channels);
  std::uint32_t state = seed;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        state = state * 1664525u + 1013904223u;
        const double noise = static_cast<double>(state >> 24) / 255.0 - 0.5;
        const double v = 40.0 + 150.0 * (x + 0.5 * y) / (width + 0.5 * height) +
                         35.0 * std::sin(0.35 * y + 1.3 * c) +
                         20.0 * std::cos(0.22 * (x - y) * (c + 1)) + 24.0 * noise;
        pixels[(static_cast<std::size_t>(y) * width + x) * channels + c] =
            static_cast<std::uint8_t>(std::lround(std::fmin(255.0, std::fmax(0.0, v))));
      }
    }
  }
  return pixels;
}

struct RoundTrip {
  std::size_t bytes = 0;
  double psnr = 0.0;
};

RoundTrip round_trip(const std::vector<std::uint8_t>& pixels, int w, int h, int channels,
                     int quality) {
  const auto webp = encode_webp(pixels.data(), w, h, channels, quality);
  std::vector<std::uint8_t> decoded(pixels.size());
  decode_webp(webp.data(), webp.size(), decoded.data(), w, h, channels);
  return {webp.size(), psnr(pixels.data(), decoded.data(), pixels.size())};
}

void expect_monotone(int w, int h, int channels) {
  const auto pixels = test_image(w, h, channels);
  RoundTrip previous{};
  bool first = true;
  for (const int q : {100, 90, 75, 50, 25, 5, 0}) {
    const RoundTrip rt = round_trip(pixels, w, h, channels, q);
    EXPECT_TRUE(std::isfinite(rt.psnr)) << "quality " << q;  // lossy: never exact
    EXPECT_GT(rt.psnr, 15.0) << "quality " << q;
    if (!first) {
      EXPECT_LT(rt.bytes, previous.bytes) << "quality " << q;
      EXPECT_LT(rt.psnr, previous.psnr) << "quality " << q;
    }
    previous = rt;
    first = false;
  }
}

TEST(Webp, RgbRoundTripLosesMoreAsQualityFalls) { expect_monotone(32, 32, 3); }

TEST(Webp, GrayRoundTripLosesMoreAsQualityFalls) { expect_monotone(28, 28, 1); }

TEST(Webp, NonSquareRoundTripLosesMoreAsQualityFalls) { expect_monotone(45, 23, 3); }

TEST(Webp, HighQualityIsClose) {
  // Measured (libwebp 1.2.4): 32x32 RGB q 95 31.3 dB, 28x28 gray q 95 44.9 dB. RGB stays near
  // 31.7 dB even at q 100: lossy WebP is always 4:2:0, and this image's colour noise is
  // independent per channel, so the halved chroma loses it; gray pays no chroma.
  EXPECT_GT(round_trip(test_image(32, 32, 3), 32, 32, 3, 95).psnr, 30.0);
  EXPECT_GT(round_trip(test_image(28, 28, 1), 28, 28, 1, 95).psnr, 42.0);
}

TEST(Webp, EncodingIsDeterministic) {
  const auto pixels = test_image(32, 32, 3);
  for (const int q : {5, 50, 90}) {
    EXPECT_EQ(encode_webp(pixels.data(), 32, 32, 3, q), encode_webp(pixels.data(), 32, 32, 3, q))
        << "quality " << q;
  }
  // A different image gives different bytes (the encoder reads the pixels).
  const auto other = test_image(32, 32, 3, 7);
  EXPECT_NE(encode_webp(pixels.data(), 32, 32, 3, 50), encode_webp(other.data(), 32, 32, 3, 50));
}

TEST(Webp, GrayIsRgbWithEqualChannels) {
  // Our grayscale encode is the RGB encode of R = G = B, as Pillow converts L to RGB first.
  const auto gray = test_image(28, 28, 1);
  std::vector<std::uint8_t> rgb(gray.size() * 3);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
  }
  EXPECT_EQ(encode_webp(gray.data(), 28, 28, 1, 60), encode_webp(rgb.data(), 28, 28, 3, 60));
  // Decoding to gray is the 601 luma of the decoded RGB (Pillow's L24 rounding).
  const auto webp = encode_webp(rgb.data(), 28, 28, 3, 60);
  std::vector<std::uint8_t> as_rgb(rgb.size());
  std::vector<std::uint8_t> as_gray(gray.size());
  decode_webp(webp.data(), webp.size(), as_rgb.data(), 28, 28, 3);
  decode_webp(webp.data(), webp.size(), as_gray.data(), 28, 28, 1);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    const unsigned l = (as_rgb[3 * i] * 19595u + as_rgb[3 * i + 1] * 38470u +
                        as_rgb[3 * i + 2] * 7471u + 0x8000u) >>
                       16;
    ASSERT_EQ(as_gray[i], l) << "pixel " << i;
  }
}

TEST(Webp, BadArgumentsAreUsageErrors) {
  const auto pixels = test_image(8, 8, 3);
  EXPECT_THROW(encode_webp(pixels.data(), 8, 8, 3, -1), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 8, 8, 3, 101), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 8, 8, 2, 50), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 8, 8, 4, 50), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 0, 8, 3, 50), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 8, -1, 3, 50), core::UsageError);
  EXPECT_THROW(encode_webp(pixels.data(), 16384, 1, 1, 50), core::UsageError);  // over 16383
  EXPECT_THROW(encode_webp(nullptr, 8, 8, 3, 50), core::UsageError);
  EXPECT_NO_THROW(encode_webp(pixels.data(), 8, 8, 3, 0));
  EXPECT_NO_THROW(encode_webp(pixels.data(), 8, 8, 3, 100));
  const auto webp = encode_webp(pixels.data(), 8, 8, 3, 50);
  std::vector<std::uint8_t> out(pixels.size());
  EXPECT_THROW(decode_webp(webp.data(), webp.size(), out.data(), 8, 8, 2), core::UsageError);
  EXPECT_THROW(decode_webp(webp.data(), webp.size(), out.data(), 0, 8, 3), core::UsageError);
  EXPECT_THROW(decode_webp(webp.data(), webp.size(), nullptr, 8, 8, 3), core::UsageError);
  const std::string message = helmholtz::testing::error_message_of<core::UsageError>(
      [&] { encode_webp(pixels.data(), 8, 8, 3, 101); });
  EXPECT_NE(message.find("WebP"), std::string::npos) << message;
}

TEST(Webp, CorruptTruncatedAndMisSizedDataIsACodecError) {
  const int w = 32, h = 32;
  const auto pixels = test_image(w, h, 3);
  const auto webp = encode_webp(pixels.data(), w, h, 3, 75);
  std::vector<std::uint8_t> out(pixels.size());
  const auto decode = [&](const std::vector<std::uint8_t>& bytes, std::size_t size) {
    decode_webp(bytes.data(), size, out.data(), w, h, 3);
  };

  const std::vector<std::uint8_t> garbage(200, 0x42);
  EXPECT_THROW(decode(garbage, garbage.size()), core::CodecError);
  EXPECT_THROW(decode(webp, 0), core::CodecError);
  EXPECT_THROW(decode_webp(nullptr, 10, out.data(), w, h, 3), core::CodecError);

  // Truncated anywhere: in the RIFF header, in the VP8 frame header, in the partitions.
  for (const std::size_t cut : {std::size_t{5}, std::size_t{15}, std::size_t{26}, std::size_t{40},
                                webp.size() / 2, webp.size() - 1}) {
    EXPECT_THROW(decode(webp, cut), core::CodecError) << "cut at " << cut;
  }

  // Damaged headers: the RIFF magic, the VP8 chunk's FourCC, the VP8 start code (9D 01 2A at
  // byte 23 of a simple file).
  for (const std::size_t at : {std::size_t{0}, std::size_t{12}, std::size_t{23}}) {
    std::vector<std::uint8_t> bad = webp;
    bad[at] ^= 0x5A;
    EXPECT_THROW(decode(bad, bad.size()), core::CodecError) << "byte " << at;
  }
  // Damage in the entropy-coded data: VP8 has no checksum, so libwebp may decode garbage, but it
  // must not crash and may only refuse with a CodecError.
  for (std::size_t at = 30; at < webp.size(); at += 7) {
    std::vector<std::uint8_t> bad = webp;
    bad[at] ^= 0xFF;
    try {
      decode(bad, bad.size());
    } catch (const core::CodecError&) {
    }
  }

  // Other dimensions than expected.
  EXPECT_THROW(decode_webp(webp.data(), webp.size(), out.data(), w / 2, h, 3), core::CodecError);
  EXPECT_THROW(decode_webp(webp.data(), webp.size(), out.data(), w, h + 1, 1), core::CodecError);
  // Still fine afterwards.
  EXPECT_NO_THROW(decode(webp, webp.size()));
}

// The payload is the VP8 chunk found by hand: a simple lossy file is "RIFF" size "WEBP" (12
// bytes), then "VP8 " and its 4-byte size (8 bytes), then the bitstream, padded to even. So the
// container costs 20 bytes, 21 when the bitstream's length is odd, at every quality.
TEST(WebpPayload, IsTheVp8ChunkAndTheContainerIs20Bytes) {
  for (const int channels : {3, 1}) {
    const int w = channels == 3 ? 32 : 28, h = w;
    const auto pixels = test_image(w, h, channels);
    for (const int q : {0, 5, 50, 90, 100}) {
      const auto webp = encode_webp(pixels.data(), w, h, channels, q);
      ASSERT_GE(webp.size(), 20u);
      ASSERT_EQ(std::string(webp.begin() + 12, webp.begin() + 16), "VP8 ");
      const std::size_t chunk =
          webp[16] | (webp[17] << 8) | (webp[18] << 16) | (std::size_t{webp[19]} << 24);
      const std::size_t payload = webp_payload_bytes(webp.data(), webp.size());
      EXPECT_EQ(payload, chunk) << "quality " << q;
      EXPECT_LT(payload, webp.size()) << "quality " << q;
      EXPECT_EQ(webp.size() - payload, 20u + (payload & 1)) << "quality " << q;
    }
  }
  const std::vector<std::uint8_t> junk = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'A', 'V', 'I', ' '};
  EXPECT_THROW(webp_payload_bytes(junk.data(), junk.size()), core::CodecError);
  EXPECT_THROW(webp_payload_bytes(junk.data(), 3), core::CodecError);
  // A RIFF/WEBP file without a VP8 chunk (one made-up chunk only).
  const std::vector<std::uint8_t> no_vp8 = {'R', 'I', 'F', 'F', 16, 0, 0, 0, 'W', 'E', 'B', 'P',
                                            'X', 'Y', 'Z', ' ', 2,  0, 0, 0, 1,   2,   0,   0};
  EXPECT_THROW(webp_payload_bytes(no_vp8.data(), no_vp8.size()), core::CodecError);
  // Truncated: the RIFF size says more than there is.
  const auto webp = encode_webp(test_image(16, 16, 3).data(), 16, 16, 3, 50);
  EXPECT_THROW(webp_payload_bytes(webp.data(), webp.size() - 4), core::CodecError);
}

TEST(Webp, VersionNamesLibwebp) {
  const std::string v = webp_version();
  EXPECT_EQ(v.rfind("libwebp ", 0), 0u) << v;
  EXPECT_EQ(std::count(v.begin(), v.end(), '.'), 2) << v;
}

// --- Pillow equality ------------------------------------------------------------------------

// Saves raw pixels with Pillow as the project's reference does, and writes Pillow's decode of
// its own file. argv: raw in, mode (L/RGB), width, height, quality, webp out, decoded out.
constexpr const char* kPillowScript = R"PY(
import io, sys
from PIL import Image
raw, mode, w, h, q, webp_out, dec_out = sys.argv[1:8]
im = Image.frombytes(mode, (int(w), int(h)), open(raw, "rb").read())
buf = io.BytesIO()
im.save(buf, format="WEBP", quality=int(q))
open(webp_out, "wb").write(buf.getvalue())
open(dec_out, "wb").write(Image.open(io.BytesIO(buf.getvalue())).convert(mode).tobytes())
)PY";

std::vector<std::uint8_t> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Measured with Debian's Pillow 9.4.0 on libwebp 1.2.4: every case below is byte-identical,
// and so are the decoded pixels.
TEST(Webp, BytesEqualPillow) {
  if (!helmholtz::testing::system_python_has("PIL.Image, PIL.features; "
                                             "assert PIL.features.check(\"webp\")")) {
    GTEST_SKIP() << helmholtz::testing::kSystemPython
                 << " with PIL built with WebP (Debian python3-pil) is needed";
  }
  TempDir dir;
  std::ofstream(dir.path() / "pillow.py") << kPillowScript;
  struct Case {
    int width, height, channels;
  };
  for (const Case c : {Case{32, 32, 3}, Case{28, 28, 1}, Case{37, 29, 3}, Case{23, 41, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    {
      std::ofstream raw(dir.path() / "in.raw", std::ios::binary);
      raw.write(reinterpret_cast<const char*>(pixels.data()),
                static_cast<std::streamsize>(pixels.size()));
    }
    for (const int q : {0, 5, 50, 75, 90, 100}) {
      const auto result = run_shell(
          std::string(helmholtz::testing::kSystemPython) + " " + quoted(dir.path() / "pillow.py") +
          " " + quoted(dir.path() / "in.raw") + " " + (c.channels == 1 ? "L" : "RGB") + " " +
          std::to_string(c.width) + " " + std::to_string(c.height) + " " + std::to_string(q) + " " +
          quoted(dir.path() / "pil.webp") + " " + quoted(dir.path() / "pil.raw"));
      ASSERT_EQ(result.exit_code, 0) << result.output;
      const auto pillow_webp = slurp(dir.path() / "pil.webp");
      const auto pillow_pixels = slurp(dir.path() / "pil.raw");

      const auto ours = encode_webp(pixels.data(), c.width, c.height, c.channels, q);
      std::vector<std::uint8_t> decoded(pixels.size());
      decode_webp(ours.data(), ours.size(), decoded.data(), c.width, c.height, c.channels);

      const std::string label = std::to_string(c.width) + "x" + std::to_string(c.height) + "x" +
                                std::to_string(c.channels) + ", quality " + std::to_string(q);
      EXPECT_EQ(ours.size(), pillow_webp.size()) << label;
      EXPECT_TRUE(ours == pillow_webp) << label << ": WebP bytes differ from Pillow's";
      EXPECT_TRUE(decoded == pillow_pixels) << label << ": decoded pixels differ from Pillow's";
    }
  }
}

}  // namespace
}  // namespace helmholtz::codec

#endif  // HELMHOLTZ_WITH_WEBP
