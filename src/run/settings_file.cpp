#include "helmholtz/run/settings_file.hpp"

#include <toml++/toml.h>

#include "helmholtz/core/decimal.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::run {

std::vector<std::pair<std::string, std::string>> read_settings_file(
    const std::filesystem::path& file, const std::string& command) {
  const std::string where = "--config '" + file.string() + "'";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw core::UsageError("--config: no such file '" + file.string() + "'");
  }
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw core::UsageError(where + ": line " + std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
  }
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const std::string& key, const toml::node& node) {
    // TOML allows a quoted empty key (''); no option has an empty name.
    if (key.empty() || key.back() == '.') {
      throw core::UsageError(where + ": an empty key ('" + key +
                             "'); keys are the long option names, e.g. quality = 5");
    }
    if (const auto* s = node.as_string()) {
      out.emplace_back(key, s->get());
    } else if (const auto* i = node.as_integer()) {
      out.emplace_back(key, std::to_string(i->get()));
    } else if (const auto* f = node.as_floating_point()) {
      out.emplace_back(key, core::shortest_decimal(f->get()));
    } else if (const auto* b = node.as_boolean()) {
      out.emplace_back(key, b->get() ? "true" : "false");
    } else {
      throw core::UsageError(where + ": '" + key + "' must be one string, number or boolean");
    }
  };
  for (const auto& [key, node] : doc) {
    const std::string name(key.str());
    if (const auto* table = node.as_table()) {
      for (const auto& [inner, value] : *table) {
        const std::string inner_name(inner.str());
        add(name == command ? inner_name : name + "." + inner_name, value);
      }
    } else {
      add(name, node);
    }
  }
  return out;
}

}  // namespace helmholtz::run

namespace helmholtz::run {

RunSpec read_run_spec(const std::filesystem::path& config) {
  std::vector<std::pair<std::string, std::string>> settings;
  try {
    settings = read_settings_file(config, "train");
  } catch (const core::UsageError& e) {
    throw core::DataError(config.string() + ": not a readable run config (" + e.what() + ")");
  }
  RunSpec spec;
  Given given;
  for (const auto& [key, value] : settings) {
    const Field* field = find_field(key);
    if (field == nullptr || !field->option) {
      throw core::DataError(config.string() + ": '" + key +
                            "' is no setting of this helmholtz; was the run folder written by "
                            "another version?");
    }
    field->set(spec, value);
    given.insert(key);
  }
  finalize(spec, given);
  return spec;
}

}  // namespace helmholtz::run
