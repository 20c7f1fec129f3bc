#pragma once
// PNG through libpng: the lossless reference size of an image. No torch.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace helmholtz::codec {

// An 8-bit image (rows top to bottom, interleaved channels: 1 = grayscale, 3 = RGB) as a PNG
// file, written at zlib level 9 with libpng's adaptive choice among all five row filters.
// Throws core::UsageError on bad arguments, core::CodecError if libpng fails.
std::vector<std::uint8_t> encode_png(const std::uint8_t* pixels, int width, int height,
                                     int channels);

// The bytes of a PNG file that carry the image: the data of its IDAT chunks (the zlib stream of
// the filtered rows), without the signature, IHDR, IEND, other chunks, or any chunk's length,
// type and CRC. Throws core::CodecError when the bytes are not a PNG file.
std::size_t png_payload_bytes(const std::uint8_t* png, std::size_t size);

}  // namespace helmholtz::codec
