// helmholtz synth: generated datasets for trying the pipeline without a download.

#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "helmholtz/data/synthetic.hpp"

namespace helmholtz::commands {

void register_synth(CLI::App& app) {
  struct Options {
    std::filesystem::path out;
    std::int64_t train = 5000;
    std::int64_t test = 1000;
    std::uint64_t seed = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("synth", "Write generated datasets");
  cmd->require_subcommand(1);
  auto* cifar =
      cmd->add_subcommand("cifar10",
                          "A CIFAR-10-format folder of learnable 32x32 colour pattern images "
                          "(10 classes); train on it with --dataset cifar10 --data-dir DIR");
  cifar->add_option("--out", options->out, "Output folder")->required();
  cifar->add_option("--train", options->train, "Training images (a multiple of 5)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cifar->add_option("--test", options->test, "Test images")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cifar->add_option("--seed", options->seed, "Seed")->capture_default_str();
  cifar->callback([options] {
    if (options->train % 5 != 0) {
      throw CLI::ValidationError("--train", "must be a multiple of 5 (five batch files)");
    }
    data::write_pattern_cifar10(options->out, options->train, options->test, options->seed);
    core::console_logger()->info("wrote {} train and {} test images to {}", options->train,
                                 options->test, options->out.string());
  });

  struct FolderOptions {
    std::filesystem::path out;
    int classes = 3;
    int train = 40;
    int val = 10;
    std::uint64_t seed = 0;
  };
  auto folder = std::make_shared<FolderOptions>();
  auto* photos = cmd->add_subcommand(
      "folder",
      "An ImageFolder tree (DIR/train/<class>/, DIR/val/<class>/) of learnable pattern images in "
      "four sizes, JPEG and PNG, some grayscale; train on it with --dataset folder --data-dir DIR");
  photos->add_option("--out", folder->out, "Output folder")->required();
  photos->add_option("--classes", folder->classes, "Classes (2..256)")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  photos->add_option("--train", folder->train, "Training images per class")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  photos->add_option("--val", folder->val, "Validation images per class")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  photos->add_option("--seed", folder->seed, "Seed")->capture_default_str();
  photos->callback([folder] {
    data::write_pattern_folder(folder->out, folder->classes, folder->train, folder->val,
                               folder->seed);
    core::console_logger()->info("wrote {} classes x ({} train + {} val) images to {}",
                                 folder->classes, folder->train, folder->val, folder->out.string());
  });

  struct AudioOptions {
    std::filesystem::path out;
    int per_class = 20;
    std::uint64_t seed = 0;
    int threads = 0;
  };
  auto audio = std::make_shared<AudioOptions>();
  auto* fx = cmd->add_subcommand(
      "audio-effects",
      "2-second 44.1 kHz plucked-string notes through the 12 effects of IDMT-SMT-Audio-Effects, "
      "in its Panotti layout (DIR/Samples/<Class>/*.wav); train on it with "
      "--dataset audio-effects --data-dir DIR");
  fx->add_option("--out", audio->out, "Output folder")->required();
  fx->add_option("--per-class", audio->per_class, "Notes per class")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fx->add_option("--seed", audio->seed, "Seed")->capture_default_str();
  fx->add_option("--threads", audio->threads, "Threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  fx->callback([audio] {
    data::write_audio_effects(audio->out, audio->per_class, audio->seed, audio->threads);
    core::console_logger()->info("wrote {} notes x {} classes to {}", audio->per_class,
                                 data::audio_effect_classes().size(),
                                 (audio->out / "Samples").string());
  });
}

}  // namespace helmholtz::commands
