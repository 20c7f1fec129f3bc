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
void register_eval(CLI::App& app);
void register_preview(CLI::App& app);
void register_doctor(CLI::App& app);

// Reads a TOML config file into the options of `cmd` (keys = long option names, top level or
// under a [<command>] table). Options given on the command line win. Unknown keys are an error
// naming the file and key. (CLI11 itself reads config files for the main app only.)
void apply_config_file(CLI::App& cmd, const std::string& file);

}  // namespace helmholtz::commands

#include <functional>
#include <memory>

#include "helmholtz/run/spec.hpp"

namespace helmholtz::commands {

// Binds the fields of the run spec (run::fields()) that `include` accepts as options of `cmd`:
// each option parses its value into `spec` through the field's own parser, so a command takes
// exactly the parts of the spec it needs; `spec`'s values now are the defaults --help shows.
// Booleans are --key / --no-key flags.
void add_spec_options(CLI::App& cmd, const std::shared_ptr<run::RunSpec>& spec,
                      const std::function<bool(const run::Field&)>& include);

// The keys of the spec's fields given on the command line or by a config file.
run::Given given_fields(const CLI::App& cmd);

// Which fields a command takes.
bool data_field(const run::Field& field);  // the data part
bool train_field(const run::Field& field);  // every field (train)

// Whether --<long_name> was given on the command line or by a config file.
bool given(const CLI::App& cmd, const std::string& long_name);

// Finalizes `spec` from what `cmd` was given, and refuses an audio dataset: `command` ("bench
// train", "doctor") trains the image networks only.
void finalize_image_spec(const CLI::App& cmd, run::RunSpec& spec, const std::string& command);

}  // namespace helmholtz::commands
