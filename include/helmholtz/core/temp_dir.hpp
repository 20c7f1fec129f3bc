#pragma once
// A fresh folder under the system's temporary folder (TMPDIR), removed with everything in it
// when the object goes. For scratch files that nothing keeps: doctor's checkpoint round trip,
// the tests' folders.

#include <filesystem>
#include <string>

namespace helmholtz::core {

class TempDir {
 public:
  // Makes <tmp>/<prefix>-XXXXXX (mkdtemp); throws core::RunError naming the folder when it
  // cannot.
  explicit TempDir(const std::string& prefix = "helmholtz");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace helmholtz::core
