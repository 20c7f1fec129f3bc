#include "helmholtz/core/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::core {

FileLock::FileLock(const std::filesystem::path& file, const std::string& what, Wait wait)
    : file_(file) {
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw RunError("cannot create the lock file '" + file.string() + "': " + std::strerror(errno));
  }
  int locked = 0;
  do {  // a signal handler's return (EINTR) does not give up the wait
    locked = ::flock(fd_, wait == Wait::kYes ? LOCK_EX : LOCK_EX | LOCK_NB);
  } while (locked != 0 && errno == EINTR);
  if (locked != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      const long pid = lock_holder(file);
      throw RunError(what + " is in use by another helmholtz process" +
                     (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                     "; wait for it to finish, or stop it first");
    }
    throw RunError("cannot lock '" + file.string() + "': " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid is only for messages; the lock itself holds.
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    if (::ftruncate(fd_, 0) != 0) {
      // Nothing to do: a stale pid only shows up in a message.
    }
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

long lock_holder(const std::filesystem::path& file) {
  std::ifstream in(file);
  long pid = 0;
  if (in >> pid) return pid;
  return 0;
}

}  // namespace helmholtz::core
