#pragma once
// MP3 through LAME (encode) and libsndfile/mpg123 (decode), plus the alignment that an MP3
// round trip needs: the encoder and decoder add a delay (up to ~0.14 s at 8 kbit/s, measured
// with this libsndfile), and LAME lowers the sample rate by itself at low bitrates.
// No torch: plain bytes and sample buffers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"

namespace helmholtz::codec {

// The bitrates MPEG-1/2/2.5 Layer III allow: 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128,
// 144, 160, 192, 224, 256, 320 kbit/s.
bool is_mpeg_bitrate(int kbps);

// Throws core::UsageError "--bitrate 33: not an MP3 bitrate (use one of 8, 16, ...)".
void check_mpeg_bitrate(int kbps);

struct Mp3 {
  std::vector<std::uint8_t> bytes;  // a complete MP3 file, LAME/Xing info tag first
  int output_sample_rate = 0;       // the rate LAME chose (lower than the input at low bitrates)
};

// Encodes a mono signal (full scale [-1, 1]) as LAME's `lame -b <kbps>` does: constant bitrate,
// mono, LAME's defaults for everything else (its own output rate and lowpass), the info tag
// written at the start. Throws core::UsageError on a bad bitrate or rate, core::CodecError if
// LAME refuses.
Mp3 encode_mp3(const std::vector<float>& mono, int sample_rate, int bitrate_kbps);

// The bytes of an MP3 stream that carry audio: every Layer III frame, frame headers and side
// information included (they are part of the bitstream), without an ID3v2 tag at the start, an
// ID3v1 tag at the end, or a first frame that is a Xing/Info (LAME) info frame. Throws
// core::CodecError when the frames do not tile the stream.
std::size_t mp3_payload_bytes(const std::uint8_t* mp3, std::size_t size);

// Decodes MP3 bytes through libsndfile (virtual I/O). The result is at the MP3's own rate and
// still carries the codec delay. Throws core::DataError on bytes that are not MP3.
Audio decode_mp3(const std::vector<std::uint8_t>& bytes);

// estimate_delay, align and snr_db, which every codec's round trip uses, are declared in
// audio_codecs.hpp (included above).

struct Mp3RoundTrip {
  std::vector<float> samples;  // decoded, back at the original rate, aligned, original length
  std::size_t mp3_bytes = 0;
  std::size_t mp3_payload_bytes = 0;  // mp3_payload_bytes of the stream
  int output_sample_rate = 0;  // the MP3's own rate
  int delay_samples = 0;       // the delay removed, in samples at the original rate
  double snr_db = 0.0;         // aligned samples against the original
};

// codec_delay(AudioCodec::kMp3, ...): the delay an MP3 round trip at this input rate and bitrate
// leaves (encoder, decoder and, where LAME lowers the rate, both resamplings), in samples at
// `sample_rate`: measured once per (rate, bitrate) and process on a probe of seeded white noise
// with estimate_delay, then remembered. The codec chain is time-invariant, so this is every
// clip's delay; measuring it on each clip instead can lock onto a neighbouring pitch period of a
// periodic note.
int codec_delay(int sample_rate, int bitrate_kbps);

// audio_round_trip(AudioCodec::kMp3, ...) in MP3's words: encode, decode, resample back to
// `sample_rate` when the MP3's rate differs, remove the codec_delay (align to the input's
// length), measure the SNR.
Mp3RoundTrip mp3_round_trip(const std::vector<float>& mono, int sample_rate, int bitrate_kbps);

// The versions of the libraries an MP3 round trip runs through (LAME, libsndfile, soxr), e.g.
// for cache fingerprints: a new codec library may give other bytes. The same as
// audio_codec_versions(AudioCodec::kMp3).
std::string audio_codec_versions();

}  // namespace helmholtz::codec
