#include "helmholtz/codec/vorbis.hpp"

#include <gtest/gtest.h>

#ifdef HELMHOLTZ_WITH_VORBIS

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/ogg.hpp"
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

using helmholtz::testing::error_message_of;
using helmholtz::testing::quoted;
using helmholtz::testing::run_shell;
using helmholtz::testing::TempDir;

// 0.25 sin(440 Hz) + 0.15 sin(1234.5 Hz) + 0.08 sin(3100 Hz) + seeded uniform noise of amplitude
// 0.2 (an LCG, the same on every platform), `seconds` long at `rate`.
std::vector<float> tones_and_noise(int rate, double seconds, std::uint64_t seed = 42) {
  const double pi = std::acos(-1.0);
  std::vector<float> x(static_cast<std::size_t>(rate * seconds));
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 40) / (1 << 24) * 2.0 - 1.0;
    x[i] = static_cast<float>(0.25 * std::sin(2 * pi * 440 * t) +
                              0.15 * std::sin(2 * pi * 1234.5 * t + 1) +
                              0.08 * std::sin(2 * pi * 3100 * t) + 0.2 * u);
  }
  return x;
}

std::size_t payload(const std::vector<std::uint8_t>& ogg) {
  return ogg_payload_bytes(ogg.data(), ogg.size(), 3);
}

// The number of Ogg pages: 27 header bytes, the segment table, the body (RFC 3533).
std::size_t page_count(const std::vector<std::uint8_t>& b) {
  std::size_t pages = 0;
  for (std::size_t at = 0; at + 27 <= b.size(); ++pages) {
    const std::size_t segments = b[at + 26];
    std::size_t body = 0;
    for (std::size_t s = 0; s < segments && at + 27 + s < b.size(); ++s) body += b[at + 27 + s];
    at += 27 + segments + body;
  }
  return pages;
}

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& file) {
  const std::string text = helmholtz::testing::read_text(file);
  return {text.begin(), text.end()};
}

// libvorbis 1.3.7's mono modes, asked of libvorbis (vorbis_encode_setup_managed).
TEST(Vorbis, BitrateRangeIsWhatLibvorbisSetsUp) {
  const VorbisBitrates at_44k = vorbis_bitrate_range(44100);
  EXPECT_EQ(at_44k.min_kbps, 32);
  EXPECT_EQ(at_44k.max_kbps, 240);
  const VorbisBitrates at_22k = vorbis_bitrate_range(22050);
  EXPECT_EQ(at_22k.min_kbps, 16);
  EXPECT_EQ(at_22k.max_kbps, 90);
  EXPECT_EQ(vorbis_bitrate_range(96000).max_kbps, 0);
  // The table's words are libvorbis' range at the study's 44.1 kHz.
  EXPECT_STREQ(audio_codec_info(AudioCodec::kVorbis).bitrates, "32 to 240");
  // One interval: every bitrate inside is accepted.
  for (int rate : {44100, 22050}) {
    const VorbisBitrates range = vorbis_bitrate_range(rate);
    for (int kbps = range.min_kbps; kbps <= range.max_kbps; ++kbps) {
      EXPECT_NO_THROW(check_vorbis_bitrate(kbps, rate)) << rate << " Hz " << kbps;
    }
    EXPECT_THROW(check_vorbis_bitrate(range.min_kbps - 1, rate), core::UsageError);
    EXPECT_THROW(check_vorbis_bitrate(range.max_kbps + 1, rate), core::UsageError);
  }
  EXPECT_EQ(error_message_of<core::UsageError>([] { check_vorbis_bitrate(16, 44100); }),
            "--bitrate 16: not a Vorbis bitrate at 44100 Hz (libvorbis codes mono at 44100 Hz "
            "from 32 to 240 kbit/s)");
  EXPECT_EQ(error_message_of<core::UsageError>([] { check_vorbis_bitrate(64, 96000); }),
            "--bitrate 64: not a Vorbis bitrate at 96000 Hz (libvorbis has no mono mode at "
            "96000 Hz at all; resample the input)");
  const std::vector<float> x = tones_and_noise(44100, 0.5);
  EXPECT_THROW(encode_vorbis(x, 44100, 300), core::UsageError);
  EXPECT_THROW(encode_vorbis(x, 0, 64), core::UsageError);
  EXPECT_THROW(encode_vorbis({}, 44100, 64), core::CodecError);
}

// Without bitrate management the bitrate only picks libvorbis' quality, so the payload follows
// the signal. On this signal, measured: 44.1 kHz 32..240 kbit/s within -7%..+15%; 22.05 kHz
// 32..90 within -1%..+12%, but the lowest modes there cannot go lower (16 kbit/s: +63%,
// 24: +41%).
TEST(Vorbis, AchievedBitrateIsNearTheTarget) {
  const double seconds = 1.5;
  for (int rate : {44100, 22050}) {
    const std::vector<float> x = tones_and_noise(rate, seconds);
    const VorbisBitrates range = vorbis_bitrate_range(rate);
    for (int kbps : {32, 48, 64, 90, 128, 160, 240}) {
      if (kbps > range.max_kbps) continue;
      const auto ogg = encode_vorbis(x, rate, kbps);
      const double achieved = payload(ogg) * 8.0 / seconds / 1000.0;
      std::cout << "vorbis " << rate << " Hz " << kbps << " kbit/s: " << ogg.size() << " bytes, "
                << payload(ogg) << " payload, " << achieved << " kbit/s\n";
      EXPECT_NEAR(achieved, kbps, 0.20 * kbps) << rate << " Hz " << kbps;
    }
  }
}

// oggenc -b B (vorbis-tools 1.4.2) writes the same stream: same pages, same packets; the files
// differ only in the random serial number and so the page CRCs (measured: equal sizes, 8 bytes
// differing per page).
TEST(Vorbis, MatchesOggencOnTheSameInput) {
  if (run_shell("command -v oggenc").exit_code != 0) {
    GTEST_SKIP() << "oggenc (vorbis-tools) is not installed";
  }
  const TempDir dir;
  for (int rate : {44100, 22050}) {
    const auto wav = dir.path() / "in.wav";
    const auto out = dir.path() / "out.ogg";
    write_wav(wav, Audio{rate, 1, tones_and_noise(rate, 1.5)});
    const std::vector<float> x = to_mono(read_audio(wav));  // the 16-bit samples oggenc reads
    const VorbisBitrates range = vorbis_bitrate_range(rate);
    for (int kbps : {range.min_kbps, 64, range.max_kbps}) {
      ASSERT_EQ(run_shell("oggenc --quiet -b " + std::to_string(kbps) + " " + quoted(wav) + " -o " +
                          quoted(out))
                    .exit_code,
                0);
      const auto theirs = file_bytes(out);
      const auto ours = encode_vorbis(x, rate, kbps);
      std::size_t differing = 0;
      for (std::size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
        differing += ours[i] != theirs[i] ? 1 : 0;
      }
      std::cout << rate << " Hz " << kbps << " kbit/s: oggenc " << theirs.size() << " bytes ("
                << payload(theirs) << " payload), ours " << ours.size() << " (" << payload(ours)
                << "), " << differing << " bytes differ\n";
      EXPECT_EQ(ours.size(), theirs.size()) << rate << " Hz " << kbps;
      EXPECT_EQ(payload(ours), payload(theirs)) << rate << " Hz " << kbps;
      EXPECT_LE(differing, 8 * page_count(ours)) << rate << " Hz " << kbps;
    }
  }
}

TEST(Vorbis, DecodesAtTheInputRateAndLength) {
  for (int rate : {44100, 22050}) {
    const std::vector<float> x = tones_and_noise(rate, 1.0);
    const Audio decoded = decode_vorbis(encode_vorbis(x, rate, 64));
    EXPECT_EQ(decoded.sample_rate, rate);
    EXPECT_EQ(decoded.channels, 1);
    EXPECT_EQ(decoded.frames(), x.size()) << "trimmed to the last granule position";
  }
}

// Measured: vorbisfile's output is aligned with the input (codec_delay 0 at every bitrate and
// both rates), and the aligned SNR is 2.6..26 dB above a shift of one sample.
TEST(VorbisRoundTrip, AlignedQualityRisesWithBitrate) {
  for (int rate : {44100, 22050}) {
    const std::vector<float> x = tones_and_noise(rate, 1.5);
    const VorbisBitrates range = vorbis_bitrate_range(rate);
    double previous = -100.0;
    for (int kbps : {range.min_kbps, 48, 64, 90, 128, 240}) {
      if (kbps > range.max_kbps) continue;
      const AudioRoundTrip trip = audio_round_trip(AudioCodec::kVorbis, x, rate, kbps);
      const double minus = snr_db(x, align(trip.samples, -1, x.size()));
      const double plus = snr_db(x, align(trip.samples, 1, x.size()));
      std::cout << "vorbis " << rate << " Hz " << kbps << " kbit/s: delay " << trip.delay_samples
                << ", SNR " << trip.snr_db << " dB (shifted -1: " << minus << ", +1: " << plus
                << ")\n";
      ASSERT_EQ(trip.samples.size(), x.size());
      EXPECT_EQ(trip.output_sample_rate, rate);
      EXPECT_EQ(trip.delay_samples, 0) << kbps;
      EXPECT_EQ(estimate_delay(x, trip.samples, 200), 0) << kbps;
      EXPECT_GT(trip.snr_db, std::max(minus, plus) + 2.0) << kbps;
      EXPECT_GT(trip.snr_db, previous + 0.5) << kbps;
      previous = trip.snr_db;
    }
    EXPECT_GT(previous, 20.0) << rate;
  }
}

TEST(Vorbis, DecodeRejectsBytesThatAreNotOggVorbis) {
  EXPECT_THROW(decode_vorbis({}), core::DataError);
  EXPECT_THROW(decode_vorbis(std::vector<std::uint8_t>(4000, 0x00)), core::DataError);
  auto bytes = encode_vorbis(tones_and_noise(44100, 1.0), 44100, 64);
  EXPECT_THROW(decode_vorbis({bytes.begin(), bytes.begin() + 100}), core::DataError);
  // A flipped byte inside an audio page: its CRC fails.
  bytes[bytes.size() / 2] ^= 0x40;
  EXPECT_THROW(decode_vorbis(bytes), core::DataError);
  EXPECT_THROW(payload(bytes), core::CodecError);
}

TEST(Vorbis, VersionIsLibvorbis) {
  EXPECT_EQ(vorbis_version().rfind("Xiph.Org libVorbis 1.", 0), 0u) << vorbis_version();
}

}  // namespace
}  // namespace helmholtz::codec

#endif  // HELMHOLTZ_WITH_VORBIS
