#include "helmholtz/codec/audio.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

using helmholtz::testing::error_message_of;
using helmholtz::testing::TempDir;

constexpr float kPcm16Tolerance = 1.5f / 32768.0f;

std::vector<float> sine(int sample_rate, double hz, double amplitude, std::size_t length) {
  std::vector<float> x(length);
  const double pi = std::acos(-1.0);
  for (std::size_t i = 0; i < length; ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2.0 * pi * hz * i / sample_rate));
  }
  return x;
}

TEST(Audio, WavRoundTripKeepsSamplesToSixteenBits) {
  TempDir dir;
  const auto file = dir.path() / "tone.wav";
  Audio audio;
  audio.sample_rate = 44100;
  audio.channels = 1;
  audio.samples = sine(44100, 440.0, 0.7, 4410);
  write_wav(file, audio);

  const Audio back = read_audio(file);
  EXPECT_EQ(back.sample_rate, 44100);
  EXPECT_EQ(back.channels, 1);
  ASSERT_EQ(back.frames(), 4410u);
  for (std::size_t i = 0; i < audio.samples.size(); ++i) {
    ASSERT_NEAR(back.samples[i], audio.samples[i], kPcm16Tolerance) << "sample " << i;
  }
}

TEST(Audio, WavWriteClipsToFullScale) {
  TempDir dir;
  const auto file = dir.path() / "loud.wav";
  Audio audio{22050, 1, {2.0f, -3.0f, 0.5f}};
  write_wav(file, audio);
  const Audio back = read_audio(file);
  ASSERT_EQ(back.frames(), 3u);
  EXPECT_NEAR(back.samples[0], 1.0f, kPcm16Tolerance);
  EXPECT_NEAR(back.samples[1], -1.0f, kPcm16Tolerance);
  EXPECT_NEAR(back.samples[2], 0.5f, kPcm16Tolerance);
}

TEST(Audio, StereoIsReadAsStereoAndMixedExplicitly) {
  TempDir dir;
  const auto file = dir.path() / "stereo.wav";
  const std::vector<float> left = sine(16000, 300.0, 0.5, 1600);
  const std::vector<float> right = sine(16000, 1000.0, 0.25, 1600);
  Audio audio;
  audio.sample_rate = 16000;
  audio.channels = 2;
  for (std::size_t i = 0; i < left.size(); ++i) {
    audio.samples.push_back(left[i]);
    audio.samples.push_back(right[i]);
  }
  write_wav(file, audio);

  const Audio back = read_audio(file);
  EXPECT_EQ(back.channels, 2);
  EXPECT_EQ(back.sample_rate, 16000);
  ASSERT_EQ(back.frames(), 1600u);
  const std::vector<float> mono = to_mono(back);
  ASSERT_EQ(mono.size(), 1600u);
  for (std::size_t i = 0; i < mono.size(); ++i) {
    ASSERT_NEAR(mono[i], 0.5f * (left[i] + right[i]), kPcm16Tolerance) << "frame " << i;
  }
}

TEST(Audio, MonoToMonoIsACopy) {
  const Audio audio{8000, 1, {0.1f, -0.2f, 0.3f}};
  EXPECT_EQ(to_mono(audio), audio.samples);
}

TEST(Audio, EmptyWavIsRejectedNamingTheFile) {
  TempDir dir;
  const auto file = dir.path() / "empty.wav";
  write_wav(file, Audio{44100, 1, {}});
  ASSERT_TRUE(std::filesystem::exists(file));
  const std::string message = error_message_of<core::DataError>([&] { read_audio(file); });
  EXPECT_NE(message.find("empty.wav"), std::string::npos) << message;
  EXPECT_NE(message.find("no audio frames"), std::string::npos) << message;
}

TEST(Audio, NonAudioFileIsRejectedNamingTheFile) {
  TempDir dir;
  const auto file = dir.path() / "notes.wav";
  std::ofstream(file) << "this is a text file, not a RIFF/WAVE file\n";
  const std::string message = error_message_of<core::DataError>([&] { read_audio(file); });
  EXPECT_NE(message.find("notes.wav"), std::string::npos) << message;
  EXPECT_NE(message.find("not readable as audio"), std::string::npos) << message;
}

TEST(Audio, MissingFileIsRejectedNamingTheFile) {
  TempDir dir;
  const auto file = dir.path() / "missing.wav";
  const std::string message = error_message_of<core::DataError>([&] { read_audio(file); });
  EXPECT_NE(message.find("missing.wav"), std::string::npos) << message;
}

TEST(Audio, ReadsWavBytesFromMemory) {
  TempDir dir;
  const auto file = dir.path() / "tone.wav";
  Audio audio{8000, 1, sine(8000, 200.0, 0.5, 800)};
  write_wav(file, audio);
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());

  const Audio back = read_audio_memory(bytes.data(), bytes.size(), "tone in memory");
  EXPECT_EQ(back.sample_rate, 8000);
  ASSERT_EQ(back.frames(), 800u);
  for (std::size_t i = 0; i < audio.samples.size(); ++i) {
    ASSERT_NEAR(back.samples[i], audio.samples[i], kPcm16Tolerance) << "sample " << i;
  }
}

TEST(Audio, MemoryThatIsNotAudioIsRejectedNamingIt) {
  const std::vector<std::uint8_t> bytes(1000, 0x42);
  const std::string message = error_message_of<core::DataError>(
      [&] { read_audio_memory(bytes.data(), bytes.size(), "garbage buffer"); });
  EXPECT_NE(message.find("garbage buffer"), std::string::npos) << message;
  EXPECT_THROW(read_audio_memory(nullptr, 0, "nothing"), core::DataError);
}

}  // namespace
}  // namespace helmholtz::codec

namespace helmholtz::codec {
namespace {

// FLAC is lossless at 16 bits; its payload starts with a frame's sync code right after the
// metadata, and silence costs a small fraction of a tone.
TEST(Flac, LosslessToSixteenBitsWithThePayloadAfterTheMetadata) {
  const auto tone = sine(16000, 440.0, 0.6, 16000);
  const auto flac = encode_flac(tone, 16000);
  const Audio back = read_audio_memory(flac.data(), flac.size(), "FLAC stream");
  EXPECT_EQ(back.sample_rate, 16000);
  ASSERT_EQ(back.frames(), tone.size());
  for (std::size_t i = 0; i < tone.size(); ++i) {
    ASSERT_NEAR(back.samples[i], tone[i], kPcm16Tolerance) << "sample " << i;
  }
  const std::size_t payload = flac_payload_bytes(flac.data(), flac.size());
  const std::size_t head = flac.size() - payload;
  EXPECT_GE(head, 4u + 4u + 34u) << "the marker and STREAMINFO at least";
  EXPECT_EQ(flac[head], 0xFF);
  EXPECT_EQ(flac[head + 1] & 0xFE, 0xF8) << "a FLAC frame's sync code";
  EXPECT_LT(payload, 2 * tone.size()) << "smaller than 16-bit PCM";

  const std::vector<float> silence(16000, 0.0f);
  const auto quiet = encode_flac(silence, 16000);
  EXPECT_LT(flac_payload_bytes(quiet.data(), quiet.size()), payload / 20);
  EXPECT_EQ(quiet.size() - flac_payload_bytes(quiet.data(), quiet.size()), head)
      << "the metadata does not depend on the signal";
}

TEST(Flac, RefusesWhatIsNotFlac) {
  EXPECT_THROW(encode_flac({}, 16000), core::UsageError);
  const std::vector<std::uint8_t> junk = {'R', 'I', 'F', 'F', 0, 0, 0, 0};
  EXPECT_THROW(flac_payload_bytes(junk.data(), junk.size()), core::CodecError);
  auto flac = encode_flac(sine(8000, 300.0, 0.5, 800), 8000);
  flac.resize(20);  // inside STREAMINFO
  EXPECT_THROW(flac_payload_bytes(flac.data(), flac.size()), core::CodecError);
}

}  // namespace
}  // namespace helmholtz::codec
