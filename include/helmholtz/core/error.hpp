#pragma once
// The project's one exception family. Everything a user can cause (a bad option, a missing or
// corrupt file, a codec failure on their data) throws one of these with a message that names
// the file or option and says what to do; `main` catches them, prints one line, exits non-zero.

#include <stdexcept>
#include <string>

namespace helmholtz::core {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad option or option value.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A missing, unreadable or malformed input file or dataset.
class DataError : public Error {
 public:
  using Error::Error;
};

// The codec refused to encode or decode.
class CodecError : public Error {
 public:
  using Error::Error;
};

// Writing results (run folder, checkpoint) failed, or a run folder is in a state we must not touch.
class RunError : public Error {
 public:
  using Error::Error;
};

// A run that ended early for a reason that is a result, not a fault: it diverged, or a signal
// stopped it. Everything it finished is kept; `main` prints its line and exits with its code
// (core/exit_codes.hpp: kExitDiverged, kExitInterrupted).
class RunStopped : public Error {
 public:
  RunStopped(const std::string& message, int exit_code) : Error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace helmholtz::core
