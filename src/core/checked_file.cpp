#include "helmholtz/core/checked_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

namespace helmholtz::core {
namespace fs = std::filesystem;

namespace {

constexpr std::array<char, 16> kMagic = {'H', 'E', 'L', 'M', 'H', 'O', 'L', 'T',
                                         'Z', '-', 'C', 'A', 'C', 'H', 'E', '\n'};

void put_u64(std::ofstream& out, std::uint64_t v) {
  std::array<unsigned char, 8> b{};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  out.write(reinterpret_cast<const char*>(b.data()), b.size());
}

std::uint64_t get_u64(const unsigned char* b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

// zlib's crc32 takes a uInt length: feed large buffers in pieces.
std::uint32_t crc_update(std::uint32_t crc, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const Bytef*>(data);
  constexpr std::size_t kPiece = 1u << 30;
  while (bytes > 0) {
    const std::size_t n = std::min(bytes, kPiece);
    crc = static_cast<std::uint32_t>(::crc32(crc, p, static_cast<uInt>(n)));
    p += n;
    bytes -= n;
  }
  return crc;
}

DataError damaged(const fs::path& path, const std::string& what) {
  return DataError("cache file '" + path.string() + "' is damaged (" + what +
                   "); delete it and it will be rebuilt");
}

struct Opened {
  std::ifstream in;
  std::uint64_t header_bytes = 0;
  std::uint64_t payload_bytes = 0;
  std::string header;
};

Opened open_checked(const fs::path& path) {
  Opened f;
  f.in.open(path, std::ios::binary);
  if (!f.in) throw DataError("cannot open cache file '" + path.string() + "'");
  std::array<unsigned char, 32> head{};
  f.in.read(reinterpret_cast<char*>(head.data()), head.size());
  if (f.in.gcount() != static_cast<std::streamsize>(head.size())) {
    throw damaged(path, "shorter than its fixed header");
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), head.begin(),
                  [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; })) {
    throw damaged(path, "not a helmholtz cache file");
  }
  f.header_bytes = get_u64(head.data() + 16);
  f.payload_bytes = get_u64(head.data() + 24);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const std::uint64_t expected = head.size() + f.header_bytes + f.payload_bytes + 4;
  if (ec || f.header_bytes > size || f.payload_bytes > size || size != expected) {
    throw damaged(path, "size " + std::to_string(ec ? 0 : size) + " bytes does not match its " +
                            "header (" + std::to_string(expected) + " expected)");
  }
  f.header.resize(f.header_bytes);
  f.in.read(f.header.data(), static_cast<std::streamsize>(f.header_bytes));
  if (!f.in) throw damaged(path, "truncated header");
  return f;
}

}  // namespace

void write_checked_file(const fs::path& path, const std::string& header, const void* payload,
                        std::size_t payload_bytes) {
  const fs::path tmp = temp_sibling(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw RunError("cannot write '" + tmp.string() + "': " + std::strerror(errno));
    out.write(kMagic.data(), kMagic.size());
    put_u64(out, header.size());
    put_u64(out, payload_bytes);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(payload), static_cast<std::streamsize>(payload_bytes));
    std::uint32_t crc = crc_update(0, header.data(), header.size());
    crc = crc_update(crc, payload, payload_bytes);
    std::array<unsigned char, 4> c{};
    for (int i = 0; i < 4; ++i) c[i] = static_cast<unsigned char>(crc >> (8 * i));
    out.write(reinterpret_cast<const char*>(c.data()), c.size());
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw RunError("cannot write '" + tmp.string() + "' (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    throw RunError("cannot rename '" + tmp.string() + "' to '" + path.string() +
                   "': " + ec.message());
  }
}

std::string read_checked_header(const fs::path& path) { return open_checked(path).header; }

bool read_checked_file(
    const fs::path& path,
    const std::function<void*(const std::string& header, std::size_t payload_bytes)>& accept) {
  Opened f = open_checked(path);
  if (f.payload_bytes > std::numeric_limits<std::size_t>::max()) {
    throw damaged(path, "payload too large");
  }
  void* destination = accept(f.header, static_cast<std::size_t>(f.payload_bytes));
  if (destination == nullptr) return false;
  f.in.read(static_cast<char*>(destination), static_cast<std::streamsize>(f.payload_bytes));
  std::array<unsigned char, 4> c{};
  f.in.read(reinterpret_cast<char*>(c.data()), c.size());
  if (!f.in) throw damaged(path, "truncated payload");
  std::uint32_t stored = 0;
  for (int i = 3; i >= 0; --i) stored = (stored << 8) | c[i];
  std::uint32_t crc = crc_update(0, f.header.data(), f.header.size());
  crc = crc_update(crc, destination, static_cast<std::size_t>(f.payload_bytes));
  if (crc != stored) throw damaged(path, "checksum mismatch");
  return true;
}

}  // namespace helmholtz::core
