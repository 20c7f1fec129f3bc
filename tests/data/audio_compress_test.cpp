// The audio codec stage on synthesised clips: levels, one clip through the codec, the figures.

#include "helmholtz/data/audio_compress.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

using testing::TempDir;

std::filesystem::path write_note(const std::filesystem::path& dir, int effect, int rate = 44100,
                                 int channels = 1) {
  codec::Audio audio;
  audio.sample_rate = rate;
  audio.channels = channels;
  const auto mono = synth_note(effect, 7, rate, 2.0);
  for (float s : mono) {
    for (int c = 0; c < channels; ++c) audio.samples.push_back(s);
  }
  const auto file = dir / ("note_" + std::to_string(effect) + "_" + std::to_string(rate) + "_" +
                           std::to_string(channels) + ".wav");
  codec::write_wav(file, audio);
  return file;
}

TEST(Bitrate, ParsesMpegBitratesAndRaw) {
  EXPECT_EQ(Bitrate::parse("32").kbps, 32);
  EXPECT_EQ(Bitrate::parse("32").folder_name(), "bitrate_32");
  EXPECT_TRUE(Bitrate::parse("raw").raw);
  EXPECT_EQ(Bitrate::parse("raw").folder_name(), "bitrate_raw");
  for (const char* bad : {"33", "0", "", "32k", "-8", "1000"}) {
    const auto message = testing::error_message_of<core::UsageError>([&] { Bitrate::parse(bad); });
    EXPECT_NE(message.find("--bitrate"), std::string::npos) << bad << ": " << message;
  }
}

TEST(CodeClip, RawKeepsTheSignalAndMp3KeepsItsLength) {
  TempDir dir;
  const auto file = write_note(dir.path(), 5);
  const auto original = codec::to_mono(codec::read_audio(file));
  const auto raw = code_clip(file, Bitrate::parse("raw"), 44100, 1025);
  EXPECT_EQ(raw.samples, original);
  EXPECT_EQ(raw.bytes, 0u);
  for (const char* kbps : {"8", "32", "128"}) {
    const auto coded = code_clip(file, Bitrate::parse(kbps), 44100, 1025);
    EXPECT_EQ(coded.samples.size(), original.size()) << kbps;
    EXPECT_GT(coded.snr_db, 3.0) << kbps;
    // A 2 s clip at B kbit/s is B * 250 bytes of frames, plus the info tag and rounding.
    const double expected = std::stoi(kbps) * 250.0;
    EXPECT_GT(coded.bytes, expected * 0.95) << kbps;
    EXPECT_LT(coded.bytes, expected * 1.25 + 1000) << kbps;
  }
}

TEST(CodeClip, StereoAndOtherRatesAreConvertedExplicitly) {
  TempDir dir;
  const auto stereo = write_note(dir.path(), 0, 22050, 2);
  const auto clip = code_clip(stereo, Bitrate::parse("raw"), 44100, 1025);
  EXPECT_EQ(clip.samples.size(), 88200u);  // 2 s at 44.1 kHz after resampling
}

TEST(CodeClip, EmptyAndNonAudioFilesAreNamed) {
  TempDir dir;
  const auto empty = dir.path() / "empty.wav";
  codec::Audio none;
  none.sample_rate = 44100;
  none.channels = 1;
  codec::write_wav(empty, none);
  auto message = testing::error_message_of<core::DataError>(
      [&] { code_clip(empty, Bitrate::parse("32"), 44100, 1025); });
  EXPECT_NE(message.find("empty.wav"), std::string::npos) << message;

  const auto text = dir.path() / "text.wav";
  std::ofstream(text) << "not audio";
  message = testing::error_message_of<core::DataError>(
      [&] { code_clip(text, Bitrate::parse("32"), 44100, 1025); });
  EXPECT_NE(message.find("text.wav"), std::string::npos) << message;

  codec::Audio tiny;
  tiny.sample_rate = 44100;
  tiny.channels = 1;
  tiny.samples.assign(100, 0.1f);
  const auto short_file = dir.path() / "short.wav";
  codec::write_wav(short_file, tiny);
  message = testing::error_message_of<core::DataError>(
      [&] { code_clip(short_file, Bitrate::parse("raw"), 44100, 1025); });
  EXPECT_NE(message.find("too short"), std::string::npos) << message;
}

TEST(AudioStats, AchievedBitrateOutputRateAndDelay) {
  TempDir dir;
  AudioStatsAccumulator at8(Bitrate::parse("8"), 44100);
  AudioStatsAccumulator at128(Bitrate::parse("128"), 44100);
  double bytes128 = 0;
  for (int effect : {0, 5, 9}) {
    const auto file = write_note(dir.path(), effect);
    at8.add(code_clip(file, Bitrate::parse("8"), 44100, 1025));
    const auto c = code_clip(file, Bitrate::parse("128"), 44100, 1025);
    bytes128 += static_cast<double>(c.bytes);
    at128.add(c);
  }
  const auto s8 = at8.result();
  const auto s128 = at128.result();
  // Payload: the frames without LAME's info frame (one 128 kbit/s frame at 44.1 kHz: 417 or
  // 418 bytes). The FLAC reference is the same clips' whatever the bitrate.
  EXPECT_NEAR(s128.mean_bytes - s128.mean_payload_bytes, 417.5, 0.5);
  EXPECT_DOUBLE_EQ(s8.mean_lossless_bytes, s128.mean_lossless_bytes);
  EXPECT_GT(s128.mean_lossless_payload_bytes, 0.0);
  EXPECT_LT(s128.mean_lossless_payload_bytes, s128.mean_lossless_bytes);
  EXPECT_LT(s128.mean_lossless_bytes, 2.0 * 2 * 44100) << "FLAC beats 16-bit PCM";
  EXPECT_EQ(s128.clips, 3);
  EXPECT_NEAR(s128.seconds_of_audio, 6.0, 1e-9);
  EXPECT_DOUBLE_EQ(s128.mean_bytes, bytes128 / 3.0);
  EXPECT_NEAR(s128.kbps, bytes128 * 8.0 / 6.0 / 1000.0, 1e-9);
  EXPECT_GT(s128.kbps, 128.0);  // the info tag and the last frame come on top
  EXPECT_LT(s128.kbps, 140.0);
  ASSERT_EQ(s128.output_sample_rates.size(), 1u);
  EXPECT_EQ(s128.output_sample_rates[0], 44100);
  ASSERT_EQ(s8.output_sample_rates.size(), 1u);
  EXPECT_LT(s8.output_sample_rates[0], 44100);  // LAME lowers the rate at 8 kbit/s
  EXPECT_GT(s8.mean_delay_seconds, 0.05);       // ... and the decoder leaves a delay
  EXPECT_LT(s128.max_delay_seconds, 0.01);
  ASSERT_TRUE(s8.mean_snr_db && s128.mean_snr_db);
  EXPECT_FALSE(AudioStatsAccumulator(Bitrate::parse("raw"), 44100).result().mean_snr_db);
}

}  // namespace
}  // namespace helmholtz::data
