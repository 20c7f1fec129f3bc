#include "helmholtz/codec/jpeg.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

// A "natural-ish" image: smooth shading, a few soft sinusoids, a hard-edged disc and a
// deterministic pseudo-random texture, so every JPEG quality loses something different.
std::vector<std::uint8_t> natural_image(int width, int height, int channels) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * channels);
  std::uint32_t state = 12345;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool in_disc = (x - width / 3) * (x - width / 3) + (y - height / 2) * (y - height / 2) <
                           (height / 4) * (height / 4);
      for (int c = 0; c < channels; ++c) {
        state = state * 1664525u + 1013904223u;
        const double texture = static_cast<double>(state >> 24) / 255.0 - 0.5;
        double v = 60.0 + 120.0 * x / width + 40.0 * std::sin(0.21 * y + 0.9 * c) +
                   25.0 * std::cos(0.13 * (x + y) * (c + 1)) + 18.0 * texture;
        if (in_disc) v = 230.0 - 70.0 * c;
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

RoundTrip round_trip(const std::vector<std::uint8_t>& pixels, int width, int height, int channels,
                     int quality, Subsampling subsampling = Subsampling::k420) {
  JpegEncoder encoder;
  JpegDecoder decoder;
  const std::vector<std::uint8_t> jpeg =
      encoder.encode(pixels.data(), width, height, channels, quality, subsampling);
  const JpegDecoder::Header header = decoder.read_header(jpeg.data(), jpeg.size());
  EXPECT_EQ(header.width, width);
  EXPECT_EQ(header.height, height);
  std::vector<std::uint8_t> decoded(pixels.size());
  decoder.decode(jpeg.data(), jpeg.size(), decoded.data(), width, height, channels);
  return {jpeg.size(), psnr(pixels.data(), decoded.data(), pixels.size())};
}

void expect_monotone(int channels) {
  const int w = 48, h = 40;
  const auto pixels = natural_image(w, h, channels);
  RoundTrip previous{};
  bool first = true;
  for (const int q : {95, 50, 10, 1}) {
    const RoundTrip rt = round_trip(pixels, w, h, channels, q);
    EXPECT_TRUE(std::isfinite(rt.psnr)) << "quality " << q;
    EXPECT_GT(rt.psnr, 10.0) << "quality " << q;
    if (!first) {
      EXPECT_LT(rt.bytes, previous.bytes) << "quality " << q;
      EXPECT_LT(rt.psnr, previous.psnr) << "quality " << q;
    }
    previous = rt;
    first = false;
  }
}

TEST(Jpeg, RgbRoundTripLosesMoreAsQualityFalls) { expect_monotone(3); }

TEST(Jpeg, GrayRoundTripLosesMoreAsQualityFalls) { expect_monotone(1); }

TEST(Jpeg, HighQualityIsClose) {
  const auto pixels = natural_image(32, 32, 3);
  EXPECT_GT(round_trip(pixels, 32, 32, 3, 95, Subsampling::k444).psnr, 35.0);
}

TEST(Jpeg, Subsampling444IsLargerThan420) {
  const auto pixels = natural_image(48, 40, 3);
  for (const int q : {10, 50, 95}) {
    const RoundTrip s420 = round_trip(pixels, 48, 40, 3, q, Subsampling::k420);
    const RoundTrip s444 = round_trip(pixels, 48, 40, 3, q, Subsampling::k444);
    EXPECT_GT(s444.bytes, s420.bytes) << "quality " << q;
    EXPECT_GT(s444.psnr, s420.psnr) << "quality " << q;
  }
}

TEST(Jpeg, EncodingIsDeterministic) {
  const auto pixels = natural_image(32, 32, 3);
  JpegEncoder a;
  JpegEncoder b;
  EXPECT_EQ(a.encode(pixels.data(), 32, 32, 3, 30), b.encode(pixels.data(), 32, 32, 3, 30));
}

TEST(Jpeg, DecoderConvertsBetweenGrayAndRgb) {
  const auto rgb = natural_image(16, 16, 3);
  JpegEncoder encoder;
  JpegDecoder decoder;
  const auto jpeg = encoder.encode(rgb.data(), 16, 16, 3, 90);
  std::vector<std::uint8_t> gray(16 * 16);
  EXPECT_NO_THROW(decoder.decode(jpeg.data(), jpeg.size(), gray.data(), 16, 16, 1));
}

TEST(Jpeg, MovedHandlesStillWork) {
  const auto pixels = natural_image(16, 16, 1);
  JpegEncoder first;
  JpegEncoder second(std::move(first));
  JpegEncoder third;
  third = std::move(second);
  EXPECT_FALSE(third.encode(pixels.data(), 16, 16, 1, 50).empty());
}

TEST(Jpeg, BadQualityIsAUsageError) {
  const auto pixels = natural_image(8, 8, 3);
  JpegEncoder encoder;
  EXPECT_THROW(encoder.encode(pixels.data(), 8, 8, 3, 0), core::UsageError);
  EXPECT_THROW(encoder.encode(pixels.data(), 8, 8, 3, 101), core::UsageError);
  EXPECT_THROW(encoder.encode(pixels.data(), 8, 8, 2, 50), core::UsageError);
  EXPECT_THROW(encoder.encode(pixels.data(), 0, 8, 3, 50), core::UsageError);
  EXPECT_NO_THROW(encoder.encode(pixels.data(), 8, 8, 3, 1));
  EXPECT_NO_THROW(encoder.encode(pixels.data(), 8, 8, 3, 100));
}

TEST(Jpeg, ParseSubsampling) {
  EXPECT_EQ(parse_subsampling("420"), Subsampling::k420);
  EXPECT_EQ(parse_subsampling("444"), Subsampling::k444);
  EXPECT_EQ(to_string(Subsampling::k420), "420");
  EXPECT_EQ(to_string(Subsampling::k444), "444");
  EXPECT_THROW(parse_subsampling("422"), core::UsageError);
  EXPECT_THROW(parse_subsampling(""), core::UsageError);
}

TEST(Jpeg, CorruptAndTruncatedDataIsACodecError) {
  const int w = 32, h = 32;
  const auto pixels = natural_image(w, h, 3);
  JpegEncoder encoder;
  JpegDecoder decoder;
  const auto jpeg = encoder.encode(pixels.data(), w, h, 3, 75);
  std::vector<std::uint8_t> out(pixels.size());

  // Not a JPEG at all.
  const std::vector<std::uint8_t> garbage(200, 0x42);
  EXPECT_THROW(decoder.read_header(garbage.data(), garbage.size()), core::CodecError);
  EXPECT_THROW(decoder.decode(garbage.data(), garbage.size(), out.data(), w, h, 3),
               core::CodecError);
  EXPECT_THROW(decoder.decode(jpeg.data(), 0, out.data(), w, h, 3), core::CodecError);

  // Truncated inside the entropy-coded data: the header still reads, libjpeg only warns
  // ("Premature end of JPEG file"), and that warning must count as an error.
  const std::size_t cut = jpeg.size() - 60;
  EXPECT_NO_THROW(decoder.read_header(jpeg.data(), cut));
  try {
    decoder.decode(jpeg.data(), cut, out.data(), w, h, 3);
    ADD_FAILURE() << "truncated JPEG was accepted";
  } catch (const core::CodecError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }

  // Truncated inside the header, twice in a row (libjpeg-turbo 2.1 leaves its handle in a
  // state where the second header read "succeeds" unless the handle is replaced).
  EXPECT_THROW(decoder.read_header(jpeg.data(), 300), core::CodecError);
  EXPECT_THROW(decoder.read_header(jpeg.data(), 300), core::CodecError);
  EXPECT_THROW(decoder.decode(jpeg.data(), 300, out.data(), w, h, 3), core::CodecError);

  // A spurious marker in the scan: libjpeg reports corrupt data.
  std::vector<std::uint8_t> bad_marker = jpeg;
  bad_marker[bad_marker.size() - 40] = 0xFF;
  bad_marker[bad_marker.size() - 39] = 0xD0 + 5;  // RST5 where no restart interval exists
  EXPECT_THROW(decoder.decode(bad_marker.data(), bad_marker.size(), out.data(), w, h, 3),
               core::CodecError);

  // Dimensions other than expected.
  EXPECT_THROW(decoder.decode(jpeg.data(), jpeg.size(), out.data(), w / 2, h, 3), core::CodecError);

  // The decoder stays usable after errors.
  EXPECT_NO_THROW(decoder.decode(jpeg.data(), jpeg.size(), out.data(), w, h, 3));
}

TEST(Jpeg, Psnr) {
  const std::vector<std::uint8_t> a = {10, 20, 30, 40};
  std::vector<std::uint8_t> b = a;
  EXPECT_TRUE(std::isinf(psnr(a.data(), b.data(), a.size())));
  b[0] = 11;  // mse = 1/4
  EXPECT_NEAR(psnr(a.data(), b.data(), a.size()), 10.0 * std::log10(255.0 * 255.0 * 4.0), 1e-9);
}

// The payload: the scan's entropy-coded bytes. Checked against the scan segment found by hand:
// it starts after the SOS header (FF DA and its length) and runs to the EOI at the file's end.
TEST(JpegPayload, IsTheScanSegmentAndTheRestIsTheSameAtEveryQuality) {
  const int w = 32, h = 32;
  for (const int channels : {3, 1}) {
    const auto pixels = natural_image(w, h, channels);
    JpegEncoder encoder;
    std::size_t header = 0;
    for (const int q : {1, 5, 50, 100}) {
      const auto jpeg = encoder.encode(pixels.data(), w, h, channels, q);
      std::size_t sos = 0;
      for (std::size_t i = 2; i + 1 < jpeg.size(); ++i) {
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) {
          sos = i;
          break;
        }
      }
      ASSERT_GT(sos, 0u);
      const std::size_t scan_start = sos + 2 + ((std::size_t{jpeg[sos + 2]} << 8) | jpeg[sos + 3]);
      ASSERT_EQ(jpeg[jpeg.size() - 2], 0xFF);
      ASSERT_EQ(jpeg[jpeg.size() - 1], 0xD9);
      const std::size_t payload = jpeg_payload_bytes(jpeg.data(), jpeg.size());
      EXPECT_EQ(payload, jpeg.size() - 2 - scan_start) << "quality " << q;
      EXPECT_LT(payload, jpeg.size()) << "quality " << q;
      // Headers and tables (8-bit tables: the same length at every quality) are what every
      // file of these settings repeats.
      if (header == 0) header = scan_start + 2;
      EXPECT_EQ(jpeg.size() - payload, header) << "channels " << channels << ", quality " << q;
    }
  }
  const std::vector<std::uint8_t> junk = {0x00, 0x01, 0x02, 0x03};
  EXPECT_THROW(jpeg_payload_bytes(junk.data(), junk.size()), core::CodecError);
  const std::vector<std::uint8_t> cut = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43};
  EXPECT_THROW(jpeg_payload_bytes(cut.data(), cut.size()), core::CodecError);
}

// --- Pillow equality ------------------------------------------------------------------------

constexpr const char* kPython = "/usr/bin/python3";

// Encodes raw pixels with Pillow exactly as the reference did, and writes Pillow's decode of
// its own JPEG. argv: raw in, mode (L/RGB), width, height, quality, subsampling (420/444),
// jpeg out, decoded out.
constexpr const char* kPillowScript = R"PY(
import io, sys
from PIL import Image
raw, mode, w, h, q, sub, jpeg_out, dec_out = sys.argv[1:9]
im = Image.frombytes(mode, (int(w), int(h)), open(raw, "rb").read())
kwargs = {"subsampling": 0} if (mode == "RGB" and sub == "444") else {}
buf = io.BytesIO()
im.save(buf, format="JPEG", quality=int(q), **kwargs)
open(jpeg_out, "wb").write(buf.getvalue())
open(dec_out, "wb").write(Image.open(io.BytesIO(buf.getvalue())).convert(mode).tobytes())
)PY";

bool pillow_available() {
  const std::string command = std::string(kPython) + " -c 'import PIL.Image' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

std::vector<std::uint8_t> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Jpeg, BytesEqualPillow) {
  if (!pillow_available()) {
    GTEST_SKIP() << kPython << " with PIL (Debian python3-pil) is needed to compare with Pillow";
  }
  helmholtz::testing::TempDir dir;
  std::ofstream(dir.path() / "pillow.py") << kPillowScript;
  struct Case {
    int channels;
    Subsampling subsampling;
  };
  // 37x29: dimensions that are not multiples of the MCU exercise the edge padding too.
  const int w = 37, h = 29;
  for (const Case c :
       {Case{3, Subsampling::k420}, Case{3, Subsampling::k444}, Case{1, Subsampling::k420}}) {
    const auto pixels = natural_image(w, h, c.channels);
    {
      std::ofstream raw(dir.path() / "in.raw", std::ios::binary);
      raw.write(reinterpret_cast<const char*>(pixels.data()),
                static_cast<std::streamsize>(pixels.size()));
    }
    for (const int q : {1, 5, 10, 25, 50, 75, 95, 100}) {
      const std::string command =
          std::string(kPython) + " " + (dir.path() / "pillow.py").string() + " " +
          (dir.path() / "in.raw").string() + " " + (c.channels == 1 ? "L" : "RGB") + " " +
          std::to_string(w) + " " + std::to_string(h) + " " + std::to_string(q) + " " +
          to_string(c.subsampling) + " " + (dir.path() / "pil.jpg").string() + " " +
          (dir.path() / "pil.raw").string();
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
      const auto pillow_jpeg = slurp(dir.path() / "pil.jpg");
      const auto pillow_pixels = slurp(dir.path() / "pil.raw");

      JpegEncoder encoder;
      JpegDecoder decoder;
      const auto ours = encoder.encode(pixels.data(), w, h, c.channels, q, c.subsampling);
      std::vector<std::uint8_t> decoded(pixels.size());
      decoder.decode(ours.data(), ours.size(), decoded.data(), w, h, c.channels);

      const std::string label = "channels " + std::to_string(c.channels) + ", subsampling " +
                                to_string(c.subsampling) + ", quality " + std::to_string(q);
      EXPECT_EQ(ours.size(), pillow_jpeg.size()) << label;
      EXPECT_TRUE(ours == pillow_jpeg) << label << ": JPEG bytes differ from Pillow's";
      EXPECT_TRUE(decoded == pillow_pixels) << label << ": decoded pixels differ from Pillow's";
    }
  }
}

}  // namespace
}  // namespace helmholtz::codec
