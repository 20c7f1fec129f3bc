#pragma once
// What the fuzz targets share. A target is one LLVMFuzzerTestOneInput over one reader of outside
// bytes; it passes an input when the reader returns a result that holds together or throws a
// core::Error (the reader refused the input, naming it). Anything else is a fault: a crash, a
// sanitizer report, another exception escaping (libFuzzer stops on it as a crash), a result that
// contradicts itself (check()), an allocation sized by a length field (libFuzzer's
// -malloc_limit_mb), or an input that takes seconds (-timeout).
//
// The same sources build as libFuzzer binaries (HELMHOLTZ_FUZZ) and, in every normal build, as
// replay programs that feed files through the target (replay_main.cpp).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::fuzz {

// Separates the files of a target that reads several (a run folder's summary.json, history.csv
// and cross_eval.csv; an IDX images file and its labels file). The seed generator joins files
// with it and the dictionaries hold it, so the fuzzer keeps the files apart.
inline constexpr std::string_view kNextFile = "\n--next-file--\n";

// The parts of an input split at kNextFile, at most `max_parts` (the last one keeps any further
// separators).
inline std::vector<std::string_view> split_input(const std::uint8_t* data, std::size_t size,
                                                 std::size_t max_parts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t at = rest.find(kNextFile);
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kNextFile.size());
  }
  parts.push_back(rest);
  return parts;
}

// A broken invariant of a reader's result: a fault, reported as a crash with this input.
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what, file, line);
  std::abort();
}
#define HELMHOLTZ_FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::helmholtz::fuzz::fail(#condition, __FILE__, __LINE__))

// Runs `read`; a core::Error is the reader refusing the input, which passes. Every other
// exception escapes to libFuzzer (or the replay) and counts as a fault.
template <class Read>
void refused_or_read(Read&& read) {
  try {
    read();
  } catch (const core::Error&) {
  }
}

// A folder of this process for the files the path readers read, removed at exit. It lies under
// $HELMHOLTZ_FUZZ_TMP when set (scripts/fuzz.sh sets it, and removes what a crashed process
// leaves), else /dev/shm (memory: writing a file per input costs microseconds), else the
// system's temporary folder.
class Scratch {
 public:
  Scratch() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path base;
    if (const char* env = std::getenv("HELMHOLTZ_FUZZ_TMP"); env != nullptr && *env != '\0') {
      base = env;
    } else if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
      base = "/dev/shm";
    } else {
      base = fs::temp_directory_path();
    }
    path_ = base / ("helmholtz-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(path_, ec);
    if (ec) {
      std::fprintf(stderr, "fuzz: cannot create '%s': %s\n", path_.c_str(), ec.message().c_str());
      std::abort();
    }
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline const std::filesystem::path& scratch_dir() {
  static const Scratch scratch;
  return scratch.path();
}

// Writes `bytes` to `file` (a plain write: the atomic, synced write of the project would cost
// a disk flush per input). A failure is the harness's, not the reader's: it aborts.
inline void write_bytes(const std::filesystem::path& file, std::string_view bytes) {
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr ||
      (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) ||
      std::fclose(out) != 0) {
    std::fprintf(stderr, "fuzz: cannot write '%s'\n", file.c_str());
    std::abort();
  }
}

// The input as file `name` of the scratch folder; returns its path.
inline std::filesystem::path write_input(const std::string& name, const std::uint8_t* data,
                                         std::size_t size) {
  const std::filesystem::path file = scratch_dir() / name;
  write_bytes(file, std::string_view(reinterpret_cast<const char*>(data), size));
  return file;
}

}  // namespace helmholtz::fuzz
