#pragma once
// An exclusive advisory lock (flock) on a file, held for the object's lifetime, so that two
// processes never write one run folder at once. The lock file keeps the holder's pid for the
// message the loser sees. The kernel drops the lock when the holder dies, even by SIGKILL.

#include <filesystem>
#include <string>

namespace helmholtz::core {

class FileLock {
 public:
  enum class Wait { kNo, kYes };
  // Takes the lock on `file` (created if missing), without waiting (kNo) or until the holder
  // lets go (kYes: for a shared cache, where the second process should read what the first
  // writes). Throws RunError naming the file and the holder's pid when another process holds it
  // (kNo), or when it cannot be created. `what` names the locked thing in that message
  // ("run folder 'logs/x'").
  FileLock(const std::filesystem::path& file, const std::string& what, Wait wait = Wait::kNo);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::filesystem::path& path() const { return file_; }

 private:
  std::filesystem::path file_;
  int fd_ = -1;
};

// The pid recorded in a lock file, or 0 when there is none.
long lock_holder(const std::filesystem::path& file);

}  // namespace helmholtz::core
