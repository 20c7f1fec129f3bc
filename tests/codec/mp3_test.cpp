#include "helmholtz/codec/mp3.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::codec {
namespace {

using helmholtz::testing::error_message_of;

constexpr int kRate = 44100;
constexpr std::size_t kTwoSeconds = 2 * kRate;
// Irregularly spaced, so no shift by a whole period can line the train up with itself.
const std::vector<std::size_t> kClicks = {4410, 13671, 20727, 36603, 49392, 60858, 75411};

// Single-sample clicks of alternating sign (0.8 full scale) on silence, 2 s at 44.1 kHz.
std::vector<float> click_train() {
  std::vector<float> x(kTwoSeconds, 0.0f);
  for (std::size_t k = 0; k < kClicks.size(); ++k) x[kClicks[k]] = k % 2 == 0 ? 0.8f : -0.8f;
  return x;
}

// A guitar-like plucked G3 (196 Hz): silence, then harmonics that decay, higher ones faster;
// silence again after 1.6 s. 2 s at 44.1 kHz.
std::vector<float> plucked_note() {
  std::vector<float> x(kTwoSeconds, 0.0f);
  const double pi = std::acos(-1.0);
  const std::size_t onset = 6000;
  const std::size_t end = 70560;
  for (std::size_t i = onset; i < end; ++i) {
    const double t = static_cast<double>(i - onset) / kRate;
    double v = 0.0;
    for (int h = 1; h <= 12; ++h) {
      v += std::exp(-t * (2.0 + 1.5 * h)) / h * std::sin(2.0 * pi * 196.0 * h * t + 0.3 * h);
    }
    x[i] = static_cast<float>(0.5 * v);
  }
  return x;
}

std::vector<float> shifted(const std::vector<float>& x, int shift) {
  std::vector<float> y(x.size(), 0.0f);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long source = static_cast<long>(i) - shift;
    if (source >= 0 && source < static_cast<long>(x.size())) y[i] = x[source];
  }
  return y;
}

// Where |y| peaks within `radius` samples of `centre`.
std::size_t peak_near(const std::vector<float>& y, std::size_t centre, std::size_t radius) {
  std::size_t best = centre;
  for (std::size_t i = centre - radius; i <= centre + radius; ++i) {
    if (std::abs(y[i]) > std::abs(y[best])) best = i;
  }
  return best;
}

TEST(Mp3, KnowsTheMpegBitrates) {
  for (int kbps : {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320}) {
    EXPECT_TRUE(is_mpeg_bitrate(kbps)) << kbps;
    EXPECT_NO_THROW(check_mpeg_bitrate(kbps));
  }
  for (int kbps : {0, -8, 7, 33, 100, 127, 321, 384}) EXPECT_FALSE(is_mpeg_bitrate(kbps)) << kbps;
}

TEST(Mp3, RejectsBitrate33NamingTheOptionAndTheChoices) {
  const std::string message = error_message_of<core::UsageError>([] { check_mpeg_bitrate(33); });
  EXPECT_EQ(message.rfind("--bitrate 33: not an MP3 bitrate (use one of 8, 16, 24, ", 0), 0u)
      << message;
  EXPECT_NE(message.find("256, 320)"), std::string::npos) << message;
  EXPECT_THROW(encode_mp3(click_train(), kRate, 33), core::UsageError);
  EXPECT_THROW(mp3_round_trip(click_train(), kRate, 33), core::UsageError);
}

TEST(Mp3, ByteCountMatchesTheConstantBitrate) {
  const std::vector<float> note = plucked_note();
  for (int kbps : {32, 128}) {
    const Mp3 mp3 = encode_mp3(note, kRate, kbps);
    const double expected = kbps * 1000.0 * 2.0 / 8.0;  // 2 s of audio
    // LAME adds the info-tag frame and up to ~2 frames of encoder delay and padding.
    const double frame_bytes =
        (mp3.output_sample_rate >= 32000 ? 144.0 : 72.0) * kbps * 1000.0 / mp3.output_sample_rate;
    std::cout << kbps << " kbit/s: " << mp3.bytes.size() << " bytes (" << expected << " for 2 s), "
              << mp3.output_sample_rate << " Hz\n";
    EXPECT_GE(static_cast<double>(mp3.bytes.size()), expected) << kbps;
    EXPECT_LE(static_cast<double>(mp3.bytes.size()), 1.05 * expected + 4 * frame_bytes) << kbps;
    ASSERT_GE(mp3.bytes.size(), 2u);
    EXPECT_EQ(mp3.bytes[0], 0xFF) << "the stream starts with the info-tag frame";
    EXPECT_EQ(mp3.bytes[1] & 0xE0, 0xE0);
  }
}

// The payload is every frame but LAME's Info frame (CBR), which comes first: its length follows
// from the bitrate and LAME's output rate alone, and "Info" sits right after header and side
// information. Where a frame is too small to hold the tag (8 and 32 kbit/s at LAME's low output
// rates), LAME writes none and the payload is the whole stream.
TEST(Mp3, PayloadIsTheStreamWithoutTheInfoFrame) {
  const std::vector<float> note = plucked_note();
  for (int kbps : {8, 32, 128}) {
    const Mp3 mp3 = encode_mp3(note, kRate, kbps);
    const int rate = mp3.output_sample_rate;
    const bool mpeg1 = rate >= 32000;
    const std::size_t padding = (mp3.bytes[2] >> 1) & 1;
    const std::size_t frame =
        static_cast<std::size_t>((mpeg1 ? 144000 : 72000) * kbps / rate) + padding;
    const std::size_t tag = 4 + (mpeg1 ? 17 : 9);  // mono side information
    ASSERT_GT(mp3.bytes.size(), frame);
    const std::string at_tag(mp3.bytes.begin() + tag, mp3.bytes.begin() + tag + 4);
    EXPECT_EQ(at_tag == "Info", kbps == 128) << kbps << " kbit/s: '" << at_tag << "'";
    EXPECT_EQ(mp3.bytes[frame], 0xFF) << "the next frame starts right after the first";
    const std::size_t payload = mp3_payload_bytes(mp3.bytes.data(), mp3.bytes.size());
    EXPECT_EQ(payload, mp3.bytes.size() - (at_tag == "Info" ? frame : 0)) << kbps << " kbit/s";

    // ID3 tags around the stream are not payload either.
    std::vector<std::uint8_t> tagged = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20};
    tagged.resize(30, 0);
    tagged.insert(tagged.end(), mp3.bytes.begin(), mp3.bytes.end());
    std::vector<std::uint8_t> v1(128, ' ');
    v1[0] = 'T', v1[1] = 'A', v1[2] = 'G';
    tagged.insert(tagged.end(), v1.begin(), v1.end());
    EXPECT_EQ(mp3_payload_bytes(tagged.data(), tagged.size()), payload) << kbps;
  }
  const std::vector<std::uint8_t> junk(400, 0x00);
  EXPECT_THROW(mp3_payload_bytes(junk.data(), junk.size()), core::CodecError);
  auto cut = encode_mp3(note, kRate, 32).bytes;
  cut.resize(cut.size() - 5);
  EXPECT_THROW(mp3_payload_bytes(cut.data(), cut.size()), core::CodecError);
}

TEST(Mp3, LameLowersTheOutputRateAtLowBitrates) {
  const std::vector<float> note = plucked_note();
  const Mp3 low = encode_mp3(note, kRate, 8);
  const Mp3 high = encode_mp3(note, kRate, 128);
  EXPECT_LE(low.output_sample_rate, 11025);
  EXPECT_EQ(high.output_sample_rate, kRate);

  const Audio decoded = decode_mp3(low.bytes);
  EXPECT_EQ(decoded.sample_rate, low.output_sample_rate);
  EXPECT_EQ(decoded.channels, 1);
  EXPECT_GE(decoded.frames(), kTwoSeconds * low.output_sample_rate / kRate);
}

TEST(Mp3, DecodeRejectsBytesThatAreNotMp3) {
  const std::vector<std::uint8_t> bytes(4000, 0x00);
  EXPECT_THROW(decode_mp3(bytes), core::DataError);
  EXPECT_THROW(decode_mp3({}), core::DataError);
}

TEST(Resample, KeepsLengthAndTiming) {
  const std::vector<float> clicks = click_train();
  EXPECT_EQ(resample(clicks, kRate, kRate), clicks);
  const std::vector<float> down = resample(clicks, kRate, 22050);
  ASSERT_EQ(down.size(), kTwoSeconds / 2);
  const std::vector<float> up = resample(down, 22050, kRate);
  ASSERT_EQ(up.size(), kTwoSeconds);
  for (std::size_t click : kClicks)
    EXPECT_LE(std::labs(long(peak_near(up, click, 50)) - long(click)), 1);
  EXPECT_THROW(resample(clicks, 0, kRate), core::UsageError);
}

TEST(Alignment, EstimateDelayRecoversAKnownShiftExactly) {
  for (const std::vector<float>& signal : {click_train(), plucked_note()}) {
    for (int shift : {0, 1, 137, 6085, -59, -2000}) {
      EXPECT_EQ(estimate_delay(signal, shifted(signal, shift), kRate / 4), shift);
    }
  }
  const std::vector<float> silence(1000, 0.0f);
  EXPECT_EQ(estimate_delay(silence, silence, 100), 0);
}

TEST(Alignment, AlignCutsOrPadsToLength) {
  const std::vector<float> x = {1, 2, 3, 4, 5};
  EXPECT_EQ(align(x, 2, 5), (std::vector<float>{3, 4, 5, 0, 0}));
  EXPECT_EQ(align(x, -2, 4), (std::vector<float>{0, 0, 1, 2}));
  EXPECT_EQ(align(x, 0, 3), (std::vector<float>{1, 2, 3}));
  const std::vector<float> note = plucked_note();
  EXPECT_EQ(align(shifted(note, 321), 321, note.size()), shifted(shifted(note, 321), -321));
}

TEST(Mp3RoundTrip, ClicksLineUpAfterTheCodec) {
  const std::vector<float> clicks = click_train();
  for (int kbps : {8, 16, 32, 64, 128}) {
    const Mp3RoundTrip trip = mp3_round_trip(clicks, kRate, kbps);
    std::cout << "clicks " << kbps << " kbit/s: " << trip.mp3_bytes << " bytes, "
              << trip.output_sample_rate << " Hz, delay " << trip.delay_samples << " samples ("
              << trip.delay_samples / double(kRate) << " s), SNR " << trip.snr_db << " dB\n";
    ASSERT_EQ(trip.samples.size(), clicks.size());
    for (std::size_t click : kClicks) {
      const long found = static_cast<long>(peak_near(trip.samples, click, 200));
      EXPECT_LE(std::labs(found - static_cast<long>(click)), 2)
          << kbps << " kbit/s, click at " << click;
    }
  }
}

TEST(Mp3RoundTrip, PluckedNoteQualityRisesWithBitrate) {
  const std::vector<float> note = plucked_note();
  double snr_8 = 0.0;
  double snr_128 = 0.0;
  for (int kbps : {8, 16, 32, 64, 128}) {
    const Mp3RoundTrip trip = mp3_round_trip(note, kRate, kbps);
    std::cout << "pluck " << kbps << " kbit/s: " << trip.mp3_bytes << " bytes, "
              << trip.output_sample_rate << " Hz, delay " << trip.delay_samples << " samples ("
              << trip.delay_samples / double(kRate) << " s), SNR " << trip.snr_db << " dB\n";
    ASSERT_EQ(trip.samples.size(), note.size());
    EXPECT_EQ(trip.output_sample_rate, encode_mp3(note, kRate, kbps).output_sample_rate);
    if (kbps == 8) snr_8 = trip.snr_db;
    if (kbps == 128) snr_128 = trip.snr_db;
    // The aligned result must sit at lag 0 against the original.
    EXPECT_EQ(estimate_delay(note, trip.samples, 200), 0) << kbps;
  }
  // Waveform SNR need not rise at every step (the abrupt onset pre-echoes differently at each
  // rate), but 128 kbit/s must clearly beat 8 kbit/s.
  EXPECT_GT(snr_128, snr_8 + 3.0);
  EXPECT_GT(snr_128, 20.0);
}

}  // namespace
}  // namespace helmholtz::codec
