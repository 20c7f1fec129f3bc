// helmholtz models: the six architectures with their parameter counts for a dataset.

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/models/architecture.hpp"

namespace helmholtz::commands {

void register_models(CLI::App& app) {
  struct Options {
    std::string dataset = "cifar10";
    bool csv = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("models", "List the architectures (setting, name, parameters)");
  cmd->add_option("--dataset", options->dataset,
                  "Dataset whose input shape and classes to use: cifar10, fashion-mnist or "
                  "audio-effects (96 x 173 mel spectrograms, 12 classes)")
      ->check(CLI::IsMember({"cifar10", "fashion-mnist", "audio-effects"}))
      ->capture_default_str();
  cmd->add_flag("--csv", options->csv, "CSV with header setting,name,parameters");
  cmd->callback([options] {
    const bool audio = options->dataset == "audio-effects";
    const auto info = audio ? data::ImageDatasetInfo{"audio-effects", 1, 96, 173, 12}
                            : data::image_dataset_info(options->dataset);
    const auto& architectures =
        audio ? models::audio_architectures() : models::image_architectures();
    if (options->csv) {
      std::printf("setting,name,parameters\n");
    } else {
      std::printf("%-8s %-20s %12s   (%s: %dx%dx%d input, %d classes)\n", "setting", "name",
                  "parameters", info.name.c_str(), info.channels, info.height, info.width,
                  info.num_classes);
    }
    for (const auto& arch : architectures) {
      auto net = models::build(arch, {info.channels, info.height, info.width}, info.num_classes);
      const auto count = static_cast<long long>(models::count_parameters(*net));
      if (options->csv) {
        std::printf("%d,%s,%lld\n", arch.setting, arch.name.c_str(), count);
      } else {
        std::printf("%-8d %-20s %12lld\n", arch.setting, arch.name.c_str(), count);
      }
    }
  });
}

}  // namespace helmholtz::commands
