#pragma once
// The audio codec stage: an MP3 bitrate level, one clip through the codec, and the figures a
// run reports (bytes, achieved bitrate, LAME's output rate, SNR, delay removed). No torch.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace helmholtz::data {

// An MP3 bitrate level: one of the MPEG Layer III bitrates (8..320 kbit/s), or raw (no codec).
struct Bitrate {
  bool raw = false;
  int kbps = 0;  // when !raw

  // "raw" or an MPEG bitrate; else core::UsageError "--bitrate 33: not an MP3 bitrate (...)".
  static Bitrate parse(const std::string& text);
  std::string to_string() const;    // "raw" or "32"
  std::string folder_name() const;  // "bitrate_raw", "bitrate_32"
};

// One clip after the codec stage: mono at the study's rate, aligned with and as long as the
// original. For raw, the original itself (mp3_bytes 0).
struct CodedClip {
  std::vector<float> samples;
  std::size_t mp3_bytes = 0;
  std::size_t mp3_payload_bytes = 0;  // codec::mp3_payload_bytes (raw: 0)
  // The lossless reference: the original clip at the study's rate as 16-bit FLAC
  // (codec::encode_flac), as a stream and as its frames (codec::flac_payload_bytes).
  std::size_t flac_bytes = 0;
  std::size_t flac_payload_bytes = 0;
  int output_sample_rate = 0;  // the rate LAME coded at (raw: the study's rate)
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
  double mean_bytes = 0.0;               // mean MP3 size per clip (raw: 16-bit PCM bytes)
  double mean_payload_bytes = 0.0;       // mean MP3 frames per clip (raw: 16-bit PCM bytes)
  double mean_lossless_bytes = 0.0;      // mean FLAC size of the original clips
  double mean_lossless_payload_bytes = 0.0;  // mean FLAC frame bytes of the original clips
  double kbps = 0.0;                     // achieved: all MP3 bits / all seconds / 1000
  std::vector<int> output_sample_rates;  // distinct rates LAME chose, ascending
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
  double samples_ = 0, bytes_ = 0, payload_ = 0, flac_ = 0, flac_payload_ = 0, snr_ = 0, delay_ = 0, max_delay_ = 0;
  std::vector<int> rates_;
};

}  // namespace helmholtz::data
