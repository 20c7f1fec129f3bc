#include "helmholtz/codec/mp3.hpp"

#include <lame/lame.h>
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

constexpr std::array<int, 18> kMpegBitrates = {8,  16,  24,  32,  40,  48,  56,  64,  80,
                                               96, 112, 128, 144, 160, 192, 224, 256, 320};

struct LameCloser {
  void operator()(lame_global_flags* flags) const { lame_close(flags); }
};
using LameHandle = std::unique_ptr<lame_global_flags, LameCloser>;

// One MPEG audio Layer III frame header, decoded.
struct FrameHeader {
  std::size_t length = 0;     // the whole frame, header included
  std::size_t tag_offset = 0;  // where a Xing/Info tag would start: after header, CRC, side info
};

// The frame header at `p` (4 bytes available), or nullopt when it is not a Layer III header.
std::optional<FrameHeader> frame_header(const std::uint8_t* p) {
  if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return std::nullopt;
  const int version = (p[1] >> 3) & 3;  // 0 MPEG-2.5, 1 reserved, 2 MPEG-2, 3 MPEG-1
  const int layer = (p[1] >> 1) & 3;    // 1 = Layer III
  if (version == 1 || layer != 1) return std::nullopt;
  const bool crc = (p[1] & 1) == 0;
  const int bitrate_index = p[2] >> 4;
  const int rate_index = (p[2] >> 2) & 3;
  if (bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) return std::nullopt;
  constexpr std::array<int, 15> kMpeg1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192,
                                          224, 256, 320};
  constexpr std::array<int, 15> kMpeg2 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112,
                                          128, 144, 160};
  constexpr std::array<int, 3> kRates = {44100, 48000, 32000};
  const bool mpeg1 = version == 3;
  const int kbps = (mpeg1 ? kMpeg1 : kMpeg2)[static_cast<std::size_t>(bitrate_index)];
  const int rate =
      kRates[static_cast<std::size_t>(rate_index)] >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
  const bool padding = ((p[2] >> 1) & 1) != 0;
  const bool mono = (p[3] >> 6) == 3;
  FrameHeader h;
  h.length = static_cast<std::size_t>((mpeg1 ? 144000 : 72000) * kbps / rate) + (padding ? 1 : 0);
  h.tag_offset = 4 + (crc ? 2 : 0) + (mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
  return h;
}

}  // namespace

bool is_mpeg_bitrate(int kbps) {
  return std::find(kMpegBitrates.begin(), kMpegBitrates.end(), kbps) != kMpegBitrates.end();
}

void check_mpeg_bitrate(int kbps) {
  if (is_mpeg_bitrate(kbps)) return;
  std::string list;
  for (int rate : kMpegBitrates) list += (list.empty() ? "" : ", ") + std::to_string(rate);
  throw core::UsageError("--bitrate " + std::to_string(kbps) + ": not an MP3 bitrate (use one of " +
                         list + ")");
}

Mp3 encode_mp3(const std::vector<float>& mono, int sample_rate, int bitrate_kbps) {
  check_mpeg_bitrate(bitrate_kbps);
  if (sample_rate <= 0) {
    throw core::UsageError("MP3 encode: sample rate " + std::to_string(sample_rate) +
                           " Hz is not positive");
  }
  if (mono.empty()) throw core::CodecError("MP3 encode: no samples to encode");
  if (mono.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) {
    throw core::UsageError("MP3 encode: " + std::to_string(mono.size()) +
                           " samples is too long for one LAME call; cut the clip");
  }

  LameHandle lame(lame_init());
  if (!lame) throw core::CodecError("cannot create a LAME encoder (out of memory?)");
  lame_global_flags* gf = lame.get();
  // As `lame -b N`: CBR at N kbit/s; mono input, mono output; the output rate is left to LAME.
  lame_set_num_channels(gf, 1);
  lame_set_in_samplerate(gf, sample_rate);
  lame_set_brate(gf, bitrate_kbps);
  lame_set_VBR(gf, vbr_off);
  lame_set_mode(gf, MONO);
  if (lame_init_params(gf) < 0) {
    throw core::CodecError("LAME refused " + std::to_string(bitrate_kbps) + " kbit/s at " +
                           std::to_string(sample_rate) + " Hz input; try another bitrate");
  }

  Mp3 mp3;
  mp3.output_sample_rate = lame_get_out_samplerate(gf);
  const int samples = static_cast<int>(mono.size());
  // LAME's documented worst case: 1.25 * samples + 7200 bytes.
  std::vector<unsigned char> buffer(static_cast<std::size_t>(1.25 * samples) + 7200);
  const int encoded = lame_encode_buffer_ieee_float(gf, mono.data(), mono.data(), samples,
                                                    buffer.data(), static_cast<int>(buffer.size()));
  if (encoded < 0) {
    throw core::CodecError("LAME encode failed (error " + std::to_string(encoded) + ") at " +
                           std::to_string(bitrate_kbps) + " kbit/s");
  }
  mp3.bytes.assign(buffer.begin(), buffer.begin() + encoded);
  const int flushed = lame_encode_flush(gf, buffer.data(), static_cast<int>(buffer.size()));
  if (flushed < 0) {
    throw core::CodecError("LAME flush failed (error " + std::to_string(flushed) + ")");
  }
  mp3.bytes.insert(mp3.bytes.end(), buffer.begin(), buffer.begin() + flushed);

  // The first frame LAME wrote is a placeholder for the LAME/Xing info tag (the encoder delay,
  // padding and frame count); the `lame` program overwrites it once the stream is complete.
  const std::size_t tag_size = lame_get_lametag_frame(gf, buffer.data(), buffer.size());
  if (tag_size > 0 && tag_size <= buffer.size() && tag_size <= mp3.bytes.size()) {
    std::copy(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(tag_size),
              mp3.bytes.begin());
  }
  return mp3;
}

std::size_t mp3_payload_bytes(const std::uint8_t* mp3, std::size_t size) {
  const auto bad = [](std::size_t at, const std::string& what) {
    return core::CodecError("not an MP3 stream: " + what + " at byte " + std::to_string(at));
  };
  std::size_t begin = 0, end = size;
  // An ID3v2 tag first: "ID3", version, flags, a 28-bit syncsafe size, a footer when flagged.
  if (size >= 10 && std::memcmp(mp3, "ID3", 3) == 0) {
    const std::size_t tag = (std::size_t{mp3[6]} << 21) | (std::size_t{mp3[7]} << 14) |
                            (std::size_t{mp3[8]} << 7) | mp3[9];
    begin = 10 + tag + ((mp3[5] & 0x10) != 0 ? 10 : 0);
    if (begin > size) throw bad(0, "an ID3v2 tag longer than the stream");
  }
  // An ID3v1 tag last: the final 128 bytes, starting "TAG".
  if (end >= begin + 128 && std::memcmp(mp3 + end - 128, "TAG", 3) == 0) end -= 128;
  std::size_t pos = begin, payload = 0;
  bool first = true;
  while (pos < end) {
    if (pos + 4 > end) throw bad(pos, "a frame header cut short");
    const auto header = frame_header(mp3 + pos);
    if (!header) throw bad(pos, "no Layer III frame header");
    if (pos + header->length > end) throw bad(pos, "a frame longer than the stream");
    // The first frame may be an info frame (Xing for VBR, Info for CBR, LAME's tag inside it):
    // figures about the stream, no audio.
    const std::size_t tag = pos + header->tag_offset;
    const bool info = first && tag + 4 <= pos + header->length &&
                      (std::memcmp(mp3 + tag, "Xing", 4) == 0 ||
                       std::memcmp(mp3 + tag, "Info", 4) == 0);
    if (!info) payload += header->length;
    first = false;
    pos += header->length;
  }
  return payload;
}

Audio decode_mp3(const std::vector<std::uint8_t>& bytes) {
  return read_audio_memory(bytes.data(), bytes.size(), "MP3 data");
}

// estimate_delay, align, snr_db and the delay probe are in audio_codecs.cpp, for every codec.

int codec_delay(int sample_rate, int bitrate_kbps) {
  return codec_delay(AudioCodec::kMp3, sample_rate, bitrate_kbps);
}

Mp3RoundTrip mp3_round_trip(const std::vector<float>& mono, int sample_rate, int bitrate_kbps) {
  AudioRoundTrip trip = audio_round_trip(AudioCodec::kMp3, mono, sample_rate, bitrate_kbps);
  Mp3RoundTrip result;
  result.samples = std::move(trip.samples);
  result.mp3_bytes = trip.bytes;
  result.mp3_payload_bytes = trip.payload_bytes;
  result.output_sample_rate = trip.output_sample_rate;
  result.delay_samples = trip.delay_samples;
  result.snr_db = trip.snr_db;
  return result;
}

std::string audio_codec_versions() {
  return std::string("LAME ") + get_lame_version() + "; " + sf_version_string() + "; soxr " +
         soxr_version();
}

}  // namespace helmholtz::codec
