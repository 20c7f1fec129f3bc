// Fuzz target: the readers of the newer codecs' bytes, each on every input: the payload parsers
// (webp, avif, jxl, j2k and Ogg for Opus and Vorbis) and the image decoders, asked for a 16x16
// image of 1 and of 3 channels (a decoder must refuse other dimensions, never write past the
// buffer). A codec this build left out is left out here too.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/codec/ogg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  for (const auto& info : codec::image_codecs()) {
    if (!info.built || info.id == codec::ImageCodec::kJpeg) continue;  // JPEG: codec_payload
    const auto coder = codec::make_image_coder(info.id, info.min_quality);
    fuzz::refused_or_read([&] { HELMHOLTZ_FUZZ_CHECK(coder->payload_bytes(data, size) <= size); });
    for (const int channels : {1, 3}) {
      std::vector<std::uint8_t> pixels(16 * 16 * static_cast<std::size_t>(channels));
      fuzz::refused_or_read([&] { coder->decode(data, size, pixels.data(), 16, 16, channels); });
    }
  }
#ifdef HELMHOLTZ_WITH_OGG
  for (const int headers : {2, 3}) {
    fuzz::refused_or_read(
        [&] { HELMHOLTZ_FUZZ_CHECK(codec::ogg_payload_bytes(data, size, headers) <= size); });
  }
#endif
  return 0;
}
