// Fuzz target: the CIFAR-10 batch reader (data::read_cifar10_batch) on any file.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/data/cifar10.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  const auto file = fuzz::write_input("data_batch_1.bin", data, size);
  fuzz::refused_or_read([&] {
    const data::ImageSet set = data::read_cifar10_batch(file);
    // Read means whole records, every label one of the ten classes.
    HELMHOLTZ_FUZZ_CHECK(set.count > 0 &&
                         static_cast<std::size_t>(set.count) * data::kCifarRecordBytes == size);
    HELMHOLTZ_FUZZ_CHECK(set.height == 32 && set.width == 32 && set.channels == 3);
    HELMHOLTZ_FUZZ_CHECK(set.labels.size() == static_cast<std::size_t>(set.count));
    HELMHOLTZ_FUZZ_CHECK(set.pixels.size() == static_cast<std::size_t>(set.count) * 3072);
    for (const std::uint8_t label : set.labels) HELMHOLTZ_FUZZ_CHECK(label < 10);
  });
  return 0;
}
