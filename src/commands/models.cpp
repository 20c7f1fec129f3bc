// helmholtz models: the architectures with their parameter counts for a dataset: the built-in
// ones (the six settings, and for images torchvision's ResNets), one by name, or one of your
// own from a TOML file.

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/models/architecture_file.hpp"

namespace helmholtz::commands {

void register_models(CLI::App& app) {
  struct Options {
    std::string dataset = "cifar10";
    std::filesystem::path architecture;
    std::string model;
    bool csv = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "models",
      "List the architectures (setting, name, parameters and trainable ones), or check one of "
      "your own");
  cmd->add_option("--dataset", options->dataset,
                  "Dataset whose input shape and classes to use: cifar10, fashion-mnist or "
                  "audio-effects (96 x 173 mel spectrograms, 12 classes)")
      ->check(CLI::IsMember({"cifar10", "fashion-mnist", "audio-effects"}))
      ->capture_default_str();
  cmd->add_option("--architecture", options->architecture,
                  "A TOML file of layers (see the README): check it against the dataset and "
                  "list it with its parameter count");
  cmd->add_option("--model", options->model,
                  "List one built-in network by name (e.g. cnns-dense-64, resnet18)");
  cmd->add_flag("--csv", options->csv,
                "CSV with header setting,name,parameters (parameters as Keras counts them: "
                "BatchNorm statistics included)");
  cmd->callback([options] {
    const auto info = data::dataset_info(options->dataset);
    const bool audio = options->dataset == "audio-effects";
    std::vector<models::Architecture> architectures;
    if (!options->architecture.empty() && !options->model.empty()) {
      throw core::UsageError(
          "--model and --architecture both given: list a built-in network "
          "with --model NAME or check your own with --architecture FILE");
    }
    if (!options->architecture.empty()) {
      architectures.push_back(models::read_architecture_file(options->architecture));
    } else if (!options->model.empty()) {
      architectures.push_back(models::named_architecture(options->model, audio));
    } else {
      architectures = models::built_in_architectures(audio);
    }
    if (options->csv) {
      std::printf("setting,name,parameters\n");
    } else {
      std::printf("%-8s %-20s %12s %12s   (%s: %dx%dx%d input, %d classes)\n", "setting", "name",
                  "parameters", "trainable", info.name.c_str(), info.channels, info.height,
                  info.width, info.num_classes);
    }
    const models::InputShape input{info.channels, info.height, info.width};
    for (const auto& arch : architectures) {
      const auto count =
          static_cast<long long>(models::parameter_count(arch, input, info.num_classes));
      const std::string setting = arch.setting >= 0   ? std::to_string(arch.setting)
                                  : arch.file.empty() ? "-"
                                                      : "file";
      if (options->csv) {
        std::printf("%s,%s,%lld\n", setting.c_str(), arch.name.c_str(), count);
      } else {
        const auto trainable = static_cast<long long>(
            models::trainable_parameter_count(arch, input, info.num_classes));
        std::printf("%-8s %-20s %12lld %12lld\n", setting.c_str(), arch.name.c_str(), count,
                    trainable);
      }
    }
  });
}

}  // namespace helmholtz::commands
