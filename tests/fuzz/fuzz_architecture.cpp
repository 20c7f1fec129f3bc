// Fuzz target: architecture files (models::read_architecture_file, `--architecture FILE`), and
// the plan of what was read against the inputs of the datasets (models::plan,
// models::parameter_count), which is where the file's numbers go next.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/models/architecture_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  const auto file = fuzz::write_input("net.toml", data, size);
  fuzz::refused_or_read([&] {
    const models::Architecture arch = models::read_architecture_file(file);
    HELMHOLTZ_FUZZ_CHECK(!arch.name.empty() && !arch.layers.empty());
    HELMHOLTZ_FUZZ_CHECK(!models::layer_text(arch).empty());
    // CIFAR-10, Fashion-MNIST (padded to 32x32) and the audio features (mel bands x frames).
    struct Dataset {
      models::InputShape input;
      int classes;
    };
    for (const Dataset& d : {Dataset{{3, 32, 32}, 10}, {{1, 32, 32}, 10}, {{1, 96, 173}, 12}}) {
      fuzz::refused_or_read([&] {
        const auto layers = models::plan(arch, d.input, d.classes);
        HELMHOLTZ_FUZZ_CHECK(layers.size() == arch.layers.size());
        HELMHOLTZ_FUZZ_CHECK(layers.back().out_features == d.classes);
        HELMHOLTZ_FUZZ_CHECK(models::parameter_count(arch, d.input, d.classes) >= 0);
      });
    }
  });
  return 0;
}
