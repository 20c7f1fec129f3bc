#include "helmholtz/core/files.hpp"

#include <fcntl.h>
#include <unistd.h>
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

namespace {

// Why a write failed, for a person: the common causes named, the rest as the system says.
std::string write_failure(int error) {
  switch (error) {
    case ENOSPC: return "disk full";
    case EDQUOT: return "disk quota exceeded";
    case EFBIG: return "file too large for this file system or limit";
    case EIO: return "input/output error";
    default: return std::strerror(error);
  }
}

// Owns a file descriptor.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int release_and_close() {  // 0, or the errno of close
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& text) {
  write_file_atomic(path, {ByteSpan{text.data(), text.size()}});
}

void write_file_atomic(const fs::path& path, const void* data, std::size_t size) {
  write_file_atomic(path, {ByteSpan{data, size}});
}

void write_file_atomic(const fs::path& path, const std::vector<ByteSpan>& pieces,
                       const fs::path& previous) {
  const fs::path tmp = temp_sibling(path);
  const auto fail = [&](int error) {
    std::error_code ec;
    fs::remove(tmp, ec);  // never leave a temporary file behind
    return RunError(write_failure(error) + " writing '" + path.string() +
                    "'; the previous version, if any, is untouched");
  };
  {
    Descriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      throw RunError("cannot write '" + tmp.string() + "': " + std::strerror(errno));
    }
    for (const ByteSpan& piece : pieces) {
      const auto* bytes = static_cast<const char*>(piece.data);
      std::size_t done = 0;
      while (done < piece.size) {
        const ssize_t n = ::write(fd.get(), bytes + done, piece.size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw fail(n < 0 ? errno : ENOSPC);  // 0: no progress, as a full disk
        done += static_cast<std::size_t>(n);
      }
    }
    if (::fsync(fd.get()) != 0) throw fail(errno);
    if (const int error = fd.release_and_close(); error != 0) throw fail(error);
  }
  std::error_code ec;
  if (!previous.empty() && fs::exists(path, ec)) {
    fs::rename(path, previous, ec);
    if (ec) {
      const std::string why = ec.message();
      fs::remove(tmp, ec);
      throw RunError("cannot keep '" + path.string() + "' as '" + previous.string() +
                     "': " + why);
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    throw RunError("cannot rename '" + tmp.string() + "' to '" + path.string() + "': " + why);
  }
  // The renames reach the disk with the folder's own entry (best effort: some file systems
  // cannot sync a folder).
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const Descriptor dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace helmholtz::core
