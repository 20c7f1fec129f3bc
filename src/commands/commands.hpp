#pragma once
// One file per subcommand; each registers itself on the app with its options and callback.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::commands {

void register_train(CLI::App& app);
void register_compress(CLI::App& app);
void register_models(CLI::App& app);
void register_synth(CLI::App& app);
void register_features(CLI::App& app);
void register_bench(CLI::App& app);
void register_sweep(CLI::App& app);
void register_report(CLI::App& app);
void register_preview(CLI::App& app);

// Reads a TOML config file into the options of `cmd` (keys = long option names, top level or
// under a [<command>] table). Options given on the command line win. Unknown keys are an error
// naming the file and key. (CLI11 itself reads config files for the main app only.)
void apply_config_file(CLI::App& cmd, const std::string& file);

// What to load and at which codec level, as `train` and `compress` spell it.
struct DataOptions {
  std::string dataset = "cifar10";
  std::filesystem::path data_dir;
  std::string quality = "5";  // images
  std::string subsampling = "420";
  std::string bitrate;  // audio
  std::string instrument = "guitar";
  std::filesystem::path cache_dir = "data/cache";
};

// --dataset, --data-dir, -q/--quality, --subsampling, -b/--bitrate, --instrument, --cache-dir.
void add_data_options(CLI::App& cmd, DataOptions& options);

// --dataset (images only), --data-dir and -q/--quality, for image-only commands.
void add_image_data_options(CLI::App& cmd, std::string& dataset, std::filesystem::path& data_dir,
                            std::string& quality);

}  // namespace helmholtz::commands

namespace helmholtz::train {
struct TrainOptions;
}

namespace helmholtz::commands {

// Every option of `helmholtz train` that says what and how to train (not --config, --resume,
// --no-progress), bound to `o` and `d`; `sweep` shares them.
void add_train_options(CLI::App& cmd, train::TrainOptions& o, DataOptions& d);

// After parsing (and any --config): copies the data options into `o` and applies the dataset's
// recipe defaults to what was not given.
void resolve_train_options(const CLI::App& cmd, train::TrainOptions& o, const DataOptions& d);

// Whether --<long_name> was given on the command line or by a config file.
bool given(const CLI::App& cmd, const std::string& long_name);

// Shared option validators.
CLI::Validator quality_validator();
CLI::Validator bitrate_validator();
CLI::Validator dataset_validator(const std::vector<std::string>& names);

}  // namespace helmholtz::commands
