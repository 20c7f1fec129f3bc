#include "helmholtz/codec/vorbis.hpp"

#include <ogg/ogg.h>
#include <vorbis/codec.h>
#include <vorbis/vorbisenc.h>
// Leaves out the header's static stdio callback tables: we read from memory.
#define OV_EXCLUDE_STATIC_CALLBACKS
#include <vorbis/vorbisfile.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <string>

#include "helmholtz/codec/ogg.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

// oggenc feeds libvorbis 1024 samples per vorbis_analysis_buffer call (READSIZE in encode.c).
constexpr int kReadSize = 1024;
// oggenc draws a random serial number; a fixed one makes the bytes a function of the input.
constexpr int kSerial = 0x486d6c7a;
// vorbis_bitrate_range asks libvorbis about every kbit/s up to this.
constexpr int kMaxProbeKbps = 1000;

// Each libvorbis/libogg state is set up in its constructor and cleared in its destructor. Local
// objects are destroyed in reverse order, so declaring them info, comment, dsp, block, stream
// clears the block before the DSP state and both before the info, as libvorbis requires.
class Info {
 public:
  Info() { vorbis_info_init(&info_); }
  ~Info() { vorbis_info_clear(&info_); }
  Info(const Info&) = delete;
  Info& operator=(const Info&) = delete;
  vorbis_info* get() { return &info_; }

 private:
  vorbis_info info_{};
};

class Comment {
 public:
  Comment() { vorbis_comment_init(&comment_); }
  ~Comment() { vorbis_comment_clear(&comment_); }
  Comment(const Comment&) = delete;
  Comment& operator=(const Comment&) = delete;
  vorbis_comment* get() { return &comment_; }

 private:
  vorbis_comment comment_{};
};

class Dsp {
 public:
  explicit Dsp(vorbis_info* info) {
    if (vorbis_analysis_init(&dsp_, info) != 0) {
      throw core::CodecError("libvorbis: cannot set up the analysis (out of memory?)");
    }
  }
  ~Dsp() { vorbis_dsp_clear(&dsp_); }
  Dsp(const Dsp&) = delete;
  Dsp& operator=(const Dsp&) = delete;
  vorbis_dsp_state* get() { return &dsp_; }

 private:
  vorbis_dsp_state dsp_{};
};

class Block {
 public:
  explicit Block(vorbis_dsp_state* dsp) {
    if (vorbis_block_init(dsp, &block_) != 0) {
      throw core::CodecError("libvorbis: cannot set up a block (out of memory?)");
    }
  }
  ~Block() { vorbis_block_clear(&block_); }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  vorbis_block* get() { return &block_; }

 private:
  vorbis_block block_{};
};

class Stream {
 public:
  explicit Stream(int serial) {
    if (ogg_stream_init(&stream_, serial) != 0) {
      throw core::CodecError("libogg: cannot set up a stream state (out of memory?)");
    }
  }
  ~Stream() { ogg_stream_clear(&stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ogg_stream_state* get() { return &stream_; }

 private:
  ogg_stream_state stream_{};
};

// An open vorbisfile decoder. ov_open_callbacks clears the file itself when it fails, so only an
// opened one is ov_clear'ed.
class VorbisFile {
 public:
  VorbisFile(void* source, ov_callbacks callbacks) {
    const int error = ov_open_callbacks(source, &file_, nullptr, 0, callbacks);
    if (error != 0) {
      throw core::DataError("Vorbis data: not readable as Ogg Vorbis (vorbisfile error " +
                            std::to_string(error) +
                            (error == OV_ENOTVORBIS ? ": no Vorbis stream" : "") +
                            (error == OV_EBADHEADER ? ": a damaged header" : "") + ")");
    }
  }
  ~VorbisFile() { ov_clear(&file_); }
  VorbisFile(const VorbisFile&) = delete;
  VorbisFile& operator=(const VorbisFile&) = delete;
  OggVorbis_File* get() { return &file_; }

 private:
  OggVorbis_File file_{};
};

void append_page(std::vector<std::uint8_t>& out, const ogg_page& page) {
  out.insert(out.end(), page.header, page.header + page.header_len);
  out.insert(out.end(), page.body, page.body + page.body_len);
}

// vorbisfile's read/seek/tell over a byte buffer. It seeks to the end to find the stream's
// length, so the buffer is seekable.
struct MemorySource {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t position;
};

std::size_t memory_read(void* destination, std::size_t size, std::size_t count, void* user) {
  auto* source = static_cast<MemorySource*>(user);
  if (size == 0) return 0;
  const std::size_t items = std::min(count, (source->size - source->position) / size);
  std::memcpy(destination, source->data + source->position, items * size);
  source->position += items * size;
  return items;
}

int memory_seek(void* user, ogg_int64_t offset, int whence) {
  auto* source = static_cast<MemorySource*>(user);
  ogg_int64_t target = offset;
  if (whence == SEEK_CUR) target += static_cast<ogg_int64_t>(source->position);
  if (whence == SEEK_END) target += static_cast<ogg_int64_t>(source->size);
  if (target < 0 || target > static_cast<ogg_int64_t>(source->size)) return -1;
  source->position = static_cast<std::size_t>(target);
  return 0;
}

long memory_tell(void* user) {
  return static_cast<long>(static_cast<MemorySource*>(user)->position);
}

// Whether libvorbis has a managed-bitrate mono mode at this rate and nominal bitrate.
bool libvorbis_accepts(int sample_rate, int kbps) {
  Info info;
  return vorbis_encode_setup_managed(info.get(), 1, sample_rate, -1, kbps * 1000L, -1) == 0;
}

}  // namespace

VorbisBitrates vorbis_bitrate_range(int sample_rate) {
  if (sample_rate <= 0) return {};
  static std::mutex mutex;
  static std::map<int, VorbisBitrates> known;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto it = known.find(sample_rate);
  if (it != known.end()) return it->second;
  VorbisBitrates range;
  for (int kbps = 1; kbps <= kMaxProbeKbps; ++kbps) {
    if (!libvorbis_accepts(sample_rate, kbps)) continue;
    if (range.min_kbps == 0) range.min_kbps = kbps;
    range.max_kbps = kbps;
  }
  known.emplace(sample_rate, range);
  return range;
}

void check_vorbis_bitrate(int kbps, int sample_rate) {
  if (sample_rate <= 0) {
    throw core::UsageError("Vorbis: sample rate " + std::to_string(sample_rate) +
                           " Hz is not positive");
  }
  // libvorbis itself decides (its mode tables cover one bitrate interval per rate); the probed
  // range only words the message.
  if (kbps > 0 && kbps <= kMaxProbeKbps && libvorbis_accepts(sample_rate, kbps)) return;
  const VorbisBitrates range = vorbis_bitrate_range(sample_rate);
  const std::string rate = std::to_string(sample_rate) + " Hz";
  const std::string choices =
      range.max_kbps == 0
          ? "libvorbis has no mono mode at " + rate + " at all; resample the input"
          : "libvorbis codes mono at " + rate + " from " + std::to_string(range.min_kbps) + " to " +
                std::to_string(range.max_kbps) + " kbit/s";
  throw core::UsageError("--bitrate " + std::to_string(kbps) + ": not a Vorbis bitrate at " + rate +
                         " (" + choices + ")");
}

std::vector<std::uint8_t> encode_vorbis(const std::vector<float>& mono, int sample_rate,
                                        int bitrate_kbps) {
  check_vorbis_bitrate(bitrate_kbps, sample_rate);
  if (mono.empty()) throw core::CodecError("Vorbis encode: no samples to encode");

  // As oggenc -b KBPS (vorbis-tools 1.4.2, oggenc/encode.c): vorbis_encode_setup_managed with
  // max and min -1 and the nominal bitrate, then, without --managed, OV_ECTL_RATEMANAGE2_SET
  // NULL ("turn off management entirely"): the bitrate picks the mode and its quality, VBR with
  // no bit reservoir, so the result averages near the bitrate; then vorbis_encode_setup_init.
  Info info;
  int error = vorbis_encode_setup_managed(info.get(), 1, sample_rate, -1, bitrate_kbps * 1000L, -1);
  if (error != 0) {
    throw core::CodecError("libvorbis: no mode for " + std::to_string(bitrate_kbps) +
                           " kbit/s at " + std::to_string(sample_rate) + " Hz (error " +
                           std::to_string(error) + ")");
  }
  error = vorbis_encode_ctl(info.get(), OV_ECTL_RATEMANAGE2_SET, nullptr);
  if (error != 0) {
    throw core::CodecError("libvorbis: turning bitrate management off failed (error " +
                           std::to_string(error) + ")");
  }
  error = vorbis_encode_setup_init(info.get());
  if (error != 0) {
    throw core::CodecError("libvorbis: setup failed (error " + std::to_string(error) + ")");
  }
  // No comments: vorbis_analysis_headerout writes libvorbis' vendor string by itself (oggenc
  // adds an ENCODER comment).
  Comment comment;
  Dsp dsp(info.get());
  Block block(dsp.get());
  Stream stream(kSerial);

  std::vector<std::uint8_t> out;
  ogg_packet identification, comments, codebooks;
  error =
      vorbis_analysis_headerout(dsp.get(), comment.get(), &identification, &comments, &codebooks);
  if (error != 0) {
    throw core::CodecError("libvorbis: writing the headers failed (error " + std::to_string(error) +
                           ")");
  }
  ogg_stream_packetin(stream.get(), &identification);
  ogg_stream_packetin(stream.get(), &comments);
  ogg_stream_packetin(stream.get(), &codebooks);
  ogg_page page;
  // Flushed, as oggenc does, so that the audio starts on a page of its own.
  while (ogg_stream_flush(stream.get(), &page) != 0) append_page(out, page);

  bool end = false;
  ogg_packet packet;
  const auto drain = [&] {
    while (vorbis_analysis_blockout(dsp.get(), block.get()) == 1) {
      if (vorbis_analysis(block.get(), nullptr) != 0 || vorbis_bitrate_addblock(block.get()) != 0) {
        throw core::CodecError("libvorbis: analysis failed");
      }
      while (vorbis_bitrate_flushpacket(dsp.get(), &packet) == 1) {
        ogg_stream_packetin(stream.get(), &packet);
        while (!end && ogg_stream_pageout(stream.get(), &page) != 0) {
          append_page(out, page);
          end = ogg_page_eos(&page) != 0;
        }
      }
    }
  };
  for (std::size_t at = 0; at < mono.size(); at += kReadSize) {
    const int n = static_cast<int>(std::min<std::size_t>(kReadSize, mono.size() - at));
    float** buffer = vorbis_analysis_buffer(dsp.get(), n);
    std::copy(mono.begin() + static_cast<std::ptrdiff_t>(at),
              mono.begin() + static_cast<std::ptrdiff_t>(at) + n, buffer[0]);
    vorbis_analysis_wrote(dsp.get(), n);
    drain();
  }
  vorbis_analysis_wrote(dsp.get(), 0);  // the end of the signal: the last packet gets e_o_s
  drain();
  if (!end) throw core::CodecError("libvorbis: the stream did not end (no end-of-stream page)");
  return out;
}

Audio decode_vorbis(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) throw core::DataError("Vorbis data: no bytes");
  // vorbisfile, like opusfile, resynchronises past a page that fails its CRC; the framing is
  // checked first so that damage is an error, never fewer samples.
  try {
    ogg_payload_bytes(bytes.data(), bytes.size(), 3);
  } catch (const core::CodecError& e) {
    throw core::DataError(std::string("Vorbis data: ") + e.what());
  }
  MemorySource source{bytes.data(), bytes.size(), 0};
  const ov_callbacks callbacks = {memory_read, memory_seek, nullptr, memory_tell};
  VorbisFile file(&source, callbacks);
  const vorbis_info* info = ov_info(file.get(), -1);
  if (info == nullptr || info->channels <= 0 || info->rate <= 0) {
    throw core::DataError("Vorbis data: no usable stream header");
  }
  Audio audio;
  audio.channels = info->channels;
  audio.sample_rate = static_cast<int>(info->rate);
  while (true) {
    float** pcm = nullptr;
    int link = 0;
    const long got = ov_read_float(file.get(), &pcm, 4096, &link);
    if (got == 0) break;
    if (got < 0) {
      throw core::DataError("Vorbis data: decoding failed (vorbisfile error " +
                            std::to_string(got) +
                            (got == OV_HOLE ? ": a page is damaged or missing" : "") + ")");
    }
    const vorbis_info* now = ov_info(file.get(), link);
    if (now == nullptr || now->channels != audio.channels || now->rate != audio.sample_rate) {
      throw core::DataError("Vorbis data: a chained stream changes channels or rate");
    }
    for (long i = 0; i < got; ++i) {
      for (int c = 0; c < audio.channels; ++c) audio.samples.push_back(pcm[c][i]);
    }
  }
  if (audio.samples.empty()) throw core::DataError("Vorbis data: holds no audio (0 samples)");
  return audio;
}

std::string vorbis_version() { return vorbis_version_string(); }

}  // namespace helmholtz::codec
