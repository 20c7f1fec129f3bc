// Fuzz target: audio decoding through libsndfile (WAV, FLAC, MP3, ... whatever it reads), from
// memory (codec::read_audio_memory, what MP3 round trips decode) and from a file
// (codec::read_audio_info and codec::read_audio, what the audio dataset reads).

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/codec/audio.hpp"

namespace {

void check_audio(const helmholtz::codec::Audio& audio) {
  HELMHOLTZ_FUZZ_CHECK(audio.sample_rate > 0 && audio.channels > 0);
  HELMHOLTZ_FUZZ_CHECK(!audio.samples.empty());
  HELMHOLTZ_FUZZ_CHECK(audio.samples.size() % static_cast<std::size_t>(audio.channels) == 0);
  HELMHOLTZ_FUZZ_CHECK(helmholtz::codec::to_mono(audio).size() == audio.frames());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  fuzz::refused_or_read([&] { check_audio(codec::read_audio_memory(data, size, "fuzz input")); });
  const auto file = fuzz::write_input("clip.wav", data, size);
  fuzz::refused_or_read([&] {
    const codec::AudioInfo info = codec::read_audio_info(file);
    HELMHOLTZ_FUZZ_CHECK(info.sample_rate > 0 && info.channels > 0 && info.frames > 0);
  });
  fuzz::refused_or_read([&] { check_audio(codec::read_audio(file)); });
  return 0;
}
