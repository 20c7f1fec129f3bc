#pragma once
// Lossy JPEG XL through libjxl, set as `cjxl -q Q` sets it (VarDCT, effort 7, the distance that
// cjxl derives from the quality). No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::codec {

// The Butteraugli distance that JPEG XL quality q sets, as cjxl 0.7 maps -q to -d:
// q >= 100: 0 (lossless); q >= 30: 0.1 + (100 - q) * 0.09; below: 6.4 + 2.5^((30 - q) / 5) / 6.25.
double jxl_distance(int quality);

// Encodes an 8-bit image (1 = grayscale, coded as a gray image as cjxl codes a gray PNG; 3 = RGB)
// at quality 5..99 (lossy only: below 5 cjxl's distance passes libjxl's maximum of 25, and 100 is
// lossless). Returns a bare JPEG XL codestream, byte-identical to `cjxl in.png out.jxl -q Q`.
// Throws core::UsageError on bad arguments, core::CodecError if libjxl fails.
std::vector<std::uint8_t> encode_jxl(const std::uint8_t* pixels, int width, int height,
                                     int channels, int quality);

// Decodes into `out` (width*height*channels bytes, 8-bit). Throws core::CodecError on corrupt or
// truncated data, or other dimensions or another number of colour channels.
void decode_jxl(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                int height, int channels);

// The coded data of a JPEG XL file: the codestream without its 2-byte signature (FF 0A); in a
// container only the codestream boxes count (jxlc, or jxlp less its 4-byte part counter), not
// the signature, ftyp or metadata boxes. The image header (SizeHeader, ImageMetadata: a few bytes,
// the same at every quality for one size and colour type) stays counted, as finding its end
// takes a bit-level parse of the header. Throws core::CodecError when it is not JPEG XL.
std::size_t jxl_payload_bytes(const std::uint8_t* data, std::size_t size);

std::string jxl_version();  // "libjxl 0.7.0"

}  // namespace helmholtz::codec
