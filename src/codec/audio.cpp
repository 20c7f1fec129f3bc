#include "helmholtz/codec/audio.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

// Owns one SNDFILE* handle.
class SndFile {
 public:
  explicit SndFile(SNDFILE* handle) : handle_(handle) {}
  ~SndFile() {
    if (handle_ != nullptr) sf_close(handle_);
  }
  SndFile(SndFile&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  SndFile(const SndFile&) = delete;
  SndFile& operator=(const SndFile&) = delete;
  SNDFILE* get() const { return handle_; }

 private:
  SNDFILE* handle_;
};

// Reads all frames of an open file; `what` names it in messages.
Audio read_all(SNDFILE* file, const SF_INFO& info, const std::string& what) {
  if (info.channels <= 0 || info.samplerate <= 0) {
    throw core::DataError(what + ": libsndfile reports " + std::to_string(info.channels) +
                          " channels at " + std::to_string(info.samplerate) +
                          " Hz; re-export it as a WAV file");
  }
  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.channels = info.channels;
  // Read in blocks: for some formats (MP3) info.frames is only an estimate.
  constexpr sf_count_t kBlockFrames = 16384;
  std::vector<float> block(static_cast<std::size_t>(kBlockFrames) * info.channels);
  while (true) {
    const sf_count_t got = sf_readf_float(file, block.data(), kBlockFrames);
    if (got <= 0) break;
    audio.samples.insert(audio.samples.end(), block.begin(),
                         block.begin() + static_cast<std::ptrdiff_t>(got) * info.channels);
  }
  if (sf_error(file) != SF_ERR_NO_ERROR) {
    throw core::DataError(what + ": reading the audio failed (" + sf_strerror(file) +
                          "); the file may be truncated or corrupt");
  }
  if (audio.samples.empty()) {
    throw core::DataError(what + ": holds no audio frames (0 samples); remove or replace it");
  }
  return audio;
}

// The state behind SF_VIRTUAL_IO over a read-only byte buffer.
struct MemoryStream {
  const std::uint8_t* data;
  sf_count_t size;
  sf_count_t position;
};

sf_count_t memory_length(void* user) { return static_cast<MemoryStream*>(user)->size; }

sf_count_t memory_seek(sf_count_t offset, int whence, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  sf_count_t target = offset;
  if (whence == SEEK_CUR) target += stream->position;
  if (whence == SEEK_END) target += stream->size;
  stream->position = std::clamp<sf_count_t>(target, 0, stream->size);
  return stream->position;
}

sf_count_t memory_read(void* destination, sf_count_t count, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  const sf_count_t n = std::clamp<sf_count_t>(count, 0, stream->size - stream->position);
  if (n > 0) std::memcpy(destination, stream->data + stream->position, static_cast<size_t>(n));
  stream->position += n;
  return n;
}

sf_count_t memory_write(const void*, sf_count_t, void*) { return 0; }

sf_count_t memory_tell(void* user) { return static_cast<MemoryStream*>(user)->position; }

// The state behind SF_VIRTUAL_IO over a growing byte buffer (for writing; FLAC seeks back to
// complete its STREAMINFO block when the file is closed).
struct GrowingStream {
  std::vector<std::uint8_t> bytes;
  sf_count_t position = 0;
};

sf_count_t growing_length(void* user) {
  return static_cast<sf_count_t>(static_cast<GrowingStream*>(user)->bytes.size());
}

sf_count_t growing_seek(sf_count_t offset, int whence, void* user) {
  auto* stream = static_cast<GrowingStream*>(user);
  sf_count_t target = offset;
  if (whence == SEEK_CUR) target += stream->position;
  if (whence == SEEK_END) target += static_cast<sf_count_t>(stream->bytes.size());
  stream->position = std::max<sf_count_t>(target, 0);
  return stream->position;
}

sf_count_t growing_read(void* destination, sf_count_t count, void* user) {
  auto* stream = static_cast<GrowingStream*>(user);
  const auto size = static_cast<sf_count_t>(stream->bytes.size());
  const sf_count_t n = std::clamp<sf_count_t>(count, 0, std::max<sf_count_t>(size - stream->position, 0));
  if (n > 0) {
    std::memcpy(destination, stream->bytes.data() + stream->position, static_cast<size_t>(n));
  }
  stream->position += n;
  return n;
}

sf_count_t growing_write(const void* source, sf_count_t count, void* user) {
  auto* stream = static_cast<GrowingStream*>(user);
  if (count <= 0) return 0;
  const auto end = static_cast<std::size_t>(stream->position + count);
  if (stream->bytes.size() < end) stream->bytes.resize(end);
  std::memcpy(stream->bytes.data() + stream->position, source, static_cast<size_t>(count));
  stream->position += count;
  return count;
}

sf_count_t growing_tell(void* user) { return static_cast<GrowingStream*>(user)->position; }

// Opens a file for reading; throws core::DataError naming it when it is missing or not audio.
SndFile open_audio(const std::filesystem::path& file, SF_INFO& info) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw core::DataError(file.string() + ": no such audio file; check the path");
  }
  info = SF_INFO{};
  SndFile handle(sf_open(file.c_str(), SFM_READ, &info));
  if (handle.get() == nullptr) {
    throw core::DataError(file.string() + ": not readable as audio (" + sf_strerror(nullptr) +
                          "); use a WAV, FLAC or MP3 file");
  }
  return handle;
}

}  // namespace

Audio read_audio(const std::filesystem::path& file) {
  SF_INFO info;
  const SndFile handle = open_audio(file, info);
  return read_all(handle.get(), info, file.string());
}

AudioInfo read_audio_info(const std::filesystem::path& file) {
  SF_INFO info;
  const SndFile handle = open_audio(file, info);
  if (info.channels <= 0 || info.samplerate <= 0 || info.frames <= 0) {
    throw core::DataError(file.string() + ": holds no audio frames (" +
                          std::to_string(info.frames) + " frames, " +
                          std::to_string(info.channels) + " channels at " +
                          std::to_string(info.samplerate) + " Hz); remove or replace it");
  }
  return {info.samplerate, info.channels, static_cast<std::int64_t>(info.frames)};
}

Audio read_audio_memory(const std::uint8_t* data, std::size_t size, const std::string& what) {
  if (data == nullptr || size == 0) {
    throw core::DataError(what + ": no audio data (0 bytes)");
  }
  MemoryStream stream{data, static_cast<sf_count_t>(size), 0};
  SF_VIRTUAL_IO io{memory_length, memory_seek, memory_read, memory_write, memory_tell};
  SF_INFO info{};
  SndFile handle(sf_open_virtual(&io, SFM_READ, &info, &stream));
  if (handle.get() == nullptr) {
    throw core::DataError(what + ": " + std::to_string(size) + " bytes not readable as audio (" +
                          sf_strerror(nullptr) + ")");
  }
  return read_all(handle.get(), info, what);
}

void write_wav(const std::filesystem::path& file, const Audio& audio) {
  if (audio.channels <= 0 || audio.sample_rate <= 0 ||
      audio.samples.size() % static_cast<std::size_t>(audio.channels) != 0) {
    throw core::RunError(file.string() + ": cannot write " + std::to_string(audio.samples.size()) +
                         " samples as " + std::to_string(audio.channels) + " channels at " +
                         std::to_string(audio.sample_rate) + " Hz");
  }
  SF_INFO info{};
  info.samplerate = audio.sample_rate;
  info.channels = audio.channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SndFile handle(sf_open(file.c_str(), SFM_WRITE, &info));
  if (handle.get() == nullptr) {
    throw core::RunError(file.string() + ": cannot create the WAV file (" + sf_strerror(nullptr) +
                         "); check that the folder exists and is writable");
  }
  std::vector<float> clipped(audio.samples.size());
  std::transform(audio.samples.begin(), audio.samples.end(), clipped.begin(),
                 [](float x) { return std::clamp(x, -1.0f, 1.0f); });
  const auto frames = static_cast<sf_count_t>(audio.frames());
  if (sf_writef_float(handle.get(), clipped.data(), frames) != frames) {
    throw core::RunError(file.string() + ": writing the WAV file failed (" +
                         sf_strerror(handle.get()) + "); check the free disk space");
  }
}

std::vector<std::uint8_t> encode_flac(const std::vector<float>& mono, int sample_rate) {
  if (sample_rate <= 0 || mono.empty()) {
    throw core::UsageError("FLAC encode: " + std::to_string(mono.size()) + " samples at " +
                           std::to_string(sample_rate) + " Hz; need samples at a positive rate");
  }
  GrowingStream stream;
  {
    SF_VIRTUAL_IO io{growing_length, growing_seek, growing_read, growing_write, growing_tell};
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = 1;
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    SndFile handle(sf_open_virtual(&io, SFM_WRITE, &info, &stream));
    if (handle.get() == nullptr) {
      throw core::CodecError(std::string("cannot open a FLAC encoder (") + sf_strerror(nullptr) +
                             "); this libsndfile may lack FLAC");
    }
    // Metadata strings would add bytes that are not the signal; libsndfile writes none unless
    // asked. The samples are rounded to 16 bits as in a WAV file.
    std::vector<float> clipped(mono.size());
    std::transform(mono.begin(), mono.end(), clipped.begin(),
                   [](float x) { return std::clamp(x, -1.0f, 1.0f); });
    const auto frames = static_cast<sf_count_t>(clipped.size());
    if (sf_writef_float(handle.get(), clipped.data(), frames) != frames) {
      throw core::CodecError(std::string("FLAC encode failed (") + sf_strerror(handle.get()) + ")");
    }
  }  // closing completes the stream
  return std::move(stream.bytes);
}

std::size_t flac_payload_bytes(const std::uint8_t* flac, std::size_t size) {
  const auto bad = [](std::size_t at, const char* what) {
    return core::CodecError("not a FLAC stream: " + std::string(what) + " at byte " +
                            std::to_string(at));
  };
  if (size < 4 || std::memcmp(flac, "fLaC", 4) != 0) throw bad(0, "no fLaC marker");
  std::size_t pos = 4;
  while (true) {
    if (pos + 4 > size) throw bad(pos, "a metadata block header cut short");
    const bool last = (flac[pos] & 0x80) != 0;
    const std::size_t length = (std::size_t{flac[pos + 1]} << 16) |
                               (std::size_t{flac[pos + 2]} << 8) | flac[pos + 3];
    if (pos + 4 + length > size) throw bad(pos, "a metadata block longer than the stream");
    pos += 4 + length;
    if (last) return size - pos;  // the audio frames, each with its own frame header
  }
}

std::vector<float> to_mono(const Audio& audio) {
  if (audio.channels <= 1) return audio.samples;
  const std::size_t frames = audio.frames();
  std::vector<float> mono(frames);
  for (std::size_t f = 0; f < frames; ++f) {
    double sum = 0.0;
    for (int c = 0; c < audio.channels; ++c) sum += audio.samples[f * audio.channels + c];
    mono[f] = static_cast<float>(sum / audio.channels);
  }
  return mono;
}

}  // namespace helmholtz::codec
