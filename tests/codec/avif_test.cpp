#ifdef HELMHOLTZ_WITH_AVIF

#include "helmholtz/codec/avif.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"  // psnr
#include "helmholtz/codec/png.hpp"
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
  const auto avif = encode_avif(pixels.data(), w, h, channels, quality);
  std::vector<std::uint8_t> decoded(pixels.size());
  decode_avif(avif.data(), avif.size(), decoded.data(), w, h, channels);
  return {avif.size(), psnr(pixels.data(), decoded.data(), pixels.size())};
}

void expect_monotone(int w, int h, int channels) {
  const auto pixels = test_image(w, h, channels);
  RoundTrip previous{};
  bool first = true;
  for (const int q : {95, 90, 75, 50, 25, 5, 0}) {
    const RoundTrip rt = round_trip(pixels, w, h, channels, q);
    EXPECT_TRUE(std::isfinite(rt.psnr)) << "quality " << q;
    EXPECT_GT(rt.psnr, 18.0) << "quality " << q;
    if (!first) {
      EXPECT_LT(rt.bytes, previous.bytes) << "quality " << q;
      EXPECT_LT(rt.psnr, previous.psnr) << "quality " << q;
    }
    previous = rt;
    first = false;
  }
}

TEST(Avif, QuantizerIsLibavifOnesQuality) {
  EXPECT_EQ(avif_quantizer(100), 0);
  EXPECT_EQ(avif_quantizer(95), 3);   // 3.15
  EXPECT_EQ(avif_quantizer(90), 6);   // 6.3
  EXPECT_EQ(avif_quantizer(75), 16);  // 15.75
  EXPECT_EQ(avif_quantizer(50), 32);  // 31.5 rounds up
  EXPECT_EQ(avif_quantizer(25), 47);  // 47.25
  EXPECT_EQ(avif_quantizer(0), 63);
  int previous = 64;
  for (int q = 0; q <= 100; ++q) {
    EXPECT_LE(avif_quantizer(q), previous) << "quality " << q;
    previous = avif_quantizer(q);
  }
  EXPECT_THROW(avif_quantizer(-1), core::UsageError);
  EXPECT_THROW(avif_quantizer(101), core::UsageError);
}

TEST(Avif, RgbRoundTripLosesMoreAsQualityFalls) { expect_monotone(32, 32, 3); }

TEST(Avif, GrayRoundTripLosesMoreAsQualityFalls) { expect_monotone(28, 28, 1); }

TEST(Avif, NonSquareRoundTripLosesMoreAsQualityFalls) { expect_monotone(45, 23, 3); }

TEST(Avif, HighQualityIsClose) {
  // Measured (aom 3.6.0): 32x32 RGB q 95 44.5 dB, q 100 (quantizer 0) 52.9 dB, which is AV1
  // lossless coding of YUV that 8-bit RGB -> YUV -> RGB rounding keeps from exact. Gray q 100 is
  // exact: gray is coded 4:0:0 with Y = the gray level, and lossless AV1 gives Y back.
  EXPECT_GT(round_trip(test_image(32, 32, 3), 32, 32, 3, 95).psnr, 42.0);
  EXPECT_GT(round_trip(test_image(32, 32, 3), 32, 32, 3, 100).psnr, 50.0);
  EXPECT_GT(round_trip(test_image(28, 28, 1), 28, 28, 1, 95).psnr, 48.0);
  EXPECT_TRUE(std::isinf(round_trip(test_image(28, 28, 1), 28, 28, 1, 100).psnr));
}

TEST(Avif, EncodingIsDeterministic) {
  const auto pixels = test_image(32, 32, 3);
  for (const int q : {5, 50, 90}) {
    EXPECT_EQ(encode_avif(pixels.data(), 32, 32, 3, q), encode_avif(pixels.data(), 32, 32, 3, q))
        << "quality " << q;
  }
  const auto other = test_image(32, 32, 3, 7);
  EXPECT_NE(encode_avif(pixels.data(), 32, 32, 3, 50), encode_avif(other.data(), 32, 32, 3, 50));
}

// The payload of the first box of type `fourcc` (searched for in the bytes; libavif's files have
// each of the boxes asked for here once, in meta/iprp/ipco).
const std::uint8_t* box_payload(const std::vector<std::uint8_t>& file, const char* fourcc) {
  const std::string bytes(file.begin(), file.end());
  const std::size_t at = bytes.find(fourcc);
  if (at == std::string::npos || at < 4) return nullptr;
  return file.data() + at + 4;
}

// What an AVIF's properties say of its planes: pixi's channel count and av1C's mono_chrome flag.
struct Planes {
  int pixi_channels = -1;
  bool av1c_monochrome = false;
};
Planes planes_of(const std::vector<std::uint8_t>& file) {
  Planes p;
  if (const std::uint8_t* pixi = box_payload(file, "pixi")) p.pixi_channels = pixi[4];
  // av1C: marker/version, profile/level, then tier, high_bitdepth, twelve_bit, mono_chrome, ...
  if (const std::uint8_t* av1c = box_payload(file, "av1C")) {
    p.av1c_monochrome = (av1c[2] & 0x10) != 0;
  }
  return p;
}

TEST(Avif, GrayIsCodedMonochrome) {
  // Gray is coded 4:0:0 (as avifenc codes a gray PNG), not as its RGB expansion (4:4:4, which a
  // 3-channel R = G = B image still is): other, smaller files, that decode to the gray itself.
  const int w = 28, h = 28;
  const auto gray = test_image(w, h, 1);
  std::vector<std::uint8_t> rgb(gray.size() * 3);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
  }
  for (const int q : {0, 60, 100}) {
    const auto mono = encode_avif(gray.data(), w, h, 1, q);
    const auto color = encode_avif(rgb.data(), w, h, 3, q);
    const Planes mp = planes_of(mono);
    const Planes cp = planes_of(color);
    EXPECT_EQ(mp.pixi_channels, 1) << "quality " << q;
    EXPECT_TRUE(mp.av1c_monochrome) << "quality " << q;
    EXPECT_EQ(cp.pixi_channels, 3) << "quality " << q;
    EXPECT_FALSE(cp.av1c_monochrome) << "quality " << q;
    EXPECT_NE(mono, color) << "quality " << q;
    EXPECT_LT(mono.size(), color.size()) << "quality " << q;

    // 4:0:0 decoded: 1 channel is the coded gray, 3 channels repeat it (R = G = B).
    std::vector<std::uint8_t> as_gray(gray.size());
    std::vector<std::uint8_t> as_rgb(rgb.size());
    decode_avif(mono.data(), mono.size(), as_gray.data(), w, h, 1);
    decode_avif(mono.data(), mono.size(), as_rgb.data(), w, h, 3);
    for (std::size_t i = 0; i < gray.size(); ++i) {
      ASSERT_EQ(as_rgb[3 * i], as_gray[i]) << "quality " << q << ", pixel " << i;
      ASSERT_EQ(as_rgb[3 * i + 1], as_gray[i]) << "quality " << q << ", pixel " << i;
      ASSERT_EQ(as_rgb[3 * i + 2], as_gray[i]) << "quality " << q << ", pixel " << i;
    }
    if (q == 100) {
      EXPECT_EQ(as_gray, gray);  // lossless Y
    }

    // A colour (4:4:4) file read as 1 channel: the ITU-R 601 luma of its decoded RGB.
    std::vector<std::uint8_t> color_rgb(rgb.size());
    std::vector<std::uint8_t> color_gray(gray.size());
    decode_avif(color.data(), color.size(), color_rgb.data(), w, h, 3);
    decode_avif(color.data(), color.size(), color_gray.data(), w, h, 1);
    for (std::size_t i = 0; i < gray.size(); ++i) {
      const unsigned l = (color_rgb[3 * i] * 19595u + color_rgb[3 * i + 1] * 38470u +
                          color_rgb[3 * i + 2] * 7471u + 0x8000u) >>
                         16;
      ASSERT_EQ(color_gray[i], l) << "quality " << q << ", pixel " << i;
    }
  }
  // Of a true colour image too.
  const auto colorful = test_image(w, h, 3);
  const auto avif = encode_avif(colorful.data(), w, h, 3, 60);
  std::vector<std::uint8_t> as_rgb(colorful.size());
  std::vector<std::uint8_t> as_gray(gray.size());
  decode_avif(avif.data(), avif.size(), as_rgb.data(), w, h, 3);
  decode_avif(avif.data(), avif.size(), as_gray.data(), w, h, 1);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    const unsigned l = (as_rgb[3 * i] * 19595u + as_rgb[3 * i + 1] * 38470u +
                        as_rgb[3 * i + 2] * 7471u + 0x8000u) >>
                       16;
    ASSERT_EQ(as_gray[i], l) << "pixel " << i;
  }
}

TEST(Avif, MonochromeDecodesEveryGrayLevelExactly) {
  // libavif's full-range 4:0:0 -> RGB is R = G = B = Y for all 256 levels: lossless (q 100)
  // gives every level back, to 1 and to 3 channels.
  std::vector<std::uint8_t> gray(256);
  for (int i = 0; i < 256; ++i) gray[i] = static_cast<std::uint8_t>((i * 37) % 256);
  const auto avif = encode_avif(gray.data(), 16, 16, 1, 100);
  std::vector<std::uint8_t> as_gray(gray.size());
  std::vector<std::uint8_t> as_rgb(gray.size() * 3);
  decode_avif(avif.data(), avif.size(), as_gray.data(), 16, 16, 1);
  decode_avif(avif.data(), avif.size(), as_rgb.data(), 16, 16, 3);
  EXPECT_EQ(as_gray, gray);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    for (int c = 0; c < 3; ++c) ASSERT_EQ(as_rgb[3 * i + c], gray[i]) << "level " << int{gray[i]};
  }
}

TEST(Avif, BadArgumentsAreUsageErrors) {
  const auto pixels = test_image(8, 8, 3);
  EXPECT_THROW(encode_avif(pixels.data(), 8, 8, 3, -1), core::UsageError);
  EXPECT_THROW(encode_avif(pixels.data(), 8, 8, 3, 101), core::UsageError);
  EXPECT_THROW(encode_avif(pixels.data(), 8, 8, 2, 50), core::UsageError);
  EXPECT_THROW(encode_avif(pixels.data(), 8, 8, 4, 50), core::UsageError);
  EXPECT_THROW(encode_avif(pixels.data(), 0, 8, 3, 50), core::UsageError);
  EXPECT_THROW(encode_avif(pixels.data(), 8, -2, 3, 50), core::UsageError);
  EXPECT_THROW(encode_avif(nullptr, 8, 8, 3, 50), core::UsageError);
  EXPECT_NO_THROW(encode_avif(pixels.data(), 8, 8, 3, 0));
  EXPECT_NO_THROW(encode_avif(pixels.data(), 8, 8, 3, 100));
  const auto avif = encode_avif(pixels.data(), 8, 8, 3, 50);
  std::vector<std::uint8_t> out(pixels.size());
  EXPECT_THROW(decode_avif(avif.data(), avif.size(), out.data(), 8, 8, 2), core::UsageError);
  EXPECT_THROW(decode_avif(avif.data(), avif.size(), out.data(), 8, 0, 3), core::UsageError);
  EXPECT_THROW(decode_avif(avif.data(), avif.size(), nullptr, 8, 8, 3), core::UsageError);
  const std::string message = helmholtz::testing::error_message_of<core::UsageError>(
      [&] { encode_avif(pixels.data(), 8, 8, 3, 101); });
  EXPECT_NE(message.find("AVIF"), std::string::npos) << message;
}

TEST(Avif, CorruptTruncatedAndMisSizedDataIsACodecError) {
  const int w = 32, h = 32;
  const auto pixels = test_image(w, h, 3);
  const auto avif = encode_avif(pixels.data(), w, h, 3, 75);
  std::vector<std::uint8_t> out(pixels.size());
  const auto decode = [&](const std::vector<std::uint8_t>& bytes, std::size_t size) {
    decode_avif(bytes.data(), size, out.data(), w, h, 3);
  };

  const std::vector<std::uint8_t> garbage(300, 0x42);
  EXPECT_THROW(decode(garbage, garbage.size()), core::CodecError);
  EXPECT_THROW(decode(avif, 0), core::CodecError);
  EXPECT_THROW(decode_avif(nullptr, 10, out.data(), w, h, 3), core::CodecError);

  // Truncated: in ftyp, in meta, just inside mdat, half way through the AV1 data, one short.
  for (const std::size_t cut :
       {std::size_t{10}, std::size_t{100}, std::size_t{290}, avif.size() - 250, avif.size() - 1}) {
    EXPECT_THROW(decode(avif, cut), core::CodecError) << "cut at " << cut;
  }
  // Damaged structure: the ftyp type, the meta box's type (bytes 4..7 after ftyp).
  {
    std::vector<std::uint8_t> bad = avif;
    bad[4] ^= 0x20;  // "ftyp" -> "Ftyp"
    EXPECT_THROW(decode(bad, bad.size()), core::CodecError);
  }
  {
    std::vector<std::uint8_t> bad = avif;
    const std::size_t meta = (std::size_t{bad[0]} << 24 | bad[1] << 16 | bad[2] << 8 | bad[3]);
    ASSERT_EQ(std::string(bad.begin() + meta + 4, bad.begin() + meta + 8), "meta");
    bad[meta + 4] ^= 0x20;
    EXPECT_THROW(decode(bad, bad.size()), core::CodecError);
  }
  // Damage anywhere, headers and AV1 data alike: refused with a CodecError or decoded to
  // something, never a crash (AV1 has no checksum, so not every flip is detectable).
  for (std::size_t at = 0; at < avif.size(); at += 5) {
    std::vector<std::uint8_t> bad = avif;
    bad[at] ^= 0xFF;
    try {
      decode(bad, bad.size());
    } catch (const core::CodecError&) {
    }
  }

  EXPECT_THROW(decode_avif(avif.data(), avif.size(), out.data(), w / 2, h, 3), core::CodecError);
  EXPECT_THROW(decode_avif(avif.data(), avif.size(), out.data(), w, h + 1, 1), core::CodecError);
  EXPECT_NO_THROW(decode(avif, avif.size()));
}

// libavif's single-image file: ftyp, meta (hdlr, pitm, iloc, iinf, iprp with ispe, pixi, av1C,
// colr nclx, ipma) and one mdat holding the colour item's AV1 OBUs. Measured with libavif
// 0.11.1, at every quality and at 32x32, 28x28 and 45x23 alike: everything but the mdat payload
// is 282 bytes for RGB (4:4:4) and 276 for gray (4:0:0): its ftyp lacks the MA1A brand (AVIF
// Advanced Profile, which 8-bit 4:4:4 gets), 4 bytes, and its pixi names 1 channel, not 3, 2
// bytes. avifenc's files are the same bytes (BytesEqualAvifenc).
constexpr std::size_t kContainerBytes = 282;
constexpr std::size_t kGrayContainerBytes = 276;

TEST(AvifPayload, IsTheMdatDataAndTheContainerIsTheSameAtEveryQuality) {
  struct Case {
    int width, height, channels;
  };
  for (const Case c : {Case{32, 32, 3}, Case{28, 28, 1}, Case{45, 23, 3}, Case{32, 32, 1},
                       Case{45, 23, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    for (const int q : {0, 5, 50, 90, 100}) {
      const auto avif = encode_avif(pixels.data(), c.width, c.height, c.channels, q);
      const std::size_t payload = avif_payload_bytes(avif.data(), avif.size());
      // The mdat box found by hand: libavif writes it last, with a 32-bit size.
      const std::size_t mdat = avif.size() - payload - 8;
      ASSERT_EQ(std::string(avif.begin() + mdat + 4, avif.begin() + mdat + 8), "mdat");
      EXPECT_GT(payload, 0u);
      EXPECT_LT(payload, avif.size());
      EXPECT_EQ(avif.size() - payload, c.channels == 1 ? kGrayContainerBytes : kContainerBytes)
          << c.width << "x" << c.height << "x" << c.channels << ", quality " << q;
    }
  }
  const std::vector<std::uint8_t> junk(64, 0x00);
  EXPECT_THROW(avif_payload_bytes(junk.data(), junk.size()), core::CodecError);
  // An ISO BMFF file of another brand (an MP4's ftyp) is not an AVIF.
  const std::vector<std::uint8_t> mp4 = {0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                         0, 0, 0, 0,  0,   0,   0,   8,   'm', 'd', 'a', 't'};
  EXPECT_THROW(avif_payload_bytes(mp4.data(), mp4.size()), core::CodecError);
  const auto avif = encode_avif(test_image(16, 16, 3).data(), 16, 16, 3, 50);
  EXPECT_THROW(avif_payload_bytes(avif.data(), avif.size() - 1), core::CodecError);  // cut mdat
  EXPECT_THROW(avif_payload_bytes(avif.data(), 200), core::CodecError);              // no mdat
  EXPECT_THROW(avif_payload_bytes(nullptr, 0), core::CodecError);
}

TEST(Avif, VersionNamesLibavifAndAom) {
  const std::string v = avif_version();
  EXPECT_EQ(v.rfind("libavif ", 0), 0u) << v;
  EXPECT_NE(v.find("(aom v"), std::string::npos) << v;
}

// --- avifenc equality ------------------------------------------------------------------------

std::vector<std::uint8_t> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `avifenc --min Q --max Q -s 6 in.png out.avif` (libavif-bin) on the PNG of the same pixels,
// with avifenc's default ("auto") -y: 4:0:0 for the gray PNG (encode_png writes 1 channel as
// colour type 0), 4:4:4 for RGB, where `-y 444` gives the same bytes (checked too). Measured
// with avifenc 0.11.1 / aom 3.6.0: the files are byte-identical at every quality, RGB and gray,
// so |ours - avifenc| = 0 bytes and the AV1 payloads are equal (28x28 gray, e.g.: 308, 371 and
// 704 bytes at q 0, 50, 90, 276 of them container); the pixels decoded from both are then equal
// too, and avifenc's own "Color AV1 total size" is exactly what avif_payload_bytes counts.
TEST(Avif, BytesEqualAvifenc) {
  const auto version = run_shell("avifenc --version");
  if (version.exit_code != 0 || version.output.find("aom [enc") == std::string::npos) {
    GTEST_SKIP() << "avifenc with the aom encoder (Debian libavif-bin) is needed";
  }
  TempDir dir;
  struct Case {
    int width, height, channels;
  };
  const std::regex color_size(R"(Color AV1 total size: (\d+) bytes)");
  for (const Case c : {Case{32, 32, 3}, Case{28, 28, 1}, Case{45, 23, 3}, Case{45, 23, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const auto png = encode_png(pixels.data(), c.width, c.height, c.channels);
    std::ofstream(dir.path() / "in.png", std::ios::binary)
        .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    for (const int q : {0, 5, 50, 90, 100}) {
      const int quantizer = avif_quantizer(q);
      const auto avifenc = [&](const std::string& options) {
        std::filesystem::remove(dir.path() / "out.avif");
        return run_shell("avifenc --min " + std::to_string(quantizer) + " --max " +
                         std::to_string(quantizer) + " -s 6 " + options +
                         quoted(dir.path() / "in.png") + " " + quoted(dir.path() / "out.avif"));
      };
      const auto result = avifenc("");
      ASSERT_EQ(result.exit_code, 0) << result.output;
      const auto theirs = slurp(dir.path() / "out.avif");
      const auto ours = encode_avif(pixels.data(), c.width, c.height, c.channels, q);
      const std::string label = std::to_string(c.width) + "x" + std::to_string(c.height) + "x" +
                                std::to_string(c.channels) + ", quality " + std::to_string(q);
      // avifenc's own account of the pixel format it coded.
      EXPECT_NE(result.output.find(c.channels == 1 ? "Format         : YUV400"
                                                   : "Format         : YUV444"),
                std::string::npos)
          << label << ":\n"
          << result.output;
      if (c.channels == 3) {
        const auto explicit_444 = avifenc("-y 444 ");
        ASSERT_EQ(explicit_444.exit_code, 0) << explicit_444.output;
        EXPECT_TRUE(slurp(dir.path() / "out.avif") == theirs)
            << label << ": -y 444 differs from avifenc's default for RGB";
      }

      EXPECT_EQ(ours.size(), theirs.size()) << label;
      EXPECT_TRUE(ours == theirs) << label << ": AVIF bytes differ from avifenc's";
      const std::size_t payload = avif_payload_bytes(theirs.data(), theirs.size());
      EXPECT_EQ(avif_payload_bytes(ours.data(), ours.size()), payload) << label;
      std::smatch match;
      ASSERT_TRUE(std::regex_search(result.output, match, color_size)) << result.output;
      EXPECT_EQ(payload, std::stoul(match[1].str())) << label;
      EXPECT_EQ(ours.size() - payload, c.channels == 1 ? kGrayContainerBytes : kContainerBytes)
          << label;

      std::vector<std::uint8_t> ours_decoded(pixels.size());
      std::vector<std::uint8_t> theirs_decoded(pixels.size());
      decode_avif(ours.data(), ours.size(), ours_decoded.data(), c.width, c.height, c.channels);
      decode_avif(theirs.data(), theirs.size(), theirs_decoded.data(), c.width, c.height,
                  c.channels);
      EXPECT_TRUE(ours_decoded == theirs_decoded) << label << ": decoded pixels differ";
    }
  }
}

}  // namespace
}  // namespace helmholtz::codec

#endif  // HELMHOLTZ_WITH_AVIF
