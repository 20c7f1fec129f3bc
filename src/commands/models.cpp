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
  cmd->add_option("--dataset", options->dataset, "Dataset whose input shape and classes to use")
      ->check(image_dataset_validator())
      ->capture_default_str();
  cmd->add_flag("--csv", options->csv, "CSV with header setting,name,parameters");
  cmd->callback([options] {
    const auto info = data::image_dataset_info(options->dataset);
    if (options->csv) {
      std::printf("setting,name,parameters\n");
    } else {
      std::printf("%-8s %-20s %12s   (%s: %dx%dx%d input, %d classes)\n", "setting", "name",
                  "parameters", info.name.c_str(), info.channels, info.height, info.width,
                  info.num_classes);
    }
    for (const auto& arch : models::image_architectures()) {
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
