#include "helmholtz/codec/audio_codecs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "helmholtz/codec/mp3.hpp"
#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

#if defined(HELMHOLTZ_WITH_OPUS) || defined(HELMHOLTZ_WITH_VORBIS)
#include "helmholtz/codec/ogg.hpp"
#endif
#ifdef HELMHOLTZ_WITH_OPUS
#include "helmholtz/codec/opus.hpp"
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
#include "helmholtz/codec/vorbis.hpp"
#endif

namespace helmholtz::codec {
namespace {

using helmholtz::testing::error_message_of;

// Seeded uniform noise of amplitude `amplitude` (an LCG), `seconds` long at `rate`.
std::vector<float> noise(int rate, double seconds, std::uint64_t seed, float amplitude) {
  std::vector<float> x(static_cast<std::size_t>(rate * seconds));
  std::uint64_t state = seed;
  for (float& v : x) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = amplitude * static_cast<float>(static_cast<double>(state >> 40) / (1 << 24) * 2.0 - 1.0);
  }
  return x;
}

// The codecs of this build with a few bitrates each, for the loops below.
struct Case {
  AudioCodec codec;
  std::vector<int> kbps;
};
std::vector<Case> built_cases() {
  std::vector<Case> cases = {{AudioCodec::kMp3, {32, 128}}};
#ifdef HELMHOLTZ_WITH_OPUS
  cases.push_back({AudioCodec::kOpus, {12, 64, 128}});
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
  cases.push_back({AudioCodec::kVorbis, {48, 90}});
#endif
  return cases;
}

TEST(AudioCodecs, TableListsTheBuiltCodecsInOrder) {
  std::string names;
  for (const AudioCodecInfo& info : audio_codecs()) {
    names += (names.empty() ? "" : ",") + std::string(info.name);
    EXPECT_EQ(to_string(info.id), info.name);
    EXPECT_EQ(parse_audio_codec(info.name), info.id);
    EXPECT_EQ(&audio_codec_info(info.id), &audio_codec_info(parse_audio_codec(info.name)));
  }
  std::string expected = "mp3";
#ifdef HELMHOLTZ_WITH_OPUS
  expected += ",opus";
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
  expected += ",vorbis";
#endif
  EXPECT_EQ(names, expected);
  for (const char* name : {"mp3", "opus", "vorbis"}) EXPECT_TRUE(is_audio_codec_name(name));
  for (const char* name : {"aac", "MP3", "", "jpeg"}) EXPECT_FALSE(is_audio_codec_name(name));
  EXPECT_STREQ(audio_codec_info(AudioCodec::kOpus).library, "libopus");
  EXPECT_STREQ(audio_codec_info(AudioCodec::kVorbis).library, "libvorbis");
  EXPECT_STREQ(audio_codec_info(AudioCodec::kMp3).library, "LAME");
  EXPECT_EQ(to_string(AudioCodec::kVorbis), "vorbis");
}

TEST(AudioCodecs, ParseNamesTheChoices) {
  const std::string message = error_message_of<core::UsageError>([] { parse_audio_codec("aac"); });
#if defined(HELMHOLTZ_WITH_OPUS) && defined(HELMHOLTZ_WITH_VORBIS)
  EXPECT_EQ(message, "--codec aac: not an audio codec (use one of mp3, opus, vorbis)");
#else
  EXPECT_EQ(message.rfind("--codec aac: not an audio codec (use one of mp3", 0), 0u) << message;
#endif
#ifndef HELMHOLTZ_WITH_OPUS
  EXPECT_EQ(error_message_of<core::UsageError>([] { parse_audio_codec("opus"); }),
            "--codec opus: this build has no Opus (libopus was not found when it was "
            "configured; install libopus-dev libopusenc-dev libopusfile-dev and rebuild)");
  EXPECT_THROW(check_bitrate(AudioCodec::kOpus, 64, 44100), core::UsageError);
#endif
#ifndef HELMHOLTZ_WITH_VORBIS
  EXPECT_EQ(error_message_of<core::UsageError>([] { parse_audio_codec("vorbis"); }),
            "--codec vorbis: this build has no Vorbis (libvorbis was not found when it was "
            "configured; install libvorbis-dev libogg-dev and rebuild)");
#endif
}

TEST(AudioCodecs, CheckBitrateNamesTheOptionAndTheRange) {
  EXPECT_NO_THROW(check_bitrate(AudioCodec::kMp3, 128, 44100));
  const std::string mp3 =
      error_message_of<core::UsageError>([] { check_bitrate(AudioCodec::kMp3, 100, 44100); });
  EXPECT_EQ(mp3.rfind("--bitrate 100: not an MP3 bitrate (use one of 8, 16, ", 0), 0u) << mp3;
#ifdef HELMHOLTZ_WITH_OPUS
  EXPECT_NO_THROW(check_bitrate(AudioCodec::kOpus, 6, 44100));
  EXPECT_NO_THROW(check_bitrate(AudioCodec::kOpus, 256, 22050));
  const std::string opus =
      error_message_of<core::UsageError>([] { check_bitrate(AudioCodec::kOpus, 320, 44100); });
  EXPECT_EQ(opus.rfind("--bitrate 320: not an Opus bitrate (use 6 to 256 kbit/s", 0), 0u) << opus;
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
  EXPECT_NO_THROW(check_bitrate(AudioCodec::kVorbis, 240, 44100));
  EXPECT_NO_THROW(check_bitrate(AudioCodec::kVorbis, 16, 22050));
  const std::string vorbis =
      error_message_of<core::UsageError>([] { check_bitrate(AudioCodec::kVorbis, 16, 44100); });
  EXPECT_EQ(vorbis.rfind("--bitrate 16: not a Vorbis bitrate at 44100 Hz (", 0), 0u) << vorbis;
  EXPECT_NE(vorbis.find("32 to 240 kbit/s"), std::string::npos) << vorbis;
  EXPECT_THROW(check_bitrate(AudioCodec::kVorbis, 100, 22050), core::UsageError);
#endif
  for (const Case& c : built_cases()) {
    const std::vector<float> x = noise(44100, 0.5, 1, 0.3f);
    EXPECT_THROW(audio_round_trip(c.codec, x, 44100, 1000), core::UsageError) << to_string(c.codec);
  }
}

// mp3.hpp's functions are the MP3 rows of the generic ones.
TEST(AudioCodecs, Mp3WrappersAreTheGenericMp3RoundTrip) {
  const std::vector<float> x = noise(22050, 1.0, 3, 0.3f);
  const Mp3RoundTrip mp3 = mp3_round_trip(x, 22050, 32);
  const AudioRoundTrip generic = audio_round_trip(AudioCodec::kMp3, x, 22050, 32);
  EXPECT_EQ(mp3.samples, generic.samples);
  EXPECT_EQ(mp3.mp3_bytes, generic.bytes);
  EXPECT_EQ(mp3.mp3_payload_bytes, generic.payload_bytes);
  EXPECT_EQ(mp3.output_sample_rate, generic.output_sample_rate);
  EXPECT_EQ(mp3.delay_samples, generic.delay_samples);
  EXPECT_EQ(mp3.snr_db, generic.snr_db);
  EXPECT_EQ(codec_delay(22050, 32), codec_delay(AudioCodec::kMp3, 22050, 32));
  EXPECT_EQ(audio_codec_versions(), audio_codec_versions(AudioCodec::kMp3));
  EXPECT_EQ(audio_codec_versions().rfind("LAME ", 0), 0u);
}

TEST(AudioCodecs, VersionsNameEachCodecsLibraries) {
  for (const AudioCodecInfo& info : audio_codecs()) {
    const std::string versions = audio_codec_versions(info.id);
    std::cout << info.name << ": " << versions << "\n";
    EXPECT_NE(versions.find(info.id == AudioCodec::kVorbis ? "libVorbis" : info.library),
              std::string::npos)
        << versions;
    // soxr is in the chain where the codec codes at another rate (MP3 at LAME's lower rates,
    // Opus at 48 kHz); Vorbis codes at the input's rate.
    EXPECT_EQ(versions.find("soxr") != std::string::npos, info.id != AudioCodec::kVorbis);
  }
}

// The delay codec_delay removes is the lag that lines a round trip up best: on noise other than
// the probe (another seed and length) the aligned output peaks at lag 0, and shifting it one
// sample either way loses SNR (measured: 0.07 dB for Opus at 12 kbit/s, which barely codes
// white noise (SNR 0 dB), 0.7 dB for MP3 at 32 kbit/s from 44.1 kHz (LAME codes at 22.05 kHz,
// so the noise above 11 kHz is gone), 4..15 dB elsewhere).
TEST(AudioCodecs, TheRemovedDelayMaximisesTheCorrelation) {
  for (int rate : {44100, 22050}) {
    const std::vector<float> x = noise(rate, 1.3, 77, 0.3f);
    for (const Case& c : built_cases()) {
      for (int kbps : c.kbps) {
        const AudioRoundTrip trip = audio_round_trip(c.codec, x, rate, kbps);
        const double minus = snr_db(x, align(trip.samples, -1, x.size()));
        const double plus = snr_db(x, align(trip.samples, 1, x.size()));
        std::cout << to_string(c.codec) << " " << rate << " Hz " << kbps << " kbit/s: delay "
                  << trip.delay_samples << " samples, " << trip.bytes << " bytes ("
                  << trip.payload_bytes << " payload), coded at " << trip.output_sample_rate
                  << " Hz, SNR " << trip.snr_db << " dB (shifted -1: " << minus << ", +1: " << plus
                  << ")\n";
        EXPECT_EQ(trip.delay_samples, codec_delay(c.codec, rate, kbps));
        ASSERT_EQ(trip.samples.size(), x.size());
        EXPECT_EQ(estimate_delay(x, trip.samples, rate / 4), 0) << to_string(c.codec) << kbps;
        EXPECT_GT(trip.snr_db, std::max(minus, plus)) << to_string(c.codec) << " " << kbps;
        // MP3 at low bitrates has no info frame: the whole stream is payload.
        EXPECT_LE(trip.payload_bytes, trip.bytes);
        if (c.codec != AudioCodec::kMp3) {
          EXPECT_LT(trip.payload_bytes, trip.bytes);
        }
      }
    }
  }
}

#if defined(HELMHOLTZ_WITH_OPUS) || defined(HELMHOLTZ_WITH_VORBIS)

// An Ogg page as the format defines it (RFC 3533), read here without libogg: 27 header bytes,
// the segment table, then the body, its length the sum of the lacing values.
struct Page {
  std::size_t offset = 0;
  std::size_t header = 0;  // 27 + segments
  std::size_t body = 0;
  std::int64_t granule = 0;
};

std::vector<Page> pages_of(const std::vector<std::uint8_t>& b) {
  std::vector<Page> pages;
  for (std::size_t at = 0; at + 27 <= b.size();) {
    Page p;
    p.offset = at;
    const std::size_t segments = b[at + 26];
    p.header = 27 + segments;
    for (std::size_t s = 0; s < segments; ++s) p.body += b[at + 27 + s];
    for (int k = 7; k >= 0; --k) p.granule = (p.granule << 8) | b[at + 6 + k];
    pages.push_back(p);
    at += p.header + p.body;
  }
  return pages;
}

struct OggCase {
  const char* name;
  int header_packets;
  std::vector<std::uint8_t> bytes;
};

std::vector<OggCase> ogg_cases() {
  std::vector<OggCase> cases;
  const std::vector<float> x = noise(44100, 2.0, 5, 0.3f);
#ifdef HELMHOLTZ_WITH_OPUS
  cases.push_back({"opus", 2, encode_opus(x, 44100, 64)});
#endif
#ifdef HELMHOLTZ_WITH_VORBIS
  cases.push_back({"vorbis", 3, encode_vorbis(x, 44100, 64)});
#endif
  return cases;
}

// Both encoders flush their header packets onto pages of their own (granule position 0), so the
// payload is the bodies of the later pages.
TEST(OggPayload, IsThePacketBytesAfterTheHeaders) {
  for (const OggCase& c : ogg_cases()) {
    std::size_t audio_bodies = 0;
    std::size_t framing = 0;
    std::size_t total = 0;
    for (const Page& p : pages_of(c.bytes)) {
      if (p.granule != 0) audio_bodies += p.body;
      framing += p.header;
      total += p.header + p.body;
    }
    ASSERT_EQ(total, c.bytes.size()) << c.name;
    const std::size_t payload = ogg_payload_bytes(c.bytes.data(), c.bytes.size(), c.header_packets);
    std::cout << c.name << ": " << c.bytes.size() << " bytes, " << payload << " payload, "
              << framing << " of page headers\n";
    EXPECT_EQ(payload, audio_bodies) << c.name;
    EXPECT_LT(payload, c.bytes.size()) << c.name;
    EXPECT_EQ(ogg_payload_bytes(c.bytes.data(), c.bytes.size(), 0), total - framing)
        << c.name << ": every packet";
  }
}

TEST(OggPayload, DamagedPagesAreErrorsNotSkipped) {
  for (const OggCase& c : ogg_cases()) {
    const std::vector<Page> pages = pages_of(c.bytes);
    ASSERT_GE(pages.size(), 4u) << c.name;
    // A byte in a body, in a header's granule position, in a capture pattern, and in the last
    // page: each page's CRC covers all of it.
    const std::vector<std::size_t> where = {pages[2].offset + pages[2].header + pages[2].body / 2,
                                            pages[1].offset + 8, pages[3].offset,
                                            pages.back().offset + pages.back().header + 1, 0};
    for (std::size_t at : where) {
      std::vector<std::uint8_t> damaged = c.bytes;
      damaged[at] ^= 0x01;
      const std::string message = error_message_of<core::CodecError>(
          [&] { ogg_payload_bytes(damaged.data(), damaged.size(), c.header_packets); });
      EXPECT_NE(message.find("at byte"), std::string::npos) << c.name << " " << at << message;
    }
    // Cut short inside a page, at a page boundary (no end-of-stream page), a page removed.
    const std::size_t boundary = pages.back().offset;
    for (std::size_t size : {c.bytes.size() - 7, boundary}) {
      EXPECT_THROW(ogg_payload_bytes(c.bytes.data(), size, c.header_packets), core::CodecError)
          << c.name << " " << size;
    }
    std::vector<std::uint8_t> gap(c.bytes.begin(), c.bytes.begin() + pages[2].offset);
    gap.insert(gap.end(), c.bytes.begin() + pages[3].offset, c.bytes.end());
    EXPECT_THROW(ogg_payload_bytes(gap.data(), gap.size(), c.header_packets), core::CodecError)
        << c.name << ": a missing page";
    // Two streams back to back (chained).
    std::vector<std::uint8_t> chained = c.bytes;
    chained.insert(chained.end(), c.bytes.begin(), c.bytes.end());
    EXPECT_THROW(ogg_payload_bytes(chained.data(), chained.size(), c.header_packets),
                 core::CodecError);
    EXPECT_THROW(ogg_payload_bytes(c.bytes.data(), c.bytes.size(), 100000), core::CodecError);
  }
  const std::vector<std::uint8_t> junk(1000, 0x4F);
  EXPECT_THROW(ogg_payload_bytes(junk.data(), junk.size(), 2), core::CodecError);
  EXPECT_THROW(ogg_payload_bytes(junk.data(), 0, 2), core::CodecError);
  EXPECT_THROW(ogg_payload_bytes(junk.data(), junk.size(), -1), core::UsageError);
}

#endif  // HELMHOLTZ_WITH_OPUS || HELMHOLTZ_WITH_VORBIS

}  // namespace
}  // namespace helmholtz::codec
