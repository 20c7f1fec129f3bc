#include "helmholtz/core/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "helmholtz/core/error.hpp"

namespace helmholtz::core {

TempDir::TempDir(const std::string& prefix) {
  std::error_code ec;
  const auto base = std::filesystem::temp_directory_path(ec);
  std::string pattern = ((ec ? std::filesystem::path("/tmp") : base) / (prefix + "-XXXXXX"));
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw RunError("cannot make a temporary folder '" + pattern + "': " + std::strerror(errno) +
                   " (set TMPDIR to a writable folder)");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace helmholtz::core
