#pragma once
// JPEG through libjpeg-turbo's TurboJPEG API. Byte output equals what Pillow's
// `Image.save(format="JPEG", quality=q)` writes for the same pixels: baseline, the standard
// Annex K tables scaled by the quality, standard Huffman tables, accurate integer DCT.
// No torch in here: plain bytes in, plain bytes out.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace helmholtz::codec {

enum class Subsampling { k420, k444 };

// "420" / "444" <-> enum; throws core::UsageError on anything else.
Subsampling parse_subsampling(const std::string& text);
std::string to_string(Subsampling s);

// Owns one TurboJPEG compressor handle. Not thread-safe: use one per thread.
class JpegEncoder {
 public:
  JpegEncoder();
  ~JpegEncoder();
  JpegEncoder(const JpegEncoder&) = delete;
  JpegEncoder& operator=(const JpegEncoder&) = delete;
  JpegEncoder(JpegEncoder&&) noexcept;
  JpegEncoder& operator=(JpegEncoder&&) noexcept;

  // Encodes an 8-bit image, rows top to bottom, interleaved channels (1 = grayscale, 3 = RGB).
  // quality 1..100. Grayscale ignores `subsampling`. Returns the JPEG file bytes.
  // Throws core::UsageError on bad arguments, core::CodecError if the library fails.
  std::vector<std::uint8_t> encode(const std::uint8_t* pixels, int width, int height, int channels,
                                   int quality, Subsampling subsampling = Subsampling::k420);

 private:
  void* handle_ = nullptr;
};

// Owns one TurboJPEG decompressor handle. Not thread-safe: use one per thread.
class JpegDecoder {
 public:
  JpegDecoder();
  ~JpegDecoder();
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;
  JpegDecoder(JpegDecoder&&) noexcept;
  JpegDecoder& operator=(JpegDecoder&&) noexcept;

  struct Header {
    int width = 0;
    int height = 0;
  };
  // Reads the header; throws core::CodecError for bytes that are not a JPEG.
  Header read_header(const std::uint8_t* jpeg, std::size_t size);

  // Decodes into `out` (width*height*channels bytes, channels 1 or 3, same layout as encode).
  // The JPEG's dimensions must equal width x height; throws core::CodecError on corrupt or
  // truncated data (libjpeg warnings about corrupt data count as errors).
  void decode(const std::uint8_t* jpeg, std::size_t size, std::uint8_t* out, int width, int height,
              int channels);

 private:
  void* handle_ = nullptr;
};

// Peak signal-to-noise ratio in dB between two 8-bit buffers of n bytes (peak 255).
// Identical buffers give +infinity.
double psnr(const std::uint8_t* a, const std::uint8_t* b, std::size_t n);

// The payload of a JPEG file: the bytes of its entropy-coded scan data (what follows each SOS
// header up to the next marker, restart markers and stuffed bytes included), without what every
// file of the same settings repeats (SOI, APP, quantisation and Huffman tables, frame and scan
// headers, EOI). Throws core::CodecError naming the offset for bytes that are not a JPEG.
std::size_t jpeg_payload_bytes(const std::uint8_t* jpeg, std::size_t size);

}  // namespace helmholtz::codec
