#pragma once
// Settings files (`--config FILE`, a run folder's config.toml): TOML whose keys are the long
// options of a command, at the top level or under a [<command>] table, read with the same TOML
// library as architecture files. No torch.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace helmholtz::run {

// (key, value as the command line would spell it) for every setting of `file`: strings as
// they are, numbers in their shortest exact form, booleans "true"/"false". Keys under a table
// other than [<command>] come back as "<table>.<key>" so the caller can refuse them. Throws
// core::UsageError naming the file (and the line of a syntax error, or the key of a value
// that is an array or a table).
std::vector<std::pair<std::string, std::string>> read_settings_file(
    const std::filesystem::path& file, const std::string& command);

}  // namespace helmholtz::run

#include "helmholtz/run/spec.hpp"

namespace helmholtz::run {

// The run spec a run folder's config.toml describes, finalized as `train --config FILE` would
// finalize it. Throws core::DataError naming the file when it cannot be read or holds a key that
// is no setting, core::UsageError on a bad value.
RunSpec read_run_spec(const std::filesystem::path& config);

}  // namespace helmholtz::run
