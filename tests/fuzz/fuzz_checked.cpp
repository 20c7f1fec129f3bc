// Fuzz target: checked files. In memory: the frame of a checkpoint and its JSON header
// (run::read_checkpoint_header over core::parse_checked_bytes), and a cache's frame. From a
// file: a feature cache's header (core::read_checked_header) and its payload
// (core::read_checked_file).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/run/checkpoint_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  // A parsed frame lies within the bytes.
  const auto inside = [&](const std::uint8_t* p, std::size_t n) {
    return p >= data && n <= size && p - data <= static_cast<std::ptrdiff_t>(size - n);
  };
  for (const auto kind : {core::CheckedKind::kCheckpoint, core::CheckedKind::kCache}) {
    (void)core::has_checked_magic(kind, data, size);
    fuzz::refused_or_read([&] {
      const core::CheckedView view = core::parse_checked_bytes(kind, data, size, "fuzz input");
      HELMHOLTZ_FUZZ_CHECK(inside(view.payload, view.payload_bytes));
      HELMHOLTZ_FUZZ_CHECK(view.header.size() + view.payload_bytes < size);
    });
  }
  fuzz::refused_or_read([&] {
    const run::CheckpointHeader h = run::read_checkpoint_header(data, size, "last.pt");
    HELMHOLTZ_FUZZ_CHECK(h.epoch >= 0 && inside(h.archive, h.archive_bytes));
  });

  const auto file = fuzz::write_input("features.cache", data, size);
  fuzz::refused_or_read([&] { (void)core::read_checked_header(file); });
  // As the feature cache reads it: look at the header, then take the payload or stop.
  for (const bool take : {true, false}) {
    std::vector<std::uint8_t> payload;
    fuzz::refused_or_read([&] {
      const bool read = core::read_checked_file(
          file, [&](const std::string&, std::size_t payload_bytes) -> void* {
            HELMHOLTZ_FUZZ_CHECK(payload_bytes < size);
            if (!take) return nullptr;
            payload.resize(payload_bytes + 1);  // never empty: nullptr would mean "stop"
            return payload.data();
          });
      HELMHOLTZ_FUZZ_CHECK(read == take);
    });
  }
  return 0;
}
