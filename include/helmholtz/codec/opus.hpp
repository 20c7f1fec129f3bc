#pragma once
// Opus through libopus (libopusenc writes the Ogg Opus file, as `opusenc` does), at a target
// bitrate. Opus codes at 48 kHz: the signal is resampled to 48 kHz with soxr first. No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/codec/audio.hpp"

namespace helmholtz::codec {

inline constexpr int kOpusRate = 48000;

// The --bitrate range opusenc (opus-tools 0.2) calls meaningful: 6 to 256 kbit/s per channel
// (it clamps higher requests to 256 kbit/s per channel); this project codes mono.
inline constexpr int kOpusMinKbps = 6;
inline constexpr int kOpusMaxKbps = 256;

// Throws core::UsageError "--bitrate 300: not an Opus bitrate (use 6 to 256 kbit/s ...)".
void check_opus_bitrate(int kbps);

// Encodes a mono signal (full scale [-1, 1]) at `sample_rate` as Ogg Opus at a target of
// `bitrate_kbps` (6..256), opusenc's defaults otherwise (VBR, complexity 10, 20 ms frames), but
// with a minimal OpusTags header (libopusenc's vendor string, no comments, no padding) and a
// fixed stream serial number, so that the same input gives the same bytes. The input is
// resampled to 48 kHz with soxr first (opusenc would use libopusenc's own resampler).
// Throws core::UsageError on a bad bitrate or rate, core::CodecError if libopus fails.
std::vector<std::uint8_t> encode_opus(const std::vector<float>& mono, int sample_rate,
                                      int bitrate_kbps);

// Decodes Ogg Opus bytes with opusfile at 48 kHz, the pre-skip removed and the end trimmed to
// the final granule position (so as long as the 48 kHz signal that was encoded). Throws
// core::DataError on bytes that are not Ogg Opus or that are damaged (a page failing its CRC).
Audio decode_opus(const std::vector<std::uint8_t>& bytes);

// "libopus 1.3.1; libopusenc 0.2.1; opusfile": opusfile has no call that reports its version;
// its version follows when the build defines HELMHOLTZ_OPUSFILE_VERSION ("0.12").
std::string opus_version();

}  // namespace helmholtz::codec
