#pragma once
// Lossy JPEG 2000 through OpenJPEG, set as `opj_compress -q PSNR` sets it (a J2K codestream, one
// quality layer at a PSNR target, the 5/3 wavelet, 64x64 code blocks, the colour transform for
// RGB), with as many resolutions as the image size allows (at most OpenJPEG's 6). No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::codec {

// The number of resolutions a width x height image gets: min(6, floor(log2(min(w, h))) + 1).
int j2k_resolutions(int width, int height);

// Encodes an 8-bit image (1 = grayscale, one component; 3 = RGB) at a PSNR target of `psnr_db`
// dB (1..100). Returns the J2K codestream bytes, byte-identical to opj_compress's. Throws
// core::UsageError on bad arguments, core::CodecError if OpenJPEG fails.
std::vector<std::uint8_t> encode_j2k(const std::uint8_t* pixels, int width, int height,
                                     int channels, int psnr_db);

// Decodes into `out` (width*height*channels bytes). Throws core::CodecError on truncated data
// (OpenJPEG's strict mode), damaged headers, other dimensions or another number of components.
// Damage inside the code-block data is not detectable in J2K: it decodes to other pixels.
void decode_j2k(const std::uint8_t* data, std::size_t size, std::uint8_t* out, int width,
                int height, int channels);

// The coded data of a J2K codestream: everything after its main header (from the first SOT
// marker on), without the final EOC marker. Throws core::CodecError when it is not J2K.
std::size_t j2k_payload_bytes(const std::uint8_t* data, std::size_t size);

std::string j2k_version();  // "OpenJPEG 2.5.0"

}  // namespace helmholtz::codec
