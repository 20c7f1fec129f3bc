#include "helmholtz/data/compress.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

TEST(Quality, ParsesRawAndOneToHundred) {
  EXPECT_TRUE(Quality::parse("raw").raw);
  EXPECT_EQ(Quality::parse("1").value, 1);
  EXPECT_FALSE(Quality::parse("1").raw);
  EXPECT_EQ(Quality::parse("100").value, 100);
  EXPECT_EQ(Quality::parse("075").value, 75);
  EXPECT_EQ(Quality::parse("raw").to_string(), "raw");
  EXPECT_EQ(Quality::parse("5").to_string(), "5");
  EXPECT_EQ(Quality::parse("raw").folder_name(), "quality_raw");
  EXPECT_EQ(Quality::parse("5").folder_name(), "quality_5");
}

TEST(Quality, RejectsEverythingElse) {
  for (const char* text : {"0", "101", "abc", "5x", "", "-5", "+5", " 5", "5 ", "1000", "RAW",
                           "99999999999999999999"}) {
    EXPECT_THROW(Quality::parse(text), core::UsageError) << "'" << text << "'";
  }
  try {
    Quality::parse("abc");
  } catch (const core::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'abc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("raw"), std::string::npos) << e.what();
  }
}

TEST(CompressImages, RawLeavesPixelsAlone) {
  ImageSet images = make_pattern_images(20, 32, 32, 3, 10, 5);
  const ImageSet original = images;
  const CompressionStats stats =
      compress_images(images, Quality::parse("raw"), codec::Subsampling::k420, 2);
  EXPECT_EQ(stats.images, 20);
  EXPECT_DOUBLE_EQ(stats.mean_bytes, 3072.0);
  EXPECT_DOUBLE_EQ(stats.bits_per_pixel, 24.0);
  EXPECT_FALSE(stats.mean_psnr.has_value());
  EXPECT_TRUE(images.pixels == original.pixels);
}

TEST(CompressImages, LowQualityShrinksAndChangesPixels) {
  ImageSet images = make_pattern_images(40, 32, 32, 3, 10, 5);
  const ImageSet original = images;
  const CompressionStats stats =
      compress_images(images, Quality::parse("10"), codec::Subsampling::k420, 2);
  EXPECT_EQ(stats.images, 40);
  EXPECT_GT(stats.mean_bytes, 100.0);
  EXPECT_LT(stats.mean_bytes, 3072.0 / 3);
  EXPECT_NEAR(stats.bits_per_pixel, stats.mean_bytes * 8.0 / 1024.0, 1e-12);
  ASSERT_TRUE(stats.mean_psnr.has_value());
  EXPECT_TRUE(std::isfinite(*stats.mean_psnr));
  EXPECT_GT(*stats.mean_psnr, 12.0);
  EXPECT_LT(*stats.mean_psnr, 40.0);
  EXPECT_FALSE(images.pixels == original.pixels);
  EXPECT_EQ(images.labels, original.labels);
  EXPECT_EQ(images.pixels.size(), original.pixels.size());

  // Higher quality: more bytes, higher PSNR.
  ImageSet better = original;
  const CompressionStats high =
      compress_images(better, Quality::parse("90"), codec::Subsampling::k420, 2);
  EXPECT_GT(high.mean_bytes, stats.mean_bytes);
  EXPECT_GT(*high.mean_psnr, *stats.mean_psnr);
}

TEST(CompressImages, DeterministicAndIndependentOfThreads) {
  const ImageSet original = make_pattern_images(33, 32, 32, 3, 10, 9);
  ImageSet one = original;
  ImageSet two = original;
  ImageSet again = original;
  const Quality q = Quality::parse("25");
  const CompressionStats s1 = compress_images(one, q, codec::Subsampling::k420, 1);
  const CompressionStats s2 = compress_images(two, q, codec::Subsampling::k420, 2);
  const CompressionStats s3 = compress_images(again, q, codec::Subsampling::k420, 3);
  EXPECT_TRUE(one.pixels == two.pixels);
  EXPECT_TRUE(one.pixels == again.pixels);
  EXPECT_EQ(s1.mean_bytes, s2.mean_bytes);
  EXPECT_EQ(s1.mean_bytes, s3.mean_bytes);
  EXPECT_EQ(*s1.mean_psnr, *s2.mean_psnr);
  EXPECT_EQ(*s1.mean_psnr, *s3.mean_psnr);
}

TEST(CompressImages, Subsampling444KeepsMore) {
  ImageSet a = make_pattern_images(20, 32, 32, 3, 10, 2);
  ImageSet b = a;
  const auto s420 = compress_images(a, Quality::parse("50"), codec::Subsampling::k420, 2);
  const auto s444 = compress_images(b, Quality::parse("50"), codec::Subsampling::k444, 2);
  EXPECT_GT(s444.mean_bytes, s420.mean_bytes);
  EXPECT_GT(*s444.mean_psnr, *s420.mean_psnr);
}

// The payload is the file without its headers and tables, which are the same for every image
// of a set at one quality: the mean payload is the mean file size less that constant.
TEST(CompressImages, PayloadIsTheFileLessWhatEveryFileRepeats) {
  ImageSet images = make_pattern_images(12, 32, 32, 3, 10, 5);
  ImageSet one = images;
  one.keep_first(1, "test");
  const auto stats = compress_images(images, Quality::parse("20"), codec::Subsampling::k420, 2);
  const auto first = compress_images(one, Quality::parse("20"), codec::Subsampling::k420, 1);
  const double header = first.mean_bytes - first.mean_payload_bytes;
  EXPECT_GT(header, 500.0);  // markers, two quantisation and four Huffman tables, headers
  EXPECT_NEAR(stats.mean_bytes - stats.mean_payload_bytes, header, 1e-9);
  ImageSet raw = make_pattern_images(3, 32, 32, 3, 10, 5);
  const auto none = compress_images(raw, Quality::parse("raw"), codec::Subsampling::k420, 1);
  EXPECT_DOUBLE_EQ(none.mean_payload_bytes, none.mean_bytes);
}

// The lossless reference is the mean PNG size of the originals, the same at every level (the
// codec has not touched the pixels yet when it is measured).
TEST(CompressImages, LosslessReferenceIsThePngOfTheOriginals) {
  const ImageSet original = make_pattern_images(12, 32, 32, 3, 10, 5);
  double file = 0, payload = 0;
  for (std::int64_t i = 0; i < original.count; ++i) {
    const auto png = codec::encode_png(original.image(i), 32, 32, 3);
    file += static_cast<double>(png.size());
    payload += static_cast<double>(codec::png_payload_bytes(png.data(), png.size()));
  }
  for (const char* level : {"raw", "5", "90"}) {
    ImageSet images = original;
    const auto stats = compress_images(images, Quality::parse(level), codec::Subsampling::k420, 2);
    EXPECT_DOUBLE_EQ(stats.mean_lossless_bytes, file / 12) << level;
    EXPECT_DOUBLE_EQ(stats.mean_lossless_payload_bytes, payload / 12) << level;
    EXPECT_LT(stats.mean_lossless_payload_bytes, 3072.0) << level;
  }
}

TEST(CompressImages, IdenticalImagesCountAsTheCap) {
  ImageSet flat;
  flat.count = 3;
  flat.height = 16;
  flat.width = 16;
  flat.channels = 1;
  flat.pixels.assign(3 * 16 * 16, 128);
  flat.labels.assign(3, 0);
  const auto stats = compress_images(flat, Quality::parse("100"), codec::Subsampling::k420, 1);
  ASSERT_TRUE(stats.mean_psnr.has_value());
  EXPECT_DOUBLE_EQ(*stats.mean_psnr, kPsnrCap);
  EXPECT_DOUBLE_EQ(stats.bits_per_pixel, stats.mean_bytes * 8.0 / 256.0);
}

TEST(CompressImages, GrayscaleAndEmptySets) {
  ImageSet gray = make_pattern_images(10, 32, 32, 1, 10, 4);
  const auto stats = compress_images(gray, Quality::parse("50"), codec::Subsampling::k420, 0);
  EXPECT_EQ(stats.images, 10);
  EXPECT_LT(stats.mean_bytes, 1024.0);
  EXPECT_TRUE(stats.mean_psnr.has_value());

  ImageSet empty = make_pattern_images(0, 32, 32, 3, 10, 4);
  const auto none = compress_images(empty, Quality::parse("50"), codec::Subsampling::k420, 2);
  EXPECT_EQ(none.images, 0);
  EXPECT_FALSE(none.mean_psnr.has_value());
}

TEST(TransposeImage, SwapsRowsAndColumnsAndTwiceIsTheImage) {
  const ImageSet set = make_pattern_images(1, 3, 5, 3, 2, 1);  // 3 high, 5 wide
  std::vector<std::uint8_t> t(set.image_bytes()), back(set.image_bytes());
  transpose_image(set.image(0), 5, 3, 3, t.data());  // now 3 wide, 5 high
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 5; ++x) {
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(t[(x * 3 + y) * 3 + c], set.image(0)[(y * 5 + x) * 3 + c]);
      }
    }
  }
  transpose_image(t.data(), 3, 5, 3, back.data());
  EXPECT_TRUE(std::equal(back.begin(), back.end(), set.image(0)));
}

// The reference protocol codes each image transposed, as the reference's (N, W, H, C) arrays
// made Pillow do: the bytes, pixels and PSNR must be Pillow's on the transposed image, which
// differ from Pillow's on the upright one (the Annex K luma table is not symmetric).
constexpr const char* kPillowTransposed = R"PY(
import io, sys
from PIL import Image
raw, mode, w, h, count, q, sizes_out, dec_out = sys.argv[1:9]
w, h, count, q = int(w), int(h), int(count), int(q)
data = open(raw, "rb").read()
step = len(data) // count
sizes, decoded = [], b""
for i in range(count):
    im = Image.frombytes(mode, (w, h), data[i * step:(i + 1) * step])
    for transposed in (True, False):
        src = im.transpose(Image.Transpose.TRANSPOSE) if transposed else im
        buf = io.BytesIO()
        src.save(buf, format="JPEG", quality=q)
        sizes.append(str(len(buf.getvalue())))
        if transposed:
            back = Image.open(io.BytesIO(buf.getvalue())).convert(mode)
            decoded += back.transpose(Image.Transpose.TRANSPOSE).tobytes()
open(sizes_out, "w").write(" ".join(sizes))
open(dec_out, "wb").write(decoded)
)PY";

TEST(CompressImages, TransposedOrientationEqualsPillowOnTheTransposedImage) {
  if (!testing::system_python_has("PIL.Image")) {
    GTEST_SKIP() << testing::kSystemPython << " with PIL (Debian python3-pil) is needed";
  }
  testing::TempDir dir;
  std::ofstream(dir.path() / "pillow.py") << kPillowTransposed;
  for (const int channels : {3, 1}) {
    // Not square (32 high, 24 wide): the transposed image has other dimensions too.
    const ImageSet original = make_pattern_images(6, 32, 24, channels, 10, 11);
    {
      std::ofstream raw(dir.path() / "in.raw", std::ios::binary);
      raw.write(reinterpret_cast<const char*>(original.pixels.data()),
                static_cast<std::streamsize>(original.pixels.size()));
    }
    for (const int q : {5, 25, 75}) {
      const auto r = testing::run_shell(
          std::string(testing::kSystemPython) + " '" + (dir.path() / "pillow.py").string() +
          "' '" + (dir.path() / "in.raw").string() + "' " + (channels == 1 ? "L" : "RGB") +
          " 24 32 6 " + std::to_string(q) + " '" + (dir.path() / "sizes.txt").string() + "' '" +
          (dir.path() / "dec.raw").string() + "'");
      ASSERT_EQ(r.exit_code, 0) << r.output;
      std::ifstream sizes_in(dir.path() / "sizes.txt");
      double transposed_bytes = 0, upright_bytes = 0;
      for (int i = 0; i < 6; ++i) {
        double t = 0, u = 0;
        sizes_in >> t >> u;
        transposed_bytes += t / 6;
        upright_bytes += u / 6;
      }
      std::ifstream dec_in(dir.path() / "dec.raw", std::ios::binary);
      const std::vector<std::uint8_t> pillow_pixels{std::istreambuf_iterator<char>(dec_in),
                                                    std::istreambuf_iterator<char>()};
      ASSERT_EQ(pillow_pixels.size(), original.pixels.size());
      double pillow_psnr = 0;
      for (int i = 0; i < 6; ++i) {
        pillow_psnr += std::min(kPsnrCap, codec::psnr(original.image(i),
                                                      pillow_pixels.data() + i * original.image_bytes(),
                                                      original.image_bytes())) / 6;
      }

      ImageSet ours = original;
      const auto stats = compress_images(ours, Quality::parse(std::to_string(q)),
                                         codec::Subsampling::k420, 2, Orientation::kTransposed);
      const std::string label =
          "channels " + std::to_string(channels) + ", quality " + std::to_string(q);
      EXPECT_DOUBLE_EQ(stats.mean_bytes, transposed_bytes) << label;
      EXPECT_TRUE(ours.pixels == pillow_pixels) << label << ": pixels differ from Pillow's";
      ASSERT_TRUE(stats.mean_psnr.has_value());
      EXPECT_NEAR(*stats.mean_psnr, pillow_psnr, 1e-9) << label;
      // The orientation matters: upright, the same pixels code to other bytes.
      EXPECT_NE(transposed_bytes, upright_bytes) << label;
      ImageSet upright = original;
      EXPECT_DOUBLE_EQ(
          compress_images(upright, Quality::parse(std::to_string(q)), codec::Subsampling::k420, 2)
              .mean_bytes,
          upright_bytes)
          << label;
    }
  }
}

}  // namespace
}  // namespace helmholtz::data
