#pragma once
// The audio codec stage: a codec's bitrate level, one clip through the codec, and the figures a
// run reports (bytes, achieved bitrate, the codec's output rate, SNR, delay removed). No torch.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/codec/audio_codecs.hpp"

namespace helmholtz::data {

// The rate the audio study works at (the mel features' rate): every clip is read at it, and the
// codecs' bitrate ranges are checked at it.
inline constexpr int kStudySampleRate = 44100;

// An audio codec level: a codec and its --bitrate in kbit/s (MP3: one of the MPEG Layer III
// bitrates; Opus: 6..256; Vorbis: what libvorbis has a mono mode for at the study's rate), or raw
// (no codec at all: raw always carries the default codec, MP3, whatever the codec asked).
struct Bitrate {
  bool raw = false;
  int kbps = 0;  // when !raw
  codec::AudioCodec codec = codec::AudioCodec::kMp3;

  // "raw" or a bitrate of the codec; else core::UsageError "--bitrate 33: not an MP3 bitrate
  // (...)".
  static Bitrate parse(const std::string& text, codec::AudioCodec codec = codec::AudioCodec::kMp3);
  // "raw" or a number 1..999, not yet checked against a codec (the --bitrate option, before
  // finalize() knows --codec); else core::UsageError.
  static Bitrate parse_unchecked(const std::string& text);
  Bitrate with_codec(codec::AudioCodec codec) const;  // checked against its range
  std::string to_string() const;    // "raw" or "32"
  // "bitrate_raw"; MP3 keeps "bitrate_32"; the others "opus_32", "vorbis_64".
  std::string folder_name() const;
};

// One clip after the codec stage: mono at the study's rate, aligned with and as long as the
// original. For raw, the original itself (bytes 0).
struct CodedClip {
  std::vector<float> samples;
  std::size_t bytes = 0;          // the coded file (MP3, Ogg Opus, Ogg Vorbis)
  std::size_t payload_bytes = 0;  // its audio frames or packets (raw: 0)
  // The lossless reference: the original clip at the study's rate as 16-bit FLAC
  // (codec::encode_flac), as a stream and as its frames (codec::flac_payload_bytes).
  std::size_t flac_bytes = 0;
  std::size_t flac_payload_bytes = 0;
  int output_sample_rate = 0;  // the rate the codec coded at (raw: the study's rate)
  int delay_samples = 0;       // removed, at the study's rate
  double snr_db = 0.0;         // against the original (raw: +infinity)
};

// Reads `file` (any rate, any channel count: mixed to mono and resampled explicitly) at
// `sample_rate` and passes it through the codec. Throws core::DataError naming the file when it
// is not audio, empty, or too short for a spectrogram (fewer than `min_samples`).
CodedClip code_clip(const std::filesystem::path& file, const Bitrate& bitrate, int sample_rate,
                    std::size_t min_samples);

struct AudioCompressionStats {
  std::int64_t clips = 0;
  double seconds_of_audio = 0.0;         // total length of the original clips
  double mean_bytes = 0.0;               // mean coded size per clip (raw: 16-bit PCM bytes)
  double mean_payload_bytes = 0.0;       // mean audio frames/packets per clip (raw: PCM bytes)
  double mean_lossless_bytes = 0.0;      // mean FLAC size of the original clips
  double mean_lossless_payload_bytes = 0.0;  // mean FLAC frame bytes of the original clips
  double kbps = 0.0;                     // achieved: all coded bits / all seconds / 1000
  std::vector<int> output_sample_rates;  // distinct rates the codec coded at, ascending
  std::optional<double> mean_snr_db;     // nullopt for raw; identical clips count as kSnrCap
  double mean_delay_seconds = 0.0;       // mean delay removed
  double max_delay_seconds = 0.0;
};

inline constexpr double kSnrCap = 100.0;

// Accumulates the figures chunk by chunk (so clips need not be held all at once).
class AudioStatsAccumulator {
 public:
  AudioStatsAccumulator(const Bitrate& bitrate, int sample_rate)
      : bitrate_(bitrate), sample_rate_(sample_rate) {}
  void add(const CodedClip& clip);
  AudioCompressionStats result() const;

 private:
  Bitrate bitrate_;
  int sample_rate_;
  std::int64_t clips_ = 0;
  double samples_ = 0, bytes_ = 0, payload_ = 0, flac_ = 0, flac_payload_ = 0, snr_ = 0;
  double delay_ = 0, max_delay_ = 0;
  std::vector<int> rates_;
};

}  // namespace helmholtz::data
