// Fuzz target: settings files (run::read_settings_file, as `--config FILE` reads them) and the
// run spec of a run folder's config.toml (run::read_run_spec: every key parsed by the field
// table, then finalized and validated as `train --config` would).

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/run/settings_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  const auto file = fuzz::write_input("config.toml", data, size);
  fuzz::refused_or_read([&] {
    for (const auto& [key, value] : run::read_settings_file(file, "train")) {
      HELMHOLTZ_FUZZ_CHECK(!key.empty());
    }
  });
  fuzz::refused_or_read([&] {
    const run::RunSpec spec = run::read_run_spec(file);
    // A spec that was read holds together: its identity and its config file can be made.
    HELMHOLTZ_FUZZ_CHECK(!run::identity_line(run::identity(spec)).empty());
    HELMHOLTZ_FUZZ_CHECK(!run::to_toml(spec).empty());
  });
  return 0;
}
