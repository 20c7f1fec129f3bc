#pragma once
// File helpers shared by every module: whole-file reads and crash-safe writes.

#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::core {

// Reads a whole file; throws DataError naming the file when it is missing or unreadable.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);

// Reads a gzip-compressed (or plain) file fully; throws DataError naming the file on error.
std::vector<std::uint8_t> read_gzip_file(const std::filesystem::path& path);

// Writes `text` to `path` through a temporary file in the same folder (write, fsync, close,
// rename), so a crash never leaves a half-written file and a failed write leaves the previous
// file as it was. A full disk, a quota, a file-size limit, an I/O error or a short write is a
// RunError naming the file and the cause ("disk full writing '.../last.pt'"); the temporary
// file is removed.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);
void write_file_atomic(const std::filesystem::path& path, const void* data, std::size_t size);

// One piece of a file written by the atomic write below.
struct ByteSpan {
  const void* data = nullptr;
  std::size_t size = 0;
};

// The atomic write of a file made of pieces, written one after another. With `previous`
// non-empty, an existing `path` is renamed to `previous` only once the new file is complete on
// disk and just before it takes the name: the last good generation is kept until the new one
// is whole. The folder is synced after the renames.
void write_file_atomic(const std::filesystem::path& path, const std::vector<ByteSpan>& pieces,
                       const std::filesystem::path& previous = {});

// The path of the temporary sibling used by atomic writes ("<name>.tmp").
std::filesystem::path temp_sibling(const std::filesystem::path& path);

}  // namespace helmholtz::core
