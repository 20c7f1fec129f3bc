// helmholtz features: one clip's mel spectrogram as the network sees it, as a .npy file.

#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/resample.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/features/mel.hpp"
#include "helmholtz/features/npy.hpp"

namespace helmholtz::commands {

void register_features(CLI::App& app) {
  struct Options {
    std::filesystem::path input;
    std::filesystem::path out;
    int bitrate = 0;
    std::string codec = "mp3";
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "features",
      "Write one clip's mel spectrogram (96 Slaney bands, dB, as librosa 0.6 computed it) as a "
      "float32 .npy of shape 96 x frames, after a round trip through --codec when --bitrate is "
      "given");
  cmd->add_option("input", options->input, "Audio file (WAV, FLAC, MP3, ...)")->required();
  cmd->add_option("--out", options->out, "Output .npy file")->required();
  cmd->add_option("--bitrate", options->bitrate,
                  "The codec's bitrate in kbit/s (MP3 8..320, Opus 6..256, Vorbis libvorbis' "
                  "range); 0 = no codec")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--codec", options->codec, "Audio codec: mp3, opus or vorbis")
      ->capture_default_str();
  cmd->callback([options] {
    const codec::AudioCodec audio_codec = codec::parse_audio_codec(options->codec);
    if (options->bitrate > 0) {
      codec::check_bitrate(audio_codec, options->bitrate, features::MelOptions{}.sample_rate);
    }
    auto log = core::console_logger();
    const features::MelOptions mel;
    const codec::Audio audio = codec::read_audio(options->input);
    if (audio.channels != 1 || audio.sample_rate != mel.sample_rate) {
      log->info("{}: {} channel(s) at {} Hz, mixed to mono at {} Hz", options->input.string(),
                audio.channels, audio.sample_rate, mel.sample_rate);
    }
    std::vector<float> mono = codec::mono_at_rate(audio, mel.sample_rate);
    if (mono.size() <= static_cast<std::size_t>(mel.n_fft / 2)) {
      throw core::DataError("'" + options->input.string() + "' is too short for a spectrogram (" +
                            std::to_string(mono.size()) + " samples at " +
                            std::to_string(mel.sample_rate) + " Hz; need more than " +
                            std::to_string(mel.n_fft / 2) + ")");
    }
    if (options->bitrate > 0) {
      const auto trip =
          codec::audio_round_trip(audio_codec, mono, mel.sample_rate, options->bitrate);
      log->info("{} {} kbit/s: {} bytes, coded at {} Hz, delay {} samples removed, SNR {:.2f} dB",
                codec::audio_codec_info(audio_codec).library, options->bitrate, trip.bytes,
                trip.output_sample_rate, trip.delay_samples, trip.snr_db);
      mono = trip.samples;
    }
    const auto clip =
        torch::from_blob(mono.data(), {1, static_cast<std::int64_t>(mono.size())}, torch::kFloat32);
    const auto spectrogram = features::mel_db(clip, mel).squeeze(0);
    features::write_npy(options->out, spectrogram);
    log->info("wrote {} ({} x {})", options->out.string(), spectrogram.size(0),
              spectrogram.size(1));
  });
}

}  // namespace helmholtz::commands
