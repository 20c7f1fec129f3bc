#include <algorithm>
#include <filesystem>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/run/settings_file.hpp"

namespace helmholtz::commands {

void apply_config_file(CLI::App& cmd, const std::string& file) {
  for (const auto& [key, value] : run::read_settings_file(file, cmd.get_name())) {
    CLI::Option* option = key == "config" ? nullptr : cmd.get_option_no_throw("--" + key);
    if (option == nullptr) {
      throw core::UsageError("--config '" + file + "': unknown key '" + key +
                             "' (keys are the long options of `helmholtz " + cmd.get_name() + "`)");
    }
    if (option->count() > 0) continue;  // given on the command line
    option->add_result(value);
    option->run_callback();  // parses and stores the value
  }
}

void add_spec_options(CLI::App& cmd, const std::shared_ptr<run::RunSpec>& spec,
                      const std::function<bool(const run::Field&)>& include) {
  const run::RunSpec defaults = *spec;  // the command's own defaults, shown in --help
  for (const auto& field : run::fields()) {
    if (!field.option || !include(field)) continue;
    const run::Field* f = &field;
    const std::string name =
        (f->short_name ? std::string(f->short_name) + "," : std::string()) + "--" + f->key;
    if (f->type == run::Field::Type::kBool) {
      cmd.add_flag_function(
          name + ",!--no-" + f->key,
          [spec, f](std::int64_t count) { f->set(*spec, count > 0 ? "true" : "false"); }, f->help);
      continue;
    }
    auto* option = cmd.add_option_function<std::string>(
        name, [spec, f](const std::string& value) { f->set(*spec, value); }, f->help);
    const std::string fallback = f->get(defaults);
    if (!fallback.empty()) option->default_str(fallback);
    switch (f->type) {
      case run::Field::Type::kInteger:
        option->type_name("INT");
        break;
      case run::Field::Type::kReal:
        option->type_name("NUMBER");
        break;
      default:
        option->type_name("TEXT");
        break;
    }
  }
}

run::Given given_fields(const CLI::App& cmd) {
  run::Given out;
  for (const auto& field : run::fields()) {
    if (field.option && given(cmd, field.key)) out.insert(field.key);
  }
  return out;
}

bool data_field(const run::Field& field) { return field.part == run::Part::kData; }

bool train_field(const run::Field&) { return true; }

// Whether an option was given on the command line or by a config file.
bool given(const CLI::App& cmd, const std::string& long_name) {
  const CLI::Option* option = cmd.get_option_no_throw("--" + long_name);
  return option != nullptr && option->count() > 0;
}

void finalize_image_spec(const CLI::App& cmd, run::RunSpec& spec, const std::string& command) {
  run::finalize(spec, given_fields(cmd));
  if (spec.data.audio()) {
    throw core::UsageError(command +
                           " takes the image networks: use --dataset cifar10 or "
                           "fashion-mnist");
  }
}

}  // namespace helmholtz::commands
