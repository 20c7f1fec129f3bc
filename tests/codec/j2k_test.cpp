#ifdef HELMHOLTZ_WITH_J2K

#include "helmholtz/codec/j2k.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
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

using helmholtz::testing::kSystemPython;
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

// The two images of these tests: 32x32 RGB (6 resolutions) and 28x28 gray (5).
struct Case {
  int width, height, channels;
};
constexpr Case kRgb{32, 32, 3};
constexpr Case kGray{28, 28, 1};

std::vector<std::uint8_t> decode(const std::vector<std::uint8_t>& j2k, const Case& c) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(c.width) * c.height * c.channels);
  decode_j2k(j2k.data(), j2k.size(), out.data(), c.width, c.height, c.channels);
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

// The raster of a binary PGM/PPM (P5/P6, maxval 255) as opj_decompress writes it, which puts a
// "#OpenJPEG-2.5.0" comment line in the header.
std::vector<std::uint8_t> read_pnm_raster(const std::filesystem::path& path) {
  const std::vector<std::uint8_t> file = read_file(path);
  std::size_t pos = 2;
  for (int fields = 0; fields < 3; ++fields) {  // width, height, maxval
    while (pos < file.size() && (std::isspace(file[pos]) || file[pos] == '#')) {
      if (file[pos] == '#') {
        while (pos < file.size() && file[pos] != '\n') ++pos;
      } else {
        ++pos;
      }
    }
    while (pos < file.size() && std::isdigit(file[pos])) ++pos;
  }
  ++pos;  // the one whitespace byte before the raster
  if (pos > file.size()) return {};
  return {file.begin() + static_cast<std::ptrdiff_t>(pos), file.end()};
}

bool have_opj_tools() {
  return run_shell("opj_compress -h").output.find("opj_compress") != std::string::npos &&
         run_shell("opj_decompress -h").output.find("opj_decompress") != std::string::npos;
}

// Writes the image as a PNG and runs `opj_compress -i in.png -o out.j2k -q PSNR -n N`; returns
// the exit code, the file in `out`.
int run_opj_compress(const TempDir& dir, const std::vector<std::uint8_t>& pixels, const Case& c,
                     int psnr_db, int resolutions, std::vector<std::uint8_t>* out) {
  write_file(dir.path() / "in.png", encode_png(pixels.data(), c.width, c.height, c.channels));
  const auto j2k = dir.path() / "opj.j2k";
  std::filesystem::remove(j2k);
  const auto result =
      run_shell("opj_compress -i " + quoted(dir.path() / "in.png") + " -o " + quoted(j2k) + " -q " +
                std::to_string(psnr_db) + " -n " + std::to_string(resolutions));
  if (out != nullptr) *out = read_file(j2k);
  return result.exit_code;
}

// The main header's marker segments up to the first SOT, by marker: offset of the marker.
std::size_t find_segment(const std::vector<std::uint8_t>& j2k, std::uint8_t marker) {
  std::size_t pos = 2;
  while (pos + 4 <= j2k.size() && j2k[pos] == 0xFF && j2k[pos + 1] != 0x90) {
    if (j2k[pos + 1] == marker) return pos;
    pos += 2 + ((std::size_t{j2k[pos + 2]} << 8) | j2k[pos + 3]);
  }
  return 0;
}

// --- resolutions -------------------------------------------------------------------------------

TEST(J2k, ResolutionsFollowTheSmallerSide) {
  EXPECT_EQ(j2k_resolutions(32, 32), 6);     // 32 >> 5 = 1
  EXPECT_EQ(j2k_resolutions(1000, 500), 6);  // at most opj_compress's default
  EXPECT_EQ(j2k_resolutions(28, 28), 5);     // 28 >> 4 = 1, 28 >> 5 = 0
  EXPECT_EQ(j2k_resolutions(31, 64), 5);
  EXPECT_EQ(j2k_resolutions(7, 40), 3);
  EXPECT_EQ(j2k_resolutions(2, 2), 2);
  EXPECT_EQ(j2k_resolutions(1, 1), 1);
  EXPECT_THROW(j2k_resolutions(0, 5), core::UsageError);
  EXPECT_THROW(j2k_resolutions(5, -1), core::UsageError);
}

// OpenJPEG refuses one resolution more than j2k_resolutions gives ("Number of resolutions is too
// high in comparison to the size of tiles"), and takes that many: it is the largest that works.
TEST(J2k, ResolutionsAreTheMostOpenJpegTakes) {
  if (!have_opj_tools()) GTEST_SKIP() << "opj_compress (Debian libopenjp2-tools) is needed";
  TempDir dir;
  for (const Case& c : {kGray, Case{7, 40, 1}, Case{16, 16, 3}, Case{2, 3, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const int n = j2k_resolutions(c.width, c.height);
    const std::string label = std::to_string(c.width) + "x" + std::to_string(c.height);
    EXPECT_EQ(run_opj_compress(dir, pixels, c, 30, n, nullptr), 0) << label << ", -n " << n;
    EXPECT_NE(run_opj_compress(dir, pixels, c, 30, n + 1, nullptr), 0) << label << ", -n " << n + 1;
  }
  EXPECT_NE(run_opj_compress(dir, test_image(28, 28, 1), kGray, 30, 6, nullptr), 0);
}

// --- round trips -------------------------------------------------------------------------------

void expect_monotone(const Case& c) {
  const auto pixels = test_image(c.width, c.height, c.channels);
  std::size_t previous_size = 0;
  double previous_psnr = 0.0;
  for (const int target : {20, 25, 30, 35, 40, 45, 50}) {
    const auto j2k = encode_j2k(pixels.data(), c.width, c.height, c.channels, target);
    const auto decoded = decode(j2k, c);
    const double p = psnr(pixels.data(), decoded.data(), pixels.size());
    EXPECT_GT(j2k.size(), previous_size) << target << " dB";
    EXPECT_GT(p, previous_psnr) << target << " dB";
    // OpenJPEG estimates the distortion of each coding pass in the wavelet domain, so the PSNR
    // it stops at is near the target, not at or above it (measured: 30 -> 30.95 and 50 -> 47.53
    // for RGB, 30 -> 30.53 and 50 -> 47.36 for gray).
    if (target >= 30) {
      EXPECT_NEAR(p, target, 3.0) << target << " dB";
    }
    previous_size = j2k.size();
    previous_psnr = p;
  }
}

TEST(J2k, RgbSizeAndPsnrRiseWithTheTarget) { expect_monotone(kRgb); }
TEST(J2k, GraySizeAndPsnrRiseWithTheTarget) { expect_monotone(kGray); }

TEST(J2k, EncodingIsDeterministic) {
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    EXPECT_EQ(encode_j2k(pixels.data(), c.width, c.height, c.channels, 35),
              encode_j2k(pixels.data(), c.width, c.height, c.channels, 35));
  }
}

// Sizes down to one pixel code and decode; the PSNR estimate is rough on so few samples
// (measured at 45 dB: 1x1 RGB 26.9 dB, 1x1 gray exact, 3x7 RGB 44.6, 300x9 gray 44.2).
TEST(J2k, OddAndTinySizes) {
  for (const Case& c : {Case{1, 1, 3}, Case{1, 1, 1}, Case{3, 7, 3}, Case{300, 9, 1}}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const auto j2k = encode_j2k(pixels.data(), c.width, c.height, c.channels, 45);
    EXPECT_GT(psnr(pixels.data(), decode(j2k, c).data(), pixels.size()), 20.0)
        << c.width << "x" << c.height;
  }
}

// The codestream says what we set: one layer, the 5/3 wavelet, 64x64 blocks, LRCP, no SOP/EPH,
// the colour transform for RGB only.
TEST(J2k, CodingStyleIsOpjCompresssDefault) {
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const auto j2k = encode_j2k(pixels.data(), c.width, c.height, c.channels, 35);
    const std::size_t cod = find_segment(j2k, 0x52);
    ASSERT_GT(cod, 0u);
    EXPECT_EQ(j2k[cod + 4], 0x00);                     // Scod: default precincts, no SOP, no EPH
    EXPECT_EQ(j2k[cod + 5], 0x00);                     // LRCP
    EXPECT_EQ((j2k[cod + 6] << 8) | j2k[cod + 7], 1);  // one quality layer
    EXPECT_EQ(j2k[cod + 8], c.channels == 3 ? 1 : 0);  // multiple component transform
    EXPECT_EQ(j2k[cod + 9], j2k_resolutions(c.width, c.height) - 1);  // decompositions
    EXPECT_EQ(j2k[cod + 10], 4);     // code block width 2^(4+2) = 64
    EXPECT_EQ(j2k[cod + 11], 4);     // and height
    EXPECT_EQ(j2k[cod + 12], 0x00);  // no mode switches
    EXPECT_EQ(j2k[cod + 13], 1);     // the reversible 5/3 wavelet
  }
}

// --- payload -----------------------------------------------------------------------------------

// From the first SOT to before EOC: for one tile in one tile-part that is the tile-part's length
// Psot, which its SOT segment states; the main header in front is the same at every target.
TEST(J2kPayload, IsTheTilePartAndTheHeaderIsTheSameAtEveryTarget) {
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    std::size_t header = 0;
    for (const int target : {1, 20, 30, 40, 50, 100}) {
      const auto j2k = encode_j2k(pixels.data(), c.width, c.height, c.channels, target);
      const std::size_t payload = j2k_payload_bytes(j2k.data(), j2k.size());
      EXPECT_LT(payload, j2k.size());
      const std::size_t sot = j2k.size() - 2 - payload;
      ASSERT_EQ(j2k[sot], 0xFF);
      ASSERT_EQ(j2k[sot + 1], 0x90);
      const std::size_t psot = (std::size_t{j2k[sot + 6]} << 24) |
                               (std::size_t{j2k[sot + 7]} << 16) |
                               (std::size_t{j2k[sot + 8]} << 8) | j2k[sot + 9];
      EXPECT_EQ(payload, psot) << target << " dB";
      if (header == 0) header = j2k.size() - payload;
      // Measured: 127 bytes for RGB, 118 for gray (SOC, SIZ, COD, QCD, COM, EOC).
      EXPECT_EQ(j2k.size() - payload, header) << c.channels << " channels, " << target << " dB";
    }
  }
}

TEST(J2kPayload, NotJ2kIsACodecError) {
  const auto pixels = test_image(kRgb.width, kRgb.height, 3);
  const auto j2k = encode_j2k(pixels.data(), kRgb.width, kRgb.height, 3, 30);
  const std::vector<std::uint8_t> junk = {0x00, 0x01, 0x02, 0x03, 0x04};
  EXPECT_THROW(j2k_payload_bytes(junk.data(), junk.size()), core::CodecError);
  const std::vector<std::uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10};
  EXPECT_THROW(j2k_payload_bytes(jpeg.data(), jpeg.size()), core::CodecError);
  EXPECT_THROW(j2k_payload_bytes(nullptr, 0), core::CodecError);
  // A JP2 file (a box, not a codestream) is not what this codec writes either.
  const std::vector<std::uint8_t> jp2 = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  EXPECT_THROW(j2k_payload_bytes(jp2.data(), jp2.size()), core::CodecError);
  // Cut inside the main header, and without the final EOC.
  EXPECT_THROW(j2k_payload_bytes(j2k.data(), 40), core::CodecError);
  EXPECT_THROW(j2k_payload_bytes(j2k.data(), j2k.size() - 1), core::CodecError);
  // A segment length that runs past the end.
  std::vector<std::uint8_t> bad = j2k;
  bad[4] = 0xFF;  // SIZ's length
  EXPECT_THROW(j2k_payload_bytes(bad.data(), bad.size()), core::CodecError);
}

// --- errors ------------------------------------------------------------------------------------

TEST(J2k, BadArgumentsAreUsageErrors) {
  const auto pixels = test_image(8, 8, 3);
  EXPECT_THROW(encode_j2k(pixels.data(), 8, 8, 3, 0), core::UsageError);
  EXPECT_THROW(encode_j2k(pixels.data(), 8, 8, 3, 101), core::UsageError);
  EXPECT_THROW(encode_j2k(pixels.data(), 8, 8, 2, 30), core::UsageError);
  EXPECT_THROW(encode_j2k(pixels.data(), 8, 8, 4, 30), core::UsageError);
  EXPECT_THROW(encode_j2k(pixels.data(), 0, 8, 3, 30), core::UsageError);
  EXPECT_THROW(encode_j2k(pixels.data(), 8, -2, 3, 30), core::UsageError);
  EXPECT_THROW(encode_j2k(nullptr, 8, 8, 3, 30), core::UsageError);
  EXPECT_NO_THROW(encode_j2k(pixels.data(), 8, 8, 3, 1));
  EXPECT_NO_THROW(encode_j2k(pixels.data(), 8, 8, 3, 100));

  const auto j2k = encode_j2k(pixels.data(), 8, 8, 3, 30);
  std::vector<std::uint8_t> out(pixels.size());
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), out.data(), 8, 8, 2), core::UsageError);
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), out.data(), 8, 0, 3), core::UsageError);
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), nullptr, 8, 8, 3), core::UsageError);
}

TEST(J2k, CorruptTruncatedAndMisfitDataAreCodecErrors) {
  const Case c = kRgb;
  const auto pixels = test_image(c.width, c.height, c.channels);
  const auto j2k = encode_j2k(pixels.data(), c.width, c.height, c.channels, 35);
  const auto good = decode(j2k, c);
  std::vector<std::uint8_t> out(pixels.size());
  const auto try_decode = [&](const std::vector<std::uint8_t>& bytes) {
    decode_j2k(bytes.data(), bytes.size(), out.data(), c.width, c.height, c.channels);
  };

  EXPECT_THROW(try_decode(std::vector<std::uint8_t>(200, 0x42)), core::CodecError);
  EXPECT_THROW(decode_j2k(j2k.data(), 0, out.data(), c.width, c.height, 3), core::CodecError);

  // Cut at any length: in strict mode OpenJPEG refuses a partial codestream.
  for (std::size_t cut = 1; cut < j2k.size(); ++cut) {
    EXPECT_THROW(try_decode({j2k.begin(), j2k.begin() + static_cast<std::ptrdiff_t>(cut)}),
                 core::CodecError)
        << "cut at " << cut;
  }

  // A flipped byte in the main header's image size, or in the SOT marker segment: refused.
  const std::size_t sot = j2k.size() - 2 - j2k_payload_bytes(j2k.data(), j2k.size());
  for (const std::size_t at : {std::size_t{8}, std::size_t{11}, sot, sot + 1, sot + 6}) {
    std::vector<std::uint8_t> bad = j2k;
    bad[at] ^= 0xFF;
    EXPECT_THROW(try_decode(bad), core::CodecError) << "flip at " << at;
  }
  // A flipped byte in the middle, inside the code-block data: a J2K codestream has no checksum
  // there, and the MQ decoder turns any bytes into coefficients, so OpenJPEG mostly decodes
  // other pixels (measured: 86 of 986 single-byte flips refused, in headers). What must hold:
  // a CodecError or an image, never a crash or another exception.
  for (std::size_t i = 0; i < j2k.size(); ++i) {
    std::vector<std::uint8_t> bad = j2k;
    bad[i] ^= 0xFF;
    try {
      try_decode(bad);
    } catch (const core::CodecError&) {
    }
  }
  std::vector<std::uint8_t> middle = j2k;
  middle[middle.size() / 2] ^= 0xFF;
  try {
    try_decode(middle);
    EXPECT_NE(out, good) << "a flip in the code-block data changed nothing";
  } catch (const core::CodecError&) {
  }

  // Dimensions or channels other than asked.
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), out.data(), c.width / 2, c.height, 3),
               core::CodecError);
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), out.data(), c.width, c.height + 1, 3),
               core::CodecError);
  EXPECT_THROW(decode_j2k(j2k.data(), j2k.size(), out.data(), c.width, c.height, 1),
               core::CodecError);
  EXPECT_NO_THROW(try_decode(j2k));
  EXPECT_EQ(out, good);
}

TEST(J2k, Version) {
  EXPECT_TRUE(std::regex_match(j2k_version(), std::regex("OpenJPEG [0-9]+\\.[0-9]+\\.[0-9]+")))
      << j2k_version();
  if (!have_opj_tools()) return;
  // "It has been compiled against openjp2 library v2.5.0."
  const std::string tool = run_shell("opj_compress -h").output;
  EXPECT_NE(tool.find("openjp2 library v" + j2k_version().substr(9) + "."), std::string::npos);
}

// --- opj_compress equality ---------------------------------------------------------------------

// Our encoder and `opj_compress -i in.png -o out.j2k -q PSNR -n N` write the same bytes
// (measured for OpenJPEG 2.5.0 at every target below, RGB and gray); opj_decompress and our
// decoder read them to the same pixels.
TEST(J2k, BytesEqualOpjCompress) {
  if (!have_opj_tools()) GTEST_SKIP() << "opj_compress (Debian libopenjp2-tools) is needed";
  TempDir dir;
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    const int n = j2k_resolutions(c.width, c.height);
    for (const int target : {1, 10, 20, 25, 30, 35, 40, 50, 60, 100}) {
      const std::string label =
          std::to_string(c.channels) + " channels, " + std::to_string(target) + " dB";
      const auto ours = encode_j2k(pixels.data(), c.width, c.height, c.channels, target);
      std::vector<std::uint8_t> theirs;
      ASSERT_EQ(run_opj_compress(dir, pixels, c, target, n, &theirs), 0) << label;
      EXPECT_EQ(ours.size(), theirs.size()) << label;
      EXPECT_TRUE(ours == theirs) << label << ": bytes differ from opj_compress's";
      const auto decoded = decode(ours, c);
      EXPECT_TRUE(decoded == decode(theirs, c)) << label;

      const auto pnm = dir.path() / (c.channels == 3 ? "out.ppm" : "out.pgm");
      ASSERT_EQ(
          run_shell("opj_decompress -i " + quoted(dir.path() / "opj.j2k") + " -o " + quoted(pnm))
              .exit_code,
          0)
          << label;
      EXPECT_TRUE(read_pnm_raster(pnm) == decoded) << label << ": opj_decompress differs";
    }
  }
}

// --- Pillow ------------------------------------------------------------------------------------

// Saves raw pixels with Pillow's JPEG 2000 plugin as a bare codestream (no_jp2=True) at one dB
// layer and N resolutions, `mct` given or left to Pillow; writes Pillow's decode of our file.
// argv: raw in, mode, width, height, dB, resolutions, mct (0/1/default), j2k out, ours in, raw out
constexpr const char* kPillowScript = R"PY(
import io, sys
from PIL import Image
raw, mode, w, h, db, n, mct, out, ours, dec_out = sys.argv[1:11]
im = Image.frombytes(mode, (int(w), int(h)), open(raw, "rb").read())
kwargs = {} if mct == "default" else {"mct": int(mct)}
buf = io.BytesIO()
im.save(buf, format="JPEG2000", no_jp2=True, quality_mode="dB", quality_layers=[float(db)],
        num_resolutions=int(n), **kwargs)
open(out, "wb").write(buf.getvalue())
open(dec_out, "wb").write(Image.open(ours).convert(mode).tobytes())
)PY";

bool pillow_has_jpeg2000() {
  return run_shell(std::string(kSystemPython) +
                   " -c 'from PIL import features; import sys; "
                   "sys.exit(0 if features.check(\"jpg_2000\") else 1)'")
             .exit_code == 0;
}

// Pillow (9.4, on the same OpenJPEG) writes our bytes when asked for the colour transform
// (mct=1); its default is mct=0, which is the same for gray and differs for RGB in exactly that
// flag (and so in all the data). Pillow also decodes our files to our pixels.
TEST(J2k, PillowWithMctWritesOurBytes) {
  if (!pillow_has_jpeg2000()) {
    GTEST_SKIP() << kSystemPython << " with PIL and OpenJPEG (python3-pil) is needed";
  }
  TempDir dir;
  std::ofstream(dir.path() / "pillow.py") << kPillowScript;
  for (const Case& c : {kRgb, kGray}) {
    const auto pixels = test_image(c.width, c.height, c.channels);
    write_file(dir.path() / "in.raw", pixels);
    const int n = j2k_resolutions(c.width, c.height);
    for (const int target : {20, 30, 40, 50}) {
      const auto ours = encode_j2k(pixels.data(), c.width, c.height, c.channels, target);
      write_file(dir.path() / "ours.j2k", ours);
      const auto pillow = [&](const std::string& mct) {
        const auto result =
            run_shell(std::string(kSystemPython) + " " + quoted(dir.path() / "pillow.py") + " " +
                      quoted(dir.path() / "in.raw") + " " + (c.channels == 3 ? "RGB" : "L") + " " +
                      std::to_string(c.width) + " " + std::to_string(c.height) + " " +
                      std::to_string(target) + " " + std::to_string(n) + " " + mct + " " +
                      quoted(dir.path() / "pil.j2k") + " " + quoted(dir.path() / "ours.j2k") + " " +
                      quoted(dir.path() / "pil.raw"));
        EXPECT_EQ(result.exit_code, 0) << result.output;
        return read_file(dir.path() / "pil.j2k");
      };
      const std::string label =
          std::to_string(c.channels) + " channels, " + std::to_string(target) + " dB";
      EXPECT_TRUE(pillow("1") == ours) << label << ": Pillow mct=1 differs";
      EXPECT_TRUE(read_file(dir.path() / "pil.raw") == decode(ours, c)) << label;
      const auto by_default = pillow("default");
      if (c.channels == 1) {
        EXPECT_TRUE(by_default == ours) << label;
      } else {
        const std::size_t cod = find_segment(by_default, 0x52);
        ASSERT_GT(cod, 0u) << label;
        EXPECT_EQ(by_default[cod + 8], 0) << label << ": Pillow's default has no MCT";
        EXPECT_EQ(ours[find_segment(ours, 0x52) + 8], 1) << label;
      }
    }
  }
}

}  // namespace
}  // namespace helmholtz::codec

#endif  // HELMHOLTZ_WITH_J2K
