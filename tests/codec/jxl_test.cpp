#ifdef HELMHOLTZ_WITH_JXL

#include "helmholtz/codec/jxl.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

using helmholtz::testing::quoted;
using helmholtz::testing::run_shell;
using helmholtz::testing::TempDir;

// Smooth gradients (different per channel) plus seeded noise. std::mt19937's raw output is fixed
// by the standard, so the image is the same everywhere.
std::vector<std::uint8_t> test_image(int width, int height, int channels,
                                     std::uint32_t seed = 2024) {
  std::mt19937 noise(seed);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const double grain = static_cast<double>(noise() >> 24) / 255.0 - 0.5;
        const double v =
            40.0 + 150.0 * x / width + 50.0 * std::sin(0.25 * y + 1.3 * c) + 25.0 * grain;
        pixels[(static_cast<std::size_t>(y) * width + x) * channels + c] =
            static_cast<std::uint8_t>(std::lround(std::fmin(255.0, std::fmax(0.0, v))));
      }
    }
  }
  return pixels;
}

// The two images of these tests: 32x32 RGB and 28x28 gray.
struct Case {
  int width, height, channels;
};
constexpr Case kRgb{32, 32, 3};
constexpr Case kGray{28, 28, 1};

std::vector<std::uint8_t> decode(const std::vector<std::uint8_t>& jxl, const Case& c) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(c.width) * c.height * c.channels);
  decode_jxl(jxl.data(), jxl.size(), out.data(), c.width, c.height, c.channels);
  return out;
}

void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  const std::string text = helmholtz::testing::read_text(path);
  return {text.begin(), text.end()};
}

bool have_cjxl() { return run_shell("cjxl --version").exit_code == 0; }

// Writes the image as a PNG (encode_png: no colour chunks, as cjxl sees a plain 8-bit PNG) and
// runs `cjxl in.png out.jxl -q Q -e 7 [extra]`; returns its stderr+stdout, the file in `out`.
std::string run_cjxl(const TempDir& dir, const std::vector<std::uint8_t>& pixels, const Case& c,
                     int quality, const std::string& extra, std::vector<std::uint8_t>* out) {
  const auto png = encode_png(pixels.data(), c.width, c.height, c.channels);
  write_file(dir.path() / "in.png", png);
  const auto jxl = dir.path() / "cjxl.jxl";
  std::filesystem::remove(jxl);
  const auto result = run_shell("cjxl " + quoted(dir.path() / "in.png") + " " + quoted(jxl) +
                                " -q " + std::to_string(quality) + " -e 7 " + extra);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  *out = read_file(jxl);
  return result.output;
}

// --- the quality -> distance mapping -----------------------------------------------------------

// cjxl 0.7 (tools/cjxl_main.cc, SetDistanceFromFlags): linear from 30 up, exponential below.
TEST(Jxl, DistanceIsCjxlsMapping) {
  EXPECT_DOUBLE_EQ(jxl_distance(100), 0.0);
  EXPECT_NEAR(jxl_distance(99), 0.19, 1e-12);
  EXPECT_NEAR(jxl_distance(90), 1.0, 1e-12);  // cjxl's default distance
  EXPECT_NEAR(jxl_distance(30), 6.4, 1e-12);
  EXPECT_NEAR(jxl_distance(29), 6.4 + std::pow(2.5, 0.2) / 6.25, 1e-12);
  EXPECT_NEAR(jxl_distance(10), 6.4 + 39.0625 / 6.25, 1e-12);  // 2.5^4 = 39.0625: 12.65
  EXPECT_LT(jxl_distance(5), 25.0);                            // libjxl's largest distance
  EXPECT_GT(jxl_distance(4), 25.0);                            // so cjxl -q 4 fails
  for (int q = 5; q < 99; ++q) EXPECT_GT(jxl_distance(q), jxl_distance(q + 1)) << q;
}

// cjxl prints the distance it encodes at ("Encoding [VarDCT, d12.650, effort: 7]").
TEST(Jxl, DistanceEqualsWhatCjxlPrints) {
  if (!have_cjxl()) GTEST_SKIP() << "cjxl (Debian libjxl-tools) is needed";
  TempDir dir;
  const auto pixels = test_image(16, 16, 3);
  for (const int q : {5, 10, 29, 30, 50, 90, 99}) {
    std::vector<std::uint8_t> jxl;
    const std::string output = run_cjxl(dir, pixels, {16, 16, 3}, q, "", &jxl);
    char expected[64];
    std::snprintf(expected, sizeof(expected), "[VarDCT, d%.3f, effort: 7]", jxl_distance(q));
    EXPECT_NE(output.find(expected), std::string::npos) << "q " << q << ": " << output;
  }
  // And cjxl refuses the qualities we refuse.
  for (const int q : {4, 1}) {
    const auto png = encode_png(pixels.data(), 16, 16, 3);
    write_file(dir.path() / "in.png", png);
    EXPECT_NE(run_shell("cjxl " + quoted(dir.path() / "in.png") + " " +
                        quoted(dir.path() / "x.jxl") + " -q " + std::to_string(q))
                  .exit_code,
              0)
        << "q " << q;
  }
}

// --- round trips -------------------------------------------------------------------------------

void expect_monotone(const Case& c) {
  const auto pixels = test_image(c.width, c.height, c.channels);
  std::size_t previous_size = 0;
  double previous_psnr = 0.0;
  for (const int q : {10, 30, 50, 75, 90, 99}) {
    const auto jxl = encode_jxl(pixels.data(), c.width, c.height, c.channels, q);
    const auto decoded = decode(jxl, c);
    const double p = psnr(pixels.data(), decoded.data(), pixels.size());
    EXPECT_GT(p, 20.0) << "q " << q;
    EXPECT_GT(jxl.size(), previous_size) << "q " << q;
    EXPECT_GT(p, previous_psnr) << "q " << q;
    previous_size = jxl.size();
    previous_psnr = p;
  }
}

TEST(Jxl, RgbSizeAndPsnrRiseWithQuality) { expect_monotone(kRgb); }
TEST(Jxl, GraySizeAndPsnrRiseWithQuality) { expect_monotone(kGray); }

TEST(Jxl, EncodingIsDeterministic) {
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    EXPECT_EQ(encode_jxl(pixels.data(), c.width, c.height, c.channels, 60),
              encode_jxl(pixels.data(), c.width, c.height, c.channels, 60));
  }
}

// A gray image is coded as a gray JPEG XL (one colour channel), as cjxl codes a gray PNG, and
// decodes to one channel; asking for another channel count is a CodecError.
TEST(Jxl, GrayStaysOneChannel) {
  const auto gray = test_image(kGray.width, kGray.height, 1);
  const auto jxl = encode_jxl(gray.data(), kGray.width, kGray.height, 1, 75);
  EXPECT_EQ(decode(jxl, kGray).size(), gray.size());
  std::vector<std::uint8_t> rgb(gray.size() * 3);
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), rgb.data(), kGray.width, kGray.height, 3),
               core::CodecError);
  const auto color = test_image(kRgb.width, kRgb.height, 3);
  const auto rgb_jxl = encode_jxl(color.data(), kRgb.width, kRgb.height, 3, 75);
  std::vector<std::uint8_t> one(color.size() / 3);
  EXPECT_THROW(decode_jxl(rgb_jxl.data(), rgb_jxl.size(), one.data(), kRgb.width, kRgb.height, 1),
               core::CodecError);
}

TEST(Jxl, OddAndTinySizes) {
  for (const Case& c : {Case{1, 1, 3}, Case{1, 1, 1}, Case{3, 7, 3}, Case{300, 9, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const auto jxl = encode_jxl(pixels.data(), c.width, c.height, c.channels, 90);
    EXPECT_GT(psnr(pixels.data(), decode(jxl, c).data(), pixels.size()), 20.0)
        << c.width << "x" << c.height;
  }
}

// --- payload -----------------------------------------------------------------------------------

// A bare codestream (what we and cjxl write): everything but the 2-byte signature FF 0A.
TEST(JxlPayload, BareCodestreamIsAllButTheSignature) {
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    for (const int q : {5, 30, 75, 99}) {
      const auto jxl = encode_jxl(pixels.data(), c.width, c.height, c.channels, q);
      ASSERT_GE(jxl.size(), 2u);
      EXPECT_EQ(jxl[0], 0xFF);
      EXPECT_EQ(jxl[1], 0x0A);
      const std::size_t payload = jxl_payload_bytes(jxl.data(), jxl.size());
      EXPECT_LT(payload, jxl.size());
      EXPECT_EQ(jxl.size() - payload, 2u) << "q " << q;
    }
  }
}

std::vector<std::uint8_t> box(const char* type, const std::vector<std::uint8_t>& body) {
  const std::uint32_t size = static_cast<std::uint32_t>(body.size() + 8);
  std::vector<std::uint8_t> out = {
      static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
      static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(type[i]));  // the type
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// In a container only the codestream counts: one jxlc box, or jxlp boxes less their 4-byte
// part counters; the signature, ftyp and other boxes are overhead.
TEST(JxlPayload, ContainerCountsOnlyTheCodestreamBoxes) {
  const auto pixels = test_image(kRgb.width, kRgb.height, 3);
  const auto bare = encode_jxl(pixels.data(), kRgb.width, kRgb.height, 3, 75);
  const std::size_t expected = jxl_payload_bytes(bare.data(), bare.size());

  const std::vector<std::uint8_t> signature = {0,   0,   0,    0x0C, 'J',  'X',
                                               'L', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  const auto ftyp = box("ftyp", {'j', 'x', 'l', ' ', 0, 0, 0, 0, 'j', 'x', 'l', ' '});
  std::vector<std::uint8_t> whole = signature;
  whole.insert(whole.end(), ftyp.begin(), ftyp.end());
  const auto exif = box("Exif", std::vector<std::uint8_t>(30, 7));
  whole.insert(whole.end(), exif.begin(), exif.end());
  std::vector<std::uint8_t> split = whole;
  const auto jxlc = box("jxlc", bare);
  whole.insert(whole.end(), jxlc.begin(), jxlc.end());
  EXPECT_EQ(jxl_payload_bytes(whole.data(), whole.size()), expected);
  EXPECT_EQ(decode(whole, kRgb), decode(bare, kRgb));  // libjxl reads it as the same image

  const std::size_t half = bare.size() / 2;
  std::vector<std::uint8_t> first = {0, 0, 0, 0};
  first.insert(first.end(), bare.begin(), bare.begin() + static_cast<std::ptrdiff_t>(half));
  std::vector<std::uint8_t> last = {0x80, 0, 0, 1};  // the last part has the top bit set
  last.insert(last.end(), bare.begin() + static_cast<std::ptrdiff_t>(half), bare.end());
  for (const auto& b : {box("jxlp", first), box("jxlp", last)}) {
    split.insert(split.end(), b.begin(), b.end());
  }
  EXPECT_EQ(jxl_payload_bytes(split.data(), split.size()), expected);
  EXPECT_EQ(decode(split, kRgb), decode(bare, kRgb));

  // A box that claims more than the file, and a container without a codestream.
  std::vector<std::uint8_t> cut(whole.begin(), whole.end() - 5);
  EXPECT_THROW(jxl_payload_bytes(cut.data(), cut.size()), core::CodecError);
  std::vector<std::uint8_t> empty = signature;
  empty.insert(empty.end(), ftyp.begin(), ftyp.end());
  EXPECT_THROW(jxl_payload_bytes(empty.data(), empty.size()), core::CodecError);
}

TEST(JxlPayload, NotJpegXlIsACodecError) {
  const std::vector<std::uint8_t> junk = {0x00, 0x01, 0x02, 0x03, 0x04};
  EXPECT_THROW(jxl_payload_bytes(junk.data(), junk.size()), core::CodecError);
  const std::vector<std::uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE0};
  EXPECT_THROW(jxl_payload_bytes(jpeg.data(), jpeg.size()), core::CodecError);
  const std::vector<std::uint8_t> signature_only = {0xFF, 0x0A};
  EXPECT_THROW(jxl_payload_bytes(signature_only.data(), 2), core::CodecError);
  EXPECT_THROW(jxl_payload_bytes(nullptr, 0), core::CodecError);
}

// --- errors ------------------------------------------------------------------------------------

TEST(Jxl, BadArgumentsAreUsageErrors) {
  const auto pixels = test_image(8, 8, 3);
  EXPECT_THROW(encode_jxl(pixels.data(), 8, 8, 3, 4), core::UsageError);
  EXPECT_THROW(encode_jxl(pixels.data(), 8, 8, 3, 100), core::UsageError);  // lossless
  EXPECT_THROW(encode_jxl(pixels.data(), 8, 8, 3, -1), core::UsageError);
  EXPECT_THROW(encode_jxl(pixels.data(), 8, 8, 2, 50), core::UsageError);
  EXPECT_THROW(encode_jxl(pixels.data(), 8, 8, 4, 50), core::UsageError);
  EXPECT_THROW(encode_jxl(pixels.data(), 0, 8, 3, 50), core::UsageError);
  EXPECT_THROW(encode_jxl(pixels.data(), 8, -1, 3, 50), core::UsageError);
  EXPECT_THROW(encode_jxl(nullptr, 8, 8, 3, 50), core::UsageError);
  EXPECT_NO_THROW(encode_jxl(pixels.data(), 8, 8, 3, 5));
  EXPECT_NO_THROW(encode_jxl(pixels.data(), 8, 8, 3, 99));

  const auto jxl = encode_jxl(pixels.data(), 8, 8, 3, 50);
  std::vector<std::uint8_t> out(pixels.size());
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), out.data(), 8, 8, 2), core::UsageError);
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), out.data(), 0, 8, 3), core::UsageError);
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), nullptr, 8, 8, 3), core::UsageError);
}

TEST(Jxl, CorruptTruncatedAndMisfitDataAreCodecErrors) {
  const Case c = kRgb;
  const auto pixels = test_image(c.width, c.height, c.channels);
  const auto jxl = encode_jxl(pixels.data(), c.width, c.height, c.channels, 75);
  std::vector<std::uint8_t> out(pixels.size());
  const auto try_decode = [&](const std::vector<std::uint8_t>& bytes) {
    decode_jxl(bytes.data(), bytes.size(), out.data(), c.width, c.height, c.channels);
  };

  EXPECT_THROW(try_decode(std::vector<std::uint8_t>(200, 0x42)), core::CodecError);
  EXPECT_THROW(decode_jxl(jxl.data(), 0, out.data(), c.width, c.height, 3), core::CodecError);

  // Truncated anywhere: libjxl wants more input after we closed it.
  for (std::size_t cut = 1; cut < jxl.size(); cut += 7) {
    EXPECT_THROW(try_decode({jxl.begin(), jxl.begin() + static_cast<std::ptrdiff_t>(cut)}),
                 core::CodecError)
        << "cut at " << cut;
  }
  EXPECT_THROW(try_decode({jxl.begin(), jxl.end() - 1}), core::CodecError);

  // A flipped byte in the middle (in the entropy-coded groups): libjxl's ANS checksum fails.
  std::vector<std::uint8_t> flipped = jxl;
  flipped[flipped.size() / 2] ^= 0xFF;
  EXPECT_THROW(try_decode(flipped), core::CodecError);
  // Any single flipped byte: a CodecError or (rarely, in header fields such as colour bits) a
  // different image, never a crash or another exception.
  int refused = 0;
  for (std::size_t i = 0; i < jxl.size(); ++i) {
    std::vector<std::uint8_t> bad = jxl;
    bad[i] ^= 0xFF;
    try {
      try_decode(bad);
    } catch (const core::CodecError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, static_cast<int>(jxl.size()) * 9 / 10);  // measured: 151 of 161

  // Dimensions other than asked.
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), out.data(), c.width / 2, c.height, 3),
               core::CodecError);
  EXPECT_THROW(decode_jxl(jxl.data(), jxl.size(), out.data(), c.width, c.height + 1, 3),
               core::CodecError);
  // The data is still fine.
  EXPECT_NO_THROW(try_decode(jxl));
}

TEST(Jxl, Version) {
  EXPECT_TRUE(std::regex_match(jxl_version(), std::regex("libjxl [0-9]+\\.[0-9]+\\.[0-9]+")))
      << jxl_version();
  if (!have_cjxl()) return;
  // "cjxl v0.7.0 [AVX2,...]": the tool and the library we link are the same release.
  const std::string tool = run_shell("cjxl --version").output;
  EXPECT_NE(tool.find("cjxl v" + jxl_version().substr(7) + " "), std::string::npos) << tool;
}

// --- cjxl equality -----------------------------------------------------------------------------

// Our encoder and `cjxl in.png out.jxl -q Q -e 7` write the same bytes (measured for libjxl 0.7.0
// at every quality below, RGB and gray), so they also decode to the same pixels.
TEST(Jxl, BytesEqualCjxl) {
  if (!have_cjxl()) GTEST_SKIP() << "cjxl (Debian libjxl-tools) is needed";
  TempDir dir;
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    for (const int q : {5, 10, 30, 50, 75, 90, 99}) {
      const std::string label =
          std::to_string(c.channels) + " channels, quality " + std::to_string(q);
      const auto ours = encode_jxl(pixels.data(), c.width, c.height, c.channels, q);
      std::vector<std::uint8_t> theirs;
      run_cjxl(dir, pixels, c, q, "--quiet", &theirs);
      ASSERT_FALSE(theirs.empty()) << label;
      EXPECT_EQ(ours.size(), theirs.size()) << label;
      EXPECT_TRUE(ours == theirs) << label << ": bytes differ from cjxl's";
      EXPECT_TRUE(decode(ours, c) == decode(theirs, c)) << label;
    }
  }
}

// cjxl --container=1 wraps the same codestream in a container: the same payload, 40 bytes more
// (12-byte signature box, 20-byte ftyp, 8-byte jxlc box header).
TEST(Jxl, CjxlContainerHasTheSamePayload) {
  if (!have_cjxl()) GTEST_SKIP() << "cjxl (Debian libjxl-tools) is needed";
  TempDir dir;
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    for (const int q : {10, 75}) {
      const auto ours = encode_jxl(pixels.data(), c.width, c.height, c.channels, q);
      std::vector<std::uint8_t> boxed;
      run_cjxl(dir, pixels, c, q, "--quiet --container=1", &boxed);
      ASSERT_GT(boxed.size(), 12u);
      EXPECT_EQ(boxed[4], 'J');
      EXPECT_EQ(jxl_payload_bytes(boxed.data(), boxed.size()),
                jxl_payload_bytes(ours.data(), ours.size()));
      EXPECT_EQ(boxed.size(), ours.size() + 40);
      EXPECT_TRUE(decode(boxed, c) == decode(ours, c));
    }
  }
}

}  // namespace
}  // namespace helmholtz::codec

#endif  // HELMHOLTZ_WITH_JXL
