#pragma once
// Lossy WebP through libwebp, byte for byte as Pillow 9.4's `Image.save(format="WEBP",
// quality=q)` writes it (WebPConfigInit, i.e. the DEFAULT preset, with quality q, method 4,
// exact 0; ARGB import; a simple RIFF/VP8 file). No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::codec {

// Encodes an 8-bit image (rows top to bottom, interleaved channels: 1 = grayscale, given to
// libwebp as RGB with R = G = B as Pillow does, or 3 = RGB) at quality 0..100. Returns the WebP
// file bytes. Throws core::UsageError on bad arguments, core::CodecError if libwebp fails.
std::vector<std::uint8_t> encode_webp(const std::uint8_t* pixels, int width, int height,
                                      int channels, int quality);

// Decodes into `out` (width*height*channels bytes; grayscale takes the ITU-R 601 luma of the
// decoded RGB, as Pillow's convert("L")). Throws core::CodecError on corrupt or truncated data or
// other dimensions.
void decode_webp(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                 int height, int channels);

// The coded bitstream of a WebP file: the data of its VP8 (or VP8L) chunk, without the RIFF
// header, the chunk header and any other chunk. Throws core::CodecError when it is not WebP.
std::size_t webp_payload_bytes(const std::uint8_t* data, std::size_t size);

std::string webp_version();  // "libwebp 1.2.4"

}  // namespace helmholtz::codec
