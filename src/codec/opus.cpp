#include "helmholtz/codec/opus.hpp"

#include <opus/opus.h>
#include <opus/opusenc.h>
#include <opus/opusfile.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <new>
#include <string>

#include "helmholtz/codec/ogg.hpp"
#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

// opusenc's settings (opus-tools 0.2, src/opusenc.c), as it passes them to libopusenc for a mono
// input without options: frame_size 960 (20 ms), OPUS_SET_EXPERT_FRAME_DURATION(20 ms),
// OPE_SET_MUXING_DELAY(48000) (max_ogg_delay, 1 s), OPUS_SET_VBR(1), OPUS_SET_VBR_CONSTRAINT(0),
// OPUS_SET_SIGNAL(OPUS_AUTO), OPUS_SET_COMPLEXITY(10), OPUS_SET_PACKET_LOSS_PERC(0),
// OPE_SET_HEADER_GAIN(0), OPE_SET_COMMENT_PADDING(512).
constexpr int kFrameSamples = 960;
constexpr int kMuxingDelay = 48000;
constexpr int kComplexity = 10;
// opusenc sets OPUS_SET_LSB_DEPTH to the input's sample size clamped to 8..24: 16 for the 16-bit
// WAV and FLAC files datasets hold (24 for float WAV). Our samples are floats, but from such
// files; with 16 the packets equal opusenc's for the same 48 kHz 16-bit WAV (with 24 they differ
// at 256 kbit/s, measured).
constexpr int kLsbDepth = 16;
// opusenc draws a random serial number; a fixed one makes the bytes a function of the input.
constexpr int kSerial = 0x486d6c7a;

struct EncoderFree {
  void operator()(OggOpusEnc* enc) const { ope_encoder_destroy(enc); }
};
using Encoder = std::unique_ptr<OggOpusEnc, EncoderFree>;

struct CommentsFree {
  void operator()(OggOpusComments* comments) const { ope_comments_destroy(comments); }
};
using Comments = std::unique_ptr<OggOpusComments, CommentsFree>;

struct OpusFileFree {
  void operator()(OggOpusFile* file) const { op_free(file); }
};
using OpusFile = std::unique_ptr<OggOpusFile, OpusFileFree>;

// Where libopusenc's write callback puts the pages.
struct Sink {
  std::vector<std::uint8_t> bytes;
  bool failed = false;
};

// libopusenc calls these from C: nothing may throw through them. Non-zero means failure.
int write_to_sink(void* user, const unsigned char* data, opus_int32 length) {
  auto* sink = static_cast<Sink*>(user);
  try {
    sink->bytes.insert(sink->bytes.end(), data, data + length);
  } catch (const std::bad_alloc&) {
    sink->failed = true;
    return 1;
  }
  return 0;
}

int close_sink(void*) { return 0; }

// One libopusenc/libopus control with an int argument; the OPUS_SET_x(v) and OPE_SET_x(v) macros
// expand to "request, value".
void set(OggOpusEnc* enc, int request, opus_int32 value, const char* what) {
  const int error = ope_encoder_ctl(enc, request, value);
  if (error != OPE_OK) {
    throw core::CodecError(std::string("libopusenc: ") + what + " " + std::to_string(value) +
                           " failed: " + ope_strerror(error));
  }
}

// opusfile's error codes in words (it has no strerror).
std::string opusfile_error(int code) {
  switch (code) {
    case OP_HOLE:
      return "a page is damaged or missing (OP_HOLE)";
    case OP_EREAD:
      return "read failed (OP_EREAD)";
    case OP_EFAULT:
      return "out of memory or internal error (OP_EFAULT)";
    case OP_EIMPL:
      return "a feature opusfile does not implement (OP_EIMPL)";
    case OP_EINVAL:
      return "invalid argument (OP_EINVAL)";
    case OP_ENOTFORMAT:
      return "no Ogg Opus stream found (OP_ENOTFORMAT)";
    case OP_EBADHEADER:
      return "a malformed header (OP_EBADHEADER)";
    case OP_EVERSION:
      return "an unknown Opus header version (OP_EVERSION)";
    case OP_EBADPACKET:
      return "a packet that fails to decode (OP_EBADPACKET)";
    case OP_EBADLINK:
      return "a damaged link (OP_EBADLINK)";
    case OP_EBADTIMESTAMP:
      return "invalid timestamps (OP_EBADTIMESTAMP)";
    default:
      return "opusfile error " + std::to_string(code);
  }
}

}  // namespace

void check_opus_bitrate(int kbps) {
  if (kbps >= kOpusMinKbps && kbps <= kOpusMaxKbps) return;
  throw core::UsageError("--bitrate " + std::to_string(kbps) + ": not an Opus bitrate (use " +
                         std::to_string(kOpusMinKbps) + " to " + std::to_string(kOpusMaxKbps) +
                         " kbit/s, opusenc's range for one channel)");
}

std::vector<std::uint8_t> encode_opus(const std::vector<float>& mono, int sample_rate,
                                      int bitrate_kbps) {
  check_opus_bitrate(bitrate_kbps);
  if (sample_rate <= 0) {
    throw core::UsageError("Opus encode: sample rate " + std::to_string(sample_rate) +
                           " Hz is not positive");
  }
  if (mono.empty()) throw core::CodecError("Opus encode: no samples to encode");
  const std::vector<float> pcm = resample(mono, sample_rate, kOpusRate);

  // ope_comments_create holds libopusenc's vendor string ("libopus 1.3.1, libopusenc 0.2.1": a
  // 47-byte OpusTags packet); opusenc adds ENCODER and ENCODER_OPTIONS comments and 512 bytes of
  // padding (OPE_SET_COMMENT_PADDING), which we leave out.
  const Comments comments(ope_comments_create());
  if (!comments) throw core::CodecError("libopusenc: cannot create the comments (out of memory?)");
  Sink sink;
  OpusEncCallbacks callbacks = {write_to_sink, close_sink};
  int error = OPE_OK;
  // Mapping family 0: mono or stereo in one stream, as opusenc picks for one channel. The
  // encoder copies the comments.
  const Encoder enc(
      ope_encoder_create_callbacks(&callbacks, &sink, comments.get(), kOpusRate, 1, 0, &error));
  if (!enc) throw core::CodecError(std::string("libopusenc: ") + ope_strerror(error));
  OggOpusEnc* e = enc.get();
  set(e, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_20_MS), "OPUS_SET_EXPERT_FRAME_DURATION");
  set(e, OPE_SET_MUXING_DELAY(kMuxingDelay), "OPE_SET_MUXING_DELAY");
  set(e, OPE_SET_SERIALNO(kSerial), "OPE_SET_SERIALNO");
  set(e, OPE_SET_HEADER_GAIN(0), "OPE_SET_HEADER_GAIN");
  set(e, OPE_SET_COMMENT_PADDING(0), "OPE_SET_COMMENT_PADDING");
  set(e, OPUS_SET_BITRATE(bitrate_kbps * 1000), "OPUS_SET_BITRATE");
  set(e, OPUS_SET_VBR(1), "OPUS_SET_VBR");
  set(e, OPUS_SET_VBR_CONSTRAINT(0), "OPUS_SET_VBR_CONSTRAINT");
  set(e, OPUS_SET_SIGNAL(OPUS_AUTO), "OPUS_SET_SIGNAL");
  set(e, OPUS_SET_COMPLEXITY(kComplexity), "OPUS_SET_COMPLEXITY");
  set(e, OPUS_SET_PACKET_LOSS_PERC(0), "OPUS_SET_PACKET_LOSS_PERC");
  set(e, OPUS_SET_LSB_DEPTH(kLsbDepth), "OPUS_SET_LSB_DEPTH");

  // One 20 ms frame per call, as opusenc reads its input.
  for (std::size_t at = 0; at < pcm.size(); at += kFrameSamples) {
    const int n = static_cast<int>(std::min<std::size_t>(kFrameSamples, pcm.size() - at));
    error = ope_encoder_write_float(e, pcm.data() + at, n);
    if (error != OPE_OK) break;
  }
  // Drain codes the lookahead and the last partial frame and writes the end-of-stream page,
  // its granule position marking where the signal ends.
  if (error == OPE_OK) error = ope_encoder_drain(e);
  if (sink.failed) throw core::CodecError("Opus encode: out of memory for the coded bytes");
  if (error != OPE_OK) {
    throw core::CodecError(std::string("libopusenc: encoding failed: ") + ope_strerror(error));
  }
  return std::move(sink.bytes);
}

Audio decode_opus(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) throw core::DataError("Opus data: no bytes");
  // opusfile resynchronises past a page that fails its CRC and decodes the rest without a word
  // when that page is the first audio page (measured), so the framing is checked first: every
  // byte in an intact page, no page missing, one stream with an end. (opusfile needs libogg, so
  // ogg.cpp is built wherever this file is.)
  try {
    ogg_payload_bytes(bytes.data(), bytes.size(), 2);
  } catch (const core::CodecError& e) {
    throw core::DataError(std::string("Opus data: ") + e.what());
  }
  int error = 0;
  const OpusFile file(op_open_memory(bytes.data(), bytes.size(), &error));
  if (!file) throw core::DataError("Opus data: not readable as Ogg Opus: " + opusfile_error(error));
  Audio audio;
  audio.sample_rate = kOpusRate;  // opusfile always decodes at 48 kHz
  // op_read_float returns at most one packet per call: up to 120 ms at 48 kHz per channel.
  constexpr int kMaxFrameSamples = 5760;
  std::vector<float> block;
  while (true) {
    const int channels = op_channel_count(file.get(), -1);
    block.resize(static_cast<std::size_t>(kMaxFrameSamples) * std::max(channels, 1));
    int link = 0;
    const int got = op_read_float(file.get(), block.data(), static_cast<int>(block.size()), &link);
    if (got == 0) break;
    if (got < 0) throw core::DataError("Opus data: decoding failed: " + opusfile_error(got));
    const int link_channels = op_channel_count(file.get(), link);
    if (audio.channels == 0) audio.channels = link_channels;
    if (link_channels != audio.channels) {
      throw core::DataError("Opus data: a chained stream changes from " +
                            std::to_string(audio.channels) + " to " +
                            std::to_string(link_channels) + " channels");
    }
    audio.samples.insert(audio.samples.end(), block.begin(),
                         block.begin() + static_cast<std::ptrdiff_t>(got) * link_channels);
  }
  if (audio.samples.empty()) throw core::DataError("Opus data: holds no audio (0 samples)");
  return audio;
}

std::string opus_version() {
#ifdef HELMHOLTZ_OPUSFILE_VERSION
  const std::string opusfile = std::string("opusfile ") + HELMHOLTZ_OPUSFILE_VERSION;
#else
  const std::string opusfile = "opusfile";
#endif
  return std::string(opus_get_version_string()) + "; " + ope_get_version_string() + "; " + opusfile;
}

}  // namespace helmholtz::codec
