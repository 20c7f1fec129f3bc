// Fuzz target: the parsers that measure a coded sample's payload (codec::jpeg_payload_bytes,
// png_payload_bytes, mp3_payload_bytes, flac_payload_bytes), and JPEG decoding
// (codec::JpegDecoder), each on every input.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/mp3.hpp"
#include "helmholtz/codec/png.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  // A payload is a part of the bytes.
  for (const auto payload_bytes : {codec::jpeg_payload_bytes, codec::png_payload_bytes,
                                   codec::mp3_payload_bytes, codec::flac_payload_bytes}) {
    fuzz::refused_or_read([&] { HELMHOLTZ_FUZZ_CHECK(payload_bytes(data, size) <= size); });
  }
  // One decoder for all inputs, as a worker thread keeps one: a refused input must leave it
  // usable for the next.
  static codec::JpegDecoder decoder;
  fuzz::refused_or_read([&] {
    const auto header = decoder.read_header(data, size);
    HELMHOLTZ_FUZZ_CHECK(header.width > 0 && header.height > 0);
    // Decoding allocates by the header's dimensions: only small images (the datasets' are 32x32).
    if (static_cast<std::int64_t>(header.width) * header.height > 256 * 256) return;
    for (const int channels : {1, 3}) {
      std::vector<std::uint8_t> pixels(static_cast<std::size_t>(header.width) * header.height *
                                       channels);
      fuzz::refused_or_read([&] {
        decoder.decode(data, size, pixels.data(), header.width, header.height, channels);
      });
    }
  });
  return 0;
}
