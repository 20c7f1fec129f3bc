#include "helmholtz/data/audio_compress.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::data {

namespace {

// Up to three digits; -1 for anything else.
int kbps_number(const std::string& text) {
  const bool digits =
      !text.empty() && text.size() <= 3 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return digits ? std::stoi(text) : -1;
}

}  // namespace

Bitrate Bitrate::parse(const std::string& text, codec::AudioCodec codec) {
  if (text == "raw") return Bitrate{true, 0};  // raw is no codec: always the default's
  const int kbps = kbps_number(text);
  if (kbps < 0) {
    throw core::UsageError("--bitrate '" + text + "': not a bitrate (" +
                           codec::audio_codec_info(codec).bitrates + " kbit/s, or raw)");
  }
  codec::check_bitrate(codec, kbps, kStudySampleRate);
  return Bitrate{false, kbps, codec};
}

Bitrate Bitrate::parse_unchecked(const std::string& text) {
  if (text == "raw") return Bitrate{true, 0};
  const int kbps = kbps_number(text);
  if (kbps < 1) {
    throw core::UsageError("--bitrate '" + text +
                           "': use a bitrate in kbit/s of the codec (MP3: 8, 32, 128, ...) or raw");
  }
  return Bitrate{false, kbps};
}

Bitrate Bitrate::with_codec(codec::AudioCodec to) const {
  if (raw) return Bitrate{true, 0};
  codec::check_bitrate(to, kbps, kStudySampleRate);
  return Bitrate{false, kbps, to};
}

std::string Bitrate::to_string() const { return raw ? "raw" : std::to_string(kbps); }

std::string Bitrate::folder_name() const {
  if (raw || codec == codec::AudioCodec::kMp3) return "bitrate_" + to_string();
  return codec::to_string(codec) + "_" + to_string();
}

CodedClip code_clip(const std::filesystem::path& file, const Bitrate& bitrate, int sample_rate,
                    std::size_t min_samples) {
  std::vector<float> mono = codec::mono_at_rate(codec::read_audio(file), sample_rate);
  if (mono.size() < min_samples) {
    throw core::DataError(file.string() + ": too short (" + std::to_string(mono.size()) +
                          " samples at " + std::to_string(sample_rate) + " Hz; at least " +
                          std::to_string(min_samples) + " needed); remove or replace it");
  }
  CodedClip out;
  try {
    const auto flac = codec::encode_flac(mono, sample_rate);
    out.flac_bytes = flac.size();
    out.flac_payload_bytes = codec::flac_payload_bytes(flac.data(), flac.size());
  } catch (const core::Error& e) {
    throw core::DataError(file.string() + ": FLAC reference size failed: " + e.what());
  }
  if (bitrate.raw) {
    out.samples = std::move(mono);
    out.output_sample_rate = sample_rate;
    out.snr_db = std::numeric_limits<double>::infinity();
    return out;
  }
  codec::AudioRoundTrip trip;
  const std::string name = codec::audio_codec_info(bitrate.codec).library;
  try {
    trip = codec::audio_round_trip(bitrate.codec, mono, sample_rate, bitrate.kbps);
  } catch (const core::Error& e) {
    throw core::DataError(file.string() + ": " + name + " round trip at " + bitrate.to_string() +
                          " kbit/s failed: " + e.what());
  }
  out.samples = std::move(trip.samples);
  out.bytes = trip.bytes;
  out.payload_bytes = trip.payload_bytes;
  out.output_sample_rate = trip.output_sample_rate;
  out.delay_samples = trip.delay_samples;
  out.snr_db = trip.snr_db;
  return out;
}

void AudioStatsAccumulator::add(const CodedClip& clip) {
  ++clips_;
  const double n = static_cast<double>(clip.samples.size());
  samples_ += n;
  bytes_ += bitrate_.raw ? 2.0 * n : static_cast<double>(clip.bytes);
  payload_ += bitrate_.raw ? 2.0 * n : static_cast<double>(clip.payload_bytes);
  flac_ += static_cast<double>(clip.flac_bytes);
  flac_payload_ += static_cast<double>(clip.flac_payload_bytes);
  snr_ += std::min(clip.snr_db, kSnrCap);
  const double delay = std::abs(clip.delay_samples) / static_cast<double>(sample_rate_);
  delay_ += delay;
  max_delay_ = std::max(max_delay_, delay);
  if (std::find(rates_.begin(), rates_.end(), clip.output_sample_rate) == rates_.end()) {
    rates_.push_back(clip.output_sample_rate);
    std::sort(rates_.begin(), rates_.end());
  }
}

AudioCompressionStats AudioStatsAccumulator::result() const {
  AudioCompressionStats s;
  s.clips = clips_;
  s.output_sample_rates = rates_;
  if (clips_ == 0) return s;
  const double count = static_cast<double>(clips_);
  s.seconds_of_audio = samples_ / sample_rate_;
  s.mean_bytes = bytes_ / count;
  s.mean_payload_bytes = payload_ / count;
  s.mean_lossless_bytes = flac_ / count;
  s.mean_lossless_payload_bytes = flac_payload_ / count;
  s.kbps = s.seconds_of_audio > 0 ? bytes_ * 8.0 / s.seconds_of_audio / 1000.0 : 0.0;
  if (!bitrate_.raw) s.mean_snr_db = snr_ / count;
  s.mean_delay_seconds = delay_ / count;
  s.max_delay_seconds = max_delay_;
  return s;
}

}  // namespace helmholtz::data
