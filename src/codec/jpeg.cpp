#include "helmholtz/codec/jpeg.hpp"

#include <turbojpeg.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "helmholtz/core/error.hpp"

// Matching Pillow (checked by tests/codec/jpeg_test.cpp against /usr/bin/python3 + PIL):
// - Pillow calls libjpeg's jpeg_set_quality(q, force_baseline=TRUE) and keeps libjpeg's default
//   JDCT_ISLOW DCT; TurboJPEG does the same quality scaling, but picks the fast DCT below quality
//   96 unless TJFLAG_ACCURATEDCT is given, so we always pass it.
// - No TJFLAG_PROGRESSIVE (baseline), no optimised Huffman tables (Pillow's default), no
//   TJFLAG_FASTDCT; decoding without TJFLAG_FASTUPSAMPLE = libjpeg's fancy upsampling, as Pillow.
// - Both write the same JFIF APP0 segment (version 1.01, aspect ratio 1:1, no thumbnail), so the
//   files are byte-identical for the same pixels, quality and subsampling.

namespace helmholtz::codec {
namespace {

constexpr int kEncodeFlags = TJFLAG_ACCURATEDCT;
constexpr int kDecodeFlags = TJFLAG_ACCURATEDCT;

std::string error_text(tjhandle handle) {
  const char* text = tjGetErrorStr2(handle);
  return text != nullptr ? text : "unknown TurboJPEG error";
}

void require_handle(void* handle, const char* what) {
  if (handle == nullptr) throw std::logic_error(std::string(what) + " used after move");
}

int pixel_format(int channels) { return channels == 1 ? TJPF_GRAY : TJPF_RGB; }

void check_shape(const char* what, int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw core::UsageError(std::string(what) + ": image size " + std::to_string(width) + "x" +
                           std::to_string(height) + " is not positive");
  }
  if (channels != 1 && channels != 3) {
    throw core::UsageError(std::string(what) + ": " + std::to_string(channels) +
                           " channels; JPEG images here have 1 (grayscale) or 3 (RGB)");
  }
}

}  // namespace

Subsampling parse_subsampling(const std::string& text) {
  if (text == "420") return Subsampling::k420;
  if (text == "444") return Subsampling::k444;
  throw core::UsageError("unknown chroma subsampling '" + text + "': use 420 or 444");
}

std::string to_string(Subsampling s) { return s == Subsampling::k420 ? "420" : "444"; }

// --- JpegEncoder ----------------------------------------------------------------------------

JpegEncoder::JpegEncoder() : handle_(tjInitCompress()) {
  if (handle_ == nullptr) {
    throw core::CodecError("cannot create a TurboJPEG compressor: " + error_text(nullptr));
  }
}

JpegEncoder::~JpegEncoder() {
  if (handle_ != nullptr) tjDestroy(handle_);
}

JpegEncoder::JpegEncoder(JpegEncoder&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)) {}

JpegEncoder& JpegEncoder::operator=(JpegEncoder&& other) noexcept {
  std::swap(handle_, other.handle_);
  return *this;
}

std::vector<std::uint8_t> JpegEncoder::encode(const std::uint8_t* pixels, int width, int height,
                                              int channels, int quality, Subsampling subsampling) {
  require_handle(handle_, "JpegEncoder");
  check_shape("JPEG encode", width, height, channels);
  if (quality < 1 || quality > 100) {
    throw core::UsageError("JPEG quality " + std::to_string(quality) +
                           " is out of range: use 1..100");
  }
  if (pixels == nullptr) throw core::UsageError("JPEG encode: no pixels given");

  const int samp =
      channels == 1 ? TJSAMP_GRAY : (subsampling == Subsampling::k420 ? TJSAMP_420 : TJSAMP_444);
  // tjBufSize is the worst case, so encoding straight into our own buffer never reallocates.
  const unsigned long capacity = tjBufSize(width, height, samp);
  if (capacity == static_cast<unsigned long>(-1)) {
    throw core::CodecError("JPEG encode: " + error_text(handle_));
  }
  std::vector<std::uint8_t> out(capacity);
  unsigned char* buffer = out.data();
  unsigned long size = capacity;
  if (tjCompress2(handle_, pixels, width, 0, height, pixel_format(channels), &buffer, &size, samp,
                  quality, kEncodeFlags | TJFLAG_NOREALLOC) != 0) {
    throw core::CodecError("JPEG encode of a " + std::to_string(width) + "x" +
                           std::to_string(height) + " image failed: " + error_text(handle_));
  }
  out.resize(size);
  return out;
}

// --- JpegDecoder ----------------------------------------------------------------------------

JpegDecoder::JpegDecoder() : handle_(tjInitDecompress()) {
  if (handle_ == nullptr) {
    throw core::CodecError("cannot create a TurboJPEG decompressor: " + error_text(nullptr));
  }
}

JpegDecoder::~JpegDecoder() {
  if (handle_ != nullptr) tjDestroy(handle_);
}

JpegDecoder::JpegDecoder(JpegDecoder&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)) {}

JpegDecoder& JpegDecoder::operator=(JpegDecoder&& other) noexcept {
  std::swap(handle_, other.handle_);
  return *this;
}

JpegDecoder::Header JpegDecoder::read_header(const std::uint8_t* jpeg, std::size_t size) {
  require_handle(handle_, "JpegDecoder");
  if (jpeg == nullptr || size == 0) throw core::CodecError("JPEG decode: no data (0 bytes)");
  int width = 0;
  int height = 0;
  int samp = 0;
  int colorspace = 0;
  if (tjDecompressHeader3(handle_, jpeg, static_cast<unsigned long>(size), &width, &height, &samp,
                          &colorspace) != 0) {
    const std::string message =
        "not a readable JPEG (" + std::to_string(size) + " bytes): " + error_text(handle_);
    // libjpeg-turbo 2.1 leaves the handle mid-header after such an error, and the next
    // tjDecompressHeader3 then "succeeds" without reading anything. A fresh handle avoids that.
    if (tjhandle fresh = tjInitDecompress()) {
      tjDestroy(handle_);
      handle_ = fresh;
    }
    throw core::CodecError(message);
  }
  if (width <= 0 || height <= 0) {
    throw core::CodecError("not a readable JPEG (" + std::to_string(size) +
                           " bytes): no image dimensions in its header");
  }
  return Header{width, height};
}

void JpegDecoder::decode(const std::uint8_t* jpeg, std::size_t size, std::uint8_t* out, int width,
                         int height, int channels) {
  check_shape("JPEG decode", width, height, channels);
  if (out == nullptr) throw core::UsageError("JPEG decode: no output buffer given");
  const Header header = read_header(jpeg, size);
  if (header.width != width || header.height != height) {
    throw core::CodecError("JPEG is " + std::to_string(header.width) + "x" +
                           std::to_string(header.height) + ", expected " + std::to_string(width) +
                           "x" + std::to_string(height));
  }
  if (tjDecompress2(handle_, jpeg, static_cast<unsigned long>(size), out, width, 0, height,
                    pixel_format(channels), kDecodeFlags) != 0) {
    // TurboJPEG finishes the image after a libjpeg warning (e.g. "Premature end of JPEG file",
    // "Corrupt JPEG data") but still returns -1 with TJERR_WARNING. The pixels are then partly
    // made up, so we refuse them as well.
    const bool warning = tjGetErrorCode(handle_) == TJERR_WARNING;
    throw core::CodecError(
        std::string(warning ? "corrupt or truncated JPEG" : "JPEG decode failed") + " (" +
        std::to_string(size) + " bytes): " + error_text(handle_));
  }
}

std::size_t jpeg_payload_bytes(const std::uint8_t* jpeg, std::size_t size) {
  const auto bad = [](std::size_t at, const char* what) {
    return core::CodecError("not a JPEG: " + std::string(what) + " at byte " +
                            std::to_string(at));
  };
  if (size < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw bad(0, "no SOI marker");
  std::size_t pos = 2;
  std::size_t payload = 0;
  while (true) {
    if (pos + 2 > size) throw bad(pos, "no EOI marker before the end");
    if (jpeg[pos] != 0xFF) throw bad(pos, "no marker");
    const std::uint8_t marker = jpeg[pos + 1];
    if (marker == 0xD9) return payload;  // EOI
    if (marker == 0xFF) {                // fill byte before a marker
      ++pos;
      continue;
    }
    if (pos + 4 > size) throw bad(pos, "a segment cut short");
    const std::size_t length = (std::size_t{jpeg[pos + 2]} << 8) | jpeg[pos + 3];
    if (length < 2 || pos + 2 + length > size) throw bad(pos, "a segment longer than the file");
    pos += 2 + length;
    if (marker != 0xDA) continue;  // not SOS: a header segment
    // Entropy-coded data: up to a marker that is neither a stuffed 0xFF00 nor RSTn.
    const std::size_t start = pos;
    while (pos + 1 < size &&
           !(jpeg[pos] == 0xFF && jpeg[pos + 1] != 0x00 &&
             !(jpeg[pos + 1] >= 0xD0 && jpeg[pos + 1] <= 0xD7))) {
      ++pos;
    }
    payload += pos - start;
  }
}

double psnr(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  if (n == 0) return std::numeric_limits<double>::infinity();
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int d = static_cast<int>(a[i]) - static_cast<int>(b[i]);
    sum += static_cast<std::uint64_t>(d * d);
  }
  if (sum == 0) return std::numeric_limits<double>::infinity();
  const double mse = static_cast<double>(sum) / static_cast<double>(n);
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace helmholtz::codec
