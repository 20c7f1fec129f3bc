#include <algorithm>
#include <filesystem>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"

namespace helmholtz::commands {

void apply_config_file(CLI::App& cmd, const std::string& file) {
  if (!std::filesystem::is_regular_file(file)) {
    throw core::UsageError("--config: no such file '" + file + "'");
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(file);
  } catch (const CLI::Error& e) {
    throw core::UsageError("--config '" + file + "': " + e.what());
  }
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // table open/close markers
    const bool ours = item.parents.empty() ||
                      (item.parents.size() == 1 && item.parents.front() == cmd.get_name());
    CLI::Option* option = ours ? cmd.get_option_no_throw("--" + item.name) : nullptr;
    if (option == nullptr || item.name == "config") {
      throw core::UsageError("--config '" + file + "': unknown key '" + item.fullname() +
                             "' (keys are the long options of `helmholtz " + cmd.get_name() + "`)");
    }
    if (option->count() > 0) continue;  // given on the command line
    for (const auto& value : item.inputs) option->add_result(value);
    option->run_callback();  // validates and stores the value
  }
}

void add_image_data_options(CLI::App& cmd, std::string& dataset, std::filesystem::path& data_dir,
                            std::string& quality) {
  cmd.add_option("--dataset", dataset, "Dataset: cifar10 or fashion-mnist")
      ->check(image_dataset_validator())
      ->capture_default_str();
  cmd.add_option("--data-dir", data_dir,
                 "Dataset folder (default: data/cifar-10-batches-bin for cifar10, "
                 "/usr/share/datasets/fashion-mnist for fashion-mnist)");
  cmd.add_option("-q,--quality", quality, "JPEG quality 1..100, or raw for no codec")
      ->check(quality_validator())
      ->capture_default_str();
}

CLI::Validator quality_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          data::Quality::parse(value);
        } catch (const core::Error& e) {
          return e.what();
        }
        return {};
      },
      "raw|1..100", "quality");
}

CLI::Validator image_dataset_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const auto& names = data::image_dataset_names();
        if (std::find(names.begin(), names.end(), value) != names.end()) return {};
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        return "unknown dataset '" + value + "' (choose one of " + list + ")";
      },
      "DATASET", "dataset");
}

}  // namespace helmholtz::commands
