#pragma once
// Vorbis through libvorbis (libvorbisenc, Ogg pages from libogg), at a target bitrate as
// `oggenc -b KBPS` sets it (managed-bitrate setup, the bit reservoir off: an average bitrate).
// No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/codec/audio.hpp"

namespace helmholtz::codec {

struct VorbisBitrates {
  int min_kbps = 0;  // both 0: libvorbis has no mono mode at this rate at all
  int max_kbps = 0;
};

// The bitrates libvorbis 1.3.7 sets up (vorbis_encode_setup_managed) for mono at `sample_rate`,
// asked of libvorbis itself, every kbit/s from 1 to 1000, once per rate and process. Measured:
// 8000 Hz 8..42, 11025 Hz 12..50, 16000 Hz 16..100, 22050 Hz 16..90, 32000 Hz 30..190,
// 44100 and 48000 Hz 32..240; none at 7000 Hz or at 96000 Hz and above.
VorbisBitrates vorbis_bitrate_range(int sample_rate);

// Throws core::UsageError "--bitrate 300: not a Vorbis bitrate at 44100 Hz (...)" naming the
// range at this rate, when libvorbis has no mono mode for `kbps` there.
void check_vorbis_bitrate(int kbps, int sample_rate);

// Encodes a mono signal (full scale [-1, 1]) at `sample_rate` as Ogg Vorbis at an average of
// `bitrate_kbps`, as `oggenc -b KBPS` does, but with a Vorbis comment header holding only
// libvorbis' vendor string and a fixed stream serial number (the same input gives the same
// bytes). Throws core::UsageError on a rate or bitrate that libvorbis has no mode for (the
// message says the range at this rate), core::CodecError if libvorbis fails.
std::vector<std::uint8_t> encode_vorbis(const std::vector<float>& mono, int sample_rate,
                                        int bitrate_kbps);

// Decodes Ogg Vorbis bytes with vorbisfile at their own rate, trimmed to the granule positions
// (so as long as the signal that was encoded). Throws core::DataError on bytes that are not Ogg
// Vorbis or that are damaged (a page failing its CRC).
Audio decode_vorbis(const std::vector<std::uint8_t>& bytes);

std::string vorbis_version();  // vorbis_version_string(): "Xiph.Org libVorbis 1.3.7"

}  // namespace helmholtz::codec
