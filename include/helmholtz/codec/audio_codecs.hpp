#pragma once
// The audio codecs a study can choose, and one round trip through any of them: encode, decode,
// back to the study's rate, the codec's delay removed (measured once per codec, rate and bitrate
// on a noise probe), SNR measured. No torch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace helmholtz::codec {

enum class AudioCodec { kMp3, kOpus, kVorbis };

struct AudioCodecInfo {
  AudioCodec id;
  const char* name;      // "mp3", "opus", "vorbis": the --codec value
  const char* display;   // "MP3", "Opus", "Vorbis": in tables and titles
  const char* library;   // "LAME", "libopus", "libvorbis"
  const char* bitrates;  // the valid --bitrate values in words, for messages and the README
};

// Every audio codec this build has, in this order: mp3, opus, vorbis.
const std::vector<AudioCodecInfo>& audio_codecs();
const AudioCodecInfo& audio_codec_info(AudioCodec codec);
std::string to_string(AudioCodec codec);
std::string audio_codec_display_name(AudioCodec codec);  // "MP3", "Opus", "Vorbis"
// Every audio codec this project knows, built or not, in the order above (reports read runs of
// codecs this build may lack).
const std::vector<AudioCodecInfo>& known_audio_codecs();
bool is_audio_codec_name(const std::string& name);  // known to this project (built or not)
// Throws core::UsageError "--codec NAME: ..." naming the valid values (and saying when the
// codec exists but this build left it out).
AudioCodec parse_audio_codec(const std::string& name);

// Throws core::UsageError "--bitrate N: not a <codec> bitrate (...)" when `kbps` is outside the
// codec's range at `sample_rate` (MP3: the MPEG bitrates; Opus: 6..256; Vorbis: what libvorbis
// has a mode for at this rate).
void check_bitrate(AudioCodec codec, int kbps, int sample_rate);

// Alignment and distortion, for every codec's round trip (declared in mp3.hpp before there was
// more than one audio codec; mp3.hpp includes this header).

// The lag d in [-max_lag, max_lag] that maximises the normalised cross-correlation
// sum_i original[i] * decoded[i + d] / sqrt(E_original * E_decoded): positive d means `decoded`
// is d samples late. Computed for all lags at once with an FFT. Returns 0 for silent input.
int estimate_delay(const std::vector<float>& original, const std::vector<float>& decoded,
                   int max_lag);

// decoded shifted by `delay` (the first `delay` samples dropped, or -delay zeros prepended when
// negative), then cut or zero-padded to `length` samples.
std::vector<float> align(const std::vector<float>& decoded, int delay, std::size_t length);

// Signal-to-noise ratio in dB of `processed` against `reference` over their common length:
// 10 log10(sum x^2 / sum (x - y)^2); +infinity when they are equal.
double snr_db(const std::vector<float>& reference, const std::vector<float>& processed);

struct AudioRoundTrip {
  std::vector<float> samples;     // decoded, at the original rate, aligned, original length
  std::size_t bytes = 0;          // the coded file
  std::size_t payload_bytes = 0;  // its audio: mp3_payload_bytes, ogg_payload_bytes
  int output_sample_rate = 0;     // the rate the codec coded at (MP3: LAME's; Opus: 48000)
  int delay_samples = 0;          // the delay removed, at the original rate
  double snr_db = 0.0;            // aligned samples against the original
};

// The delay a round trip of this codec at this rate and bitrate leaves, in samples at
// `sample_rate`, measured once per (codec, rate, bitrate) and process on seeded white noise.
int codec_delay(AudioCodec codec, int sample_rate, int bitrate_kbps);

// The coded file alone (an MP3, an Ogg Opus or an Ogg Vorbis stream) of a mono signal.
std::vector<std::uint8_t> encode_audio(AudioCodec codec, const std::vector<float>& mono,
                                       int sample_rate, int bitrate_kbps);

// Encode, decode, back to `sample_rate` with soxr where the codec coded at another rate (MP3 at
// LAME's lower rates, Opus always at 48 kHz; Vorbis codes at the input's rate), remove the
// codec_delay (align to the input's length), measure the SNR. Throws what the codec's encode and
// decode throw (core::UsageError on a bad bitrate, naming --bitrate).
AudioRoundTrip audio_round_trip(AudioCodec codec, const std::vector<float>& mono,
                                int sample_rate, int bitrate_kbps);

// The versions of the libraries a round trip of this codec runs through, e.g. for cache
// fingerprints: MP3 "LAME 3.100; libsndfile-1.2.0; soxr 0.1.3"; Opus "libopus 1.3.1;
// libopusenc 0.2.1; opusfile; soxr 0.1.3"; Vorbis "Xiph.Org libVorbis 1.3.7" (no resampling).
std::string audio_codec_versions(AudioCodec codec);

}  // namespace helmholtz::codec
