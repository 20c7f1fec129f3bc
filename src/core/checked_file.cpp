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

constexpr std::size_t kMagicBytes = 16;
constexpr std::size_t kFixedBytes = kMagicBytes + 16;  // magic and the two sizes
constexpr std::size_t kCrcBytes = 4;
constexpr char kCacheMagic[] = "HELMHOLTZ-CACHE\n";
constexpr char kCheckpointMagic[] = "HELMHOLTZ-CKPT1\n";
static_assert(sizeof kCacheMagic == kMagicBytes + 1 && sizeof kCheckpointMagic == kMagicBytes + 1);

const char* magic(CheckedKind kind) {
  return kind == CheckedKind::kCache ? kCacheMagic : kCheckpointMagic;
}

bool magic_matches(CheckedKind kind, const unsigned char* data) {
  return std::memcmp(data, magic(kind), kMagicBytes) == 0;
}

void put_u64(unsigned char* b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
}

// The magic and sizes that open a file of `kind`.
std::array<unsigned char, kFixedBytes> fixed_head(CheckedKind kind, std::uint64_t header_bytes,
                                                  std::uint64_t payload_bytes) {
  std::array<unsigned char, kFixedBytes> head{};
  std::memcpy(head.data(), magic(kind), kMagicBytes);
  put_u64(head.data() + kMagicBytes, header_bytes);
  put_u64(head.data() + kMagicBytes + 8, payload_bytes);
  return head;
}

std::array<unsigned char, kCrcBytes> crc_bytes(std::uint32_t crc) {
  std::array<unsigned char, kCrcBytes> c{};
  for (std::size_t i = 0; i < kCrcBytes; ++i) c[i] = static_cast<unsigned char>(crc >> (8 * i));
  return c;
}

std::uint32_t get_u32(const unsigned char* b) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

std::uint64_t get_u64(const unsigned char* b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

// The checksum of a frame: CRC-32 of its header, then its payload.
std::uint32_t frame_crc(const std::string& header, const void* payload, std::size_t bytes) {
  return crc_update(crc_update(0, header.data(), header.size()), payload, bytes);
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
  std::array<unsigned char, kFixedBytes> head{};
  f.in.read(reinterpret_cast<char*>(head.data()), head.size());
  if (f.in.gcount() != static_cast<std::streamsize>(head.size())) {
    throw damaged(path, "shorter than its fixed header");
  }
  if (!magic_matches(CheckedKind::kCache, head.data())) {
    throw damaged(path, "not a helmholtz cache file");
  }
  f.header_bytes = get_u64(head.data() + kMagicBytes);
  f.payload_bytes = get_u64(head.data() + kMagicBytes + 8);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const std::uint64_t expected = head.size() + f.header_bytes + f.payload_bytes + kCrcBytes;
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

std::uint32_t crc_update(std::uint32_t crc, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const Bytef*>(data);
  constexpr std::size_t kPiece = 1u << 30;  // zlib's crc32 takes a uInt length
  while (bytes > 0) {
    const std::size_t n = std::min(bytes, kPiece);
    crc = static_cast<std::uint32_t>(::crc32(crc, p, static_cast<uInt>(n)));
    p += n;
    bytes -= n;
  }
  return crc;
}

void write_checked_file(const fs::path& path, const std::string& header, const void* payload,
                        std::size_t payload_bytes) {
  const auto head = fixed_head(CheckedKind::kCache, header.size(), payload_bytes);
  const auto crc_tail = crc_bytes(frame_crc(header, payload, payload_bytes));
  write_file_atomic(path, {{head.data(), head.size()},
                           {header.data(), header.size()},
                           {payload, payload_bytes},
                           {crc_tail.data(), crc_tail.size()}});
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
  std::array<unsigned char, kCrcBytes> c{};
  f.in.read(reinterpret_cast<char*>(c.data()), c.size());
  if (!f.in) throw damaged(path, "truncated payload");
  const std::uint32_t stored = get_u32(c.data());
  if (frame_crc(f.header, destination, static_cast<std::size_t>(f.payload_bytes)) != stored) {
    throw damaged(path, "checksum mismatch");
  }
  return true;
}

std::string checked_bytes(CheckedKind kind, const std::string& header, const void* payload,
                          std::size_t payload_bytes) {
  const auto head = fixed_head(kind, header.size(), payload_bytes);
  const auto crc_tail = crc_bytes(frame_crc(header, payload, payload_bytes));
  std::string out;
  out.reserve(head.size() + header.size() + payload_bytes + crc_tail.size());
  out.append(reinterpret_cast<const char*>(head.data()), head.size());
  out += header;
  out.append(static_cast<const char*>(payload), payload_bytes);
  out.append(reinterpret_cast<const char*>(crc_tail.data()), crc_tail.size());
  return out;
}

bool has_checked_magic(CheckedKind kind, const std::uint8_t* data, std::size_t size) {
  return size >= kMagicBytes && magic_matches(kind, data);
}

CheckedView parse_checked_bytes(CheckedKind kind, const std::uint8_t* data, std::size_t size,
                                const std::string& name) {
  const auto fault = [&name](const std::string& what) {
    return DataError("'" + name + "' is damaged (" + what + ")");
  };
  if (size < kFixedBytes + kCrcBytes) {
    throw fault(std::to_string(size) + " bytes, shorter than its fixed header");
  }
  if (!magic_matches(kind, data)) {
    throw fault(kind == CheckedKind::kCache ? "not a helmholtz cache file"
                                            : "not a helmholtz checkpoint");
  }
  const std::uint64_t header_bytes = get_u64(data + kMagicBytes);
  const std::uint64_t payload_bytes = get_u64(data + kMagicBytes + 8);
  const std::uint64_t room = size - kFixedBytes - kCrcBytes;
  // Compared piece by piece: their sum could wrap around.
  if (header_bytes > room || payload_bytes > room - header_bytes ||
      header_bytes + payload_bytes != room) {
    throw fault("size " + std::to_string(size) + " bytes does not match its header");
  }
  CheckedView view;
  view.header.assign(reinterpret_cast<const char*>(data + kFixedBytes),
                     static_cast<std::size_t>(header_bytes));
  view.payload = data + kFixedBytes + header_bytes;
  view.payload_bytes = static_cast<std::size_t>(payload_bytes);
  const std::uint32_t stored = get_u32(data + size - kCrcBytes);
  if (frame_crc(view.header, view.payload, view.payload_bytes) != stored) {
    throw fault("checksum mismatch");
  }
  return view;
}

}  // namespace helmholtz::core
