#pragma once
// The frame of a checkpoint file (last.pt): a checked file (core/checked_file.hpp, kind
// kCheckpoint) whose header is a small JSON object {"format", "epoch", "identity"} and whose
// payload is the torch archive. Reading and writing the frame needs no torch, so the frame is
// checked (and fuzzed) before any torch code sees a byte.

#include <cstddef>
#include <cstdint>
#include <string>

namespace helmholtz::run {

// The frame's format; a checkpoint of another format is refused with both numbers.
inline constexpr int kCheckpointFormat = 1;

// The bytes of a checkpoint file holding `archive` (a serialized torch archive).
std::string checkpoint_bytes(int epoch, const std::string& identity, const std::string& archive);

// Whether `data` is in the frame at all (a checkpoint of an older helmholtz is a bare torch
// archive, a zip file).
bool is_framed_checkpoint(const std::uint8_t* data, std::size_t size);

// The header's fields and the archive bytes (pointing into `data`), after the sizes and the
// checksum were verified. Throws core::DataError naming `name` for a foreign, truncated or
// damaged frame or header, or another format.
struct CheckpointHeader {
  int epoch = 0;
  std::string identity;
  const std::uint8_t* archive = nullptr;
  std::size_t archive_bytes = 0;
};
CheckpointHeader read_checkpoint_header(const std::uint8_t* data, std::size_t size,
                                        const std::string& name);

}  // namespace helmholtz::run
