#pragma once
// AVIF through libavif with the aom encoder, set as `avifenc` sets it (speed 6, one quantizer for
// min and max, avifenc's "auto" pixel format: YUV 4:0:0 for gray, 4:4:4 for RGB): the files
// equal `avifenc --min Q --max Q -s 6` of 0.11.1 on the PNG of the same pixels, byte for byte.
// No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::codec {

// The quantizer (0..63, lower is better) that AVIF quality q (0..100) sets, as libavif 1.x's
// quality does: round((100 - q) * 63 / 100).
int avif_quantizer(int quality);

// Encodes an 8-bit image (1 channel: coded 4:0:0, monochrome, as avifenc codes a gray PNG; or
// 3 = RGB: coded 4:4:4) at quality 0..100. Returns the AVIF file bytes. Throws core::UsageError
// on bad arguments, core::CodecError if libavif fails or has no aom encoder.
std::vector<std::uint8_t> encode_avif(const std::uint8_t* pixels, int width, int height,
                                      int channels, int quality);

// Decodes into `out` (width*height*channels bytes). A 4:0:0 file gives its gray (for 3 channels
// as R = G = B); a colour file read as 1 channel gives the ITU-R 601 luma of the decoded RGB.
// Throws core::CodecError on corrupt data or other dimensions.
void decode_avif(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                 int height, int channels);

// The AV1 bitstream of an AVIF file: the data of its `mdat` boxes (for libavif's opaque single
// images, the colour item's OBUs and nothing else), without the ftyp, meta and other boxes and
// box headers. Throws core::CodecError when it is not AVIF (no ftyp with the avif/avis brand, a
// box past the end, no mdat).
std::size_t avif_payload_bytes(const std::uint8_t* data, std::size_t size);

std::string avif_version();  // "libavif 0.11.1 (aom v3.6.0)"

}  // namespace helmholtz::codec
