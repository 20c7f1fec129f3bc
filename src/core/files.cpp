#include "helmholtz/core/files.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::core {
namespace fs = std::filesystem;

namespace {

// std::ifstream and gzopen both "open" a folder on Linux; reading it then fails oddly.
void reject_folder(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw DataError("'" + path.string() + "' is a folder, not a file");
  }
}

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const fs::path& path) {
  reject_folder(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError("cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size < 0 ? 0 : size));
  if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    throw DataError("cannot read '" + path.string() + "'");
  }
  return bytes;
}

std::vector<std::uint8_t> read_gzip_file(const fs::path& path) {
  struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
  };
  reject_folder(path);
  errno = 0;
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) {
    throw DataError("cannot open '" + path.string() +
                    "': " + (errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> buffer(1 << 20);
  for (;;) {
    const int n = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      throw DataError("'" + path.string() + "' is not a valid gzip file (" + message +
                      "); delete it and fetch it again");
    }
    if (n == 0) break;
    out.insert(out.end(), buffer.begin(), buffer.begin() + n);
  }
  // gzread stops quietly (returns 0, not -1) at a truncated stream and records Z_BUF_ERROR
  // ("unexpected end of file"), so a clean end is only Z_OK.
  int code = 0;
  const char* message = gzerror(file.get(), &code);
  if (code == Z_BUF_ERROR) {
    throw DataError("'" + path.string() + "' is a truncated gzip file (" + message + " after " +
                    std::to_string(out.size()) +
                    " uncompressed bytes); delete it and fetch it again");
  }
  if (code != Z_OK) {
    throw DataError("'" + path.string() + "' is a damaged gzip file (" + message +
                    "); delete it and fetch it again");
  }
  return out;
}

fs::path temp_sibling(const fs::path& path) {
  fs::path tmp = path;
  tmp += ".tmp";
  return tmp;
}

void write_file_atomic(const fs::path& path, const std::string& text) {
  const fs::path tmp = temp_sibling(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw RunError("cannot write '" + tmp.string() + "': " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw RunError("cannot write '" + tmp.string() + "' (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    throw RunError("cannot rename '" + tmp.string() + "' to '" + path.string() +
                   "': " + ec.message());
}

}  // namespace helmholtz::core
