#pragma once
// One file per subcommand; each registers itself on the app with its options and callback.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

namespace helmholtz::commands {

void register_train(CLI::App& app);
void register_compress(CLI::App& app);
void register_models(CLI::App& app);
void register_synth(CLI::App& app);
void register_features(CLI::App& app);
void register_bench(CLI::App& app);
void register_report(CLI::App& app);

// Reads a TOML config file into the options of `cmd` (keys = long option names, top level or
// under a [<command>] table). Options given on the command line win. Unknown keys are an error
// naming the file and key. (CLI11 itself reads config files for the main app only.)
void apply_config_file(CLI::App& cmd, const std::string& file);

// --dataset, --data-dir and -q/--quality, as every image command spells them.
void add_image_data_options(CLI::App& cmd, std::string& dataset, std::filesystem::path& data_dir,
                            std::string& quality);

// Shared option validators.
CLI::Validator quality_validator();
CLI::Validator image_dataset_validator();

}  // namespace helmholtz::commands
