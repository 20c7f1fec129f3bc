#pragma once
// A file of a text header and a binary payload with a CRC-32 over both, for caches: a damaged,
// truncated or foreign file is detected and reported, never silently used. No torch.
//
// Layout: the 16-byte magic "HELMHOLTZ-CACHE\n", the header size and the payload size (64-bit
// little endian), the header, the payload, then the CRC-32 (zlib) of header and payload.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace helmholtz::core {

// Writes through a temporary sibling and a rename, so a crash never leaves half a file.
// Throws RunError on failure.
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

}  // namespace helmholtz::core
