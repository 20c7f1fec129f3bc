#pragma once
// PCM audio in memory and WAV files through libsndfile. No torch.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::codec {

struct Audio {
  int sample_rate = 0;
  int channels = 0;
  std::vector<float> samples;  // interleaved, frames * channels, full scale = [-1, 1]
  std::size_t frames() const { return channels > 0 ? samples.size() / channels : 0; }
};

// Reads any file libsndfile can read (WAV, FLAC, MP3, ...). Throws core::DataError naming the
// file when it is missing, not audio, or holds no frames.
Audio read_audio(const std::filesystem::path& file);

struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  std::int64_t frames = 0;
};

// The header of an audio file (no samples are read). Throws core::DataError naming the file when
// it is missing or not audio.
AudioInfo read_audio_info(const std::filesystem::path& file);

// Reads audio held in memory (any format libsndfile reads, MP3 included) through its virtual
// I/O. `what` names the data in error messages (a file name, "MP3 round trip", ...). Throws
// core::DataError when the bytes are not audio or hold no frames.
Audio read_audio_memory(const std::uint8_t* data, std::size_t size, const std::string& what);

// Writes 16-bit PCM WAV (samples clipped to [-1, 1]). Throws core::RunError on failure.
void write_wav(const std::filesystem::path& file, const Audio& audio);

// A mono signal (full scale [-1, 1], clipped) as a 16-bit FLAC stream through libsndfile's
// virtual I/O, at libsndfile's default compression level: the lossless reference size of a clip.
// Throws core::UsageError on no samples or a bad rate, core::CodecError if libsndfile fails.
std::vector<std::uint8_t> encode_flac(const std::vector<float>& mono, int sample_rate);

// The bytes of a FLAC stream after its "fLaC" marker and metadata blocks (STREAMINFO, SEEKTABLE,
// VORBIS_COMMENT, PADDING, ...): the audio frames, frame headers included. Throws
// core::CodecError when the bytes are not a FLAC stream.
std::size_t flac_payload_bytes(const std::uint8_t* flac, std::size_t size);

// The mean of the channels, explicitly (stereo is never silently read as mono).
std::vector<float> to_mono(const Audio& audio);

}  // namespace helmholtz::codec
