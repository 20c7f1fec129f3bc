#pragma once
// A file of a text header and a binary payload with a CRC-32 over both, for caches and
// checkpoints: a damaged, truncated or foreign file is detected and reported, never silently
// used. No torch.
//
// Layout: a 16-byte magic ("HELMHOLTZ-CACHE\n" for caches, "HELMHOLTZ-CKPT1\n" for
// checkpoints), the header size and the payload size (64-bit little endian), the header, the
// payload, then the CRC-32 (zlib) of header and payload.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace helmholtz::core {

// zlib's CRC-32 of `bytes` bytes at `data`, continuing `crc` (0 to start), for buffers of any
// size.
std::uint32_t crc_update(std::uint32_t crc, const void* data, std::size_t bytes);

enum class CheckedKind { kCache, kCheckpoint };

// Writes through the checked atomic write (core::write_file_atomic), so a crash or a full disk
// never leaves half a file. Throws RunError on failure.
void write_checked_file(const std::filesystem::path& path, const std::string& header,
                        const void* payload, std::size_t payload_bytes);

// Reads only the header (no checksum check: use it to decide whether the file is wanted).
// Throws DataError naming the file when it is missing, foreign or truncated.
std::string read_checked_header(const std::filesystem::path& path);

// Reads a whole file: `accept(header, payload_bytes)` sees the header first and returns where
// the payload goes (a buffer of payload_bytes) or nullptr to stop reading (the call then returns
// false). Returns true when the payload was read and the checksum matched. Throws DataError
// naming the file when it is missing, foreign, truncated or its checksum does not match.
bool read_checked_file(
    const std::filesystem::path& path,
    const std::function<void*(const std::string& header, std::size_t payload_bytes)>& accept);

// The same layout in memory, for files read whole (checkpoints): the bytes of a file of `kind`.
std::string checked_bytes(CheckedKind kind, const std::string& header, const void* payload,
                          std::size_t payload_bytes);

// Whether `data` starts with the magic of `kind` (a file of an older format does not).
bool has_checked_magic(CheckedKind kind, const std::uint8_t* data, std::size_t size);

// The header and payload of `size` bytes at `data` in the layout of `kind`, after the sizes and
// the checksum were verified. The payload points into `data`. Throws DataError
// "'<name>' is damaged (<what>)" for a foreign, truncated, padded or mismatched file.
struct CheckedView {
  std::string header;
  const std::uint8_t* payload = nullptr;
  std::size_t payload_bytes = 0;
};
CheckedView parse_checked_bytes(CheckedKind kind, const std::uint8_t* data, std::size_t size,
                                const std::string& name);

}  // namespace helmholtz::core
