#pragma once
// Helpers shared by the tests: a temporary folder that cleans up after itself, running the
// helmholtz binary as a user would, and run specs on the tiny test network. No torch.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "helmholtz/core/temp_dir.hpp"
#include "helmholtz/run/spec.hpp"
#include "helmholtz/run/summary.hpp"

namespace helmholtz::testing {

// A test's own scratch folder (core::TempDir), named helmholtz-test-XXXXXX.
class TempDir : public core::TempDir {
 public:
  TempDir() : core::TempDir("helmholtz-test") {}
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// A whole, valid summary of one finished run (JPEG quality 5 of all-cnns on CIFAR-10, seed 0,
// 3 epochs, held-out validation), for tests that write run folders by hand: they change the
// fields they are about and write run::to_json of it.
inline run::Summary sample_summary(const run::Identity& identity = {}) {
  run::Summary s;
  s.version = "test";
  s.identity = identity;
  s.dataset = "cifar10";
  s.model = "all-cnns";
  s.level_option = "quality";
  s.level = "5";
  s.codec = "jpeg";
  s.optimizer = "sgd";
  s.parameters = 1369738;
  s.device = "cpu";
  s.device_name = "cpu";
  s.precision = "fp32";
  s.train_samples = 1000;
  s.train_steps_per_epoch = 8;
  s.validation_samples = 500;
  s.test_samples = 1000;
  s.num_classes = 10;
  s.epochs_requested = 3;
  s.epochs_completed = 3;
  s.finished = true;
  s.status = run::RunStatus::kFinished;
  s.best_val_acc = 0.5;
  s.best_epoch = 3;
  s.mean_top10_val_acc = 0.4;
  s.test_best = run::TestFigures{3, 0.5, 1.2};
  s.test_last = run::TestFigures{3, 0.5, 1.2};
  s.bits_per_sample = 2000;
  s.payload_bits_per_sample = 1500;
  s.lossless_bits_per_sample = 20000;
  s.lossless_payload_bits_per_sample = 19000;
  s.signal_bits_per_sample = 24576;
  s.distortion_metric = "psnr";
  s.distortion_db = 25.0;
  s.compression = nlohmann::json::object();
  s.wall_seconds = 10;
  return s;
}

// A file's bytes as a string (empty when it cannot be read).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// XORs one byte of a file with `mask` (never 0: the byte always changes), as a bad disk or a
// torn write would damage it.
inline void flip_byte(const std::filesystem::path& file, std::streamoff offset,
                      unsigned char mask = 0x01) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(static_cast<char>(static_cast<unsigned char>(c) ^ mask));
}

// A path single-quoted for the shell lines of run_shell and run_helmholtz.
inline std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Runs a shell command line, stderr merged into stdout.
inline CommandResult run_shell(const std::string& line) {
  const std::string command = line + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `helmholtz <args>` through the shell, stderr merged into stdout.
inline CommandResult run_helmholtz(const std::string& args) {
  return run_shell(std::string("'") + HELMHOLTZ_BINARY + "' " + args);
}

// Debian's Python with numpy and Pillow (python3-numpy, python3-pil), the peers that exactness
// tests compare with; such tests skip when it lacks them.
inline constexpr const char* kSystemPython = "/usr/bin/python3";
inline bool system_python_has(const std::string& modules) {
  return run_shell(std::string(kSystemPython) + " -c 'import " + modules + "'").exit_code == 0;
}

// Calls fn, expects it to throw an E, returns the message (and records a failure otherwise).
template <typename E, typename Fn>
std::string error_message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "the expected exception was not thrown";
  return {};
}

// The tiny network of tests/fixtures/tiny.toml, for tests of plumbing rather than of networks.
inline std::filesystem::path tiny_architecture() {
  return std::filesystem::path(HELMHOLTZ_SOURCE_DIR) / "tests" / "fixtures" / "tiny.toml";
}

// A run spec from (option, value) pairs, each set through its field as the command line would,
// then finalized with those options as given.
inline run::RunSpec finalized(const std::vector<std::pair<std::string, std::string>>& settings) {
  run::RunSpec s;
  run::Given given;
  for (const auto& [key, value] : settings) {
    const run::Field* f = run::find_field(key);
    if (f == nullptr) throw std::logic_error("no field " + key);
    f->set(s, value);
    given.insert(key);
  }
  run::finalize(s, given);
  return s;
}

// The value of `key` in an identity, "(none)" when it has none.
inline std::string value_of(const run::Identity& id, const std::string& key) {
  for (const auto& [k, v] : id) {
    if (k == key) return v;
  }
  return "(none)";
}

// A CPU run on `data_dir` (a generated CIFAR-format set) at JPEG quality 50 with the tiny
// network, one thread (ctest runs two tests at once), no progress bar, finalized as
// `helmholtz train` would.
inline run::RunSpec tiny_image_spec(const std::filesystem::path& data_dir,
                                    const std::filesystem::path& log_dir, int epochs) {
  run::RunSpec s;
  s.data.dataset = "cifar10";
  s.data.data_dir = data_dir;
  s.data.level = data::Quality::parse("50");
  s.recipe.architecture_file = tiny_architecture();
  s.recipe.epochs = epochs;
  s.recipe.batch_size = 16;
  s.runtime.threads = 1;
  s.runtime.device = "cpu";
  s.runtime.log_dir = log_dir;
  s.runtime.progress = false;
  run::finalize(s, {"dataset", "quality", "architecture", "batch-size"});
  return s;
}

}  // namespace helmholtz::testing
