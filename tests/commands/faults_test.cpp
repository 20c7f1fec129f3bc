// Faults never lose a run, tried through the binary as they happen on shared machines: a NaN
// divergence, a damaged newest checkpoint, a full disk, a second process on the same folder,
// and signals (SIGTERM, SIGINT, SIGUSR1, SIGKILL) at random points of many short runs, each
// resumed until it finishes with the history of a run never interrupted.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

extern char** environ;

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::quoted;
using testing::read_text;
using testing::run_helmholtz;
using Clock = std::chrono::steady_clock;

// The history without its seconds column: what a resumed run must reproduce exactly.
std::string history_without_seconds(const fs::path& file) {
  std::istringstream in(read_text(file));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    out += line.substr(0, line.rfind(',')) + "\n";
  }
  return out;
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

// Temporary files left in a folder ("*.tmp").
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".tmp") out.push_back(e.path().filename().string());
  }
  return out;
}

// The files of a run folder (its predictions folder's too) but its log and lock, byte for byte.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (e.is_regular_file() && name != ".lock" && name != "train.log") {
      files[e.path().lexically_relative(dir).string()] = read_text(e.path());
    }
  }
  return files;
}

// A child `helmholtz` process with its output in a file, for tests that signal it.
class Child {
 public:
  Child(const std::string& args, const fs::path& output) {
    const std::string line = "exec '" + std::string(HELMHOLTZ_BINARY) + "' " + args + " >" +
                             quoted(output) + " 2>&1";
    std::vector<std::string> argv_strings = {"/bin/sh", "-c", line};
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig) const {
    if (!reaped_) kill(pid_, sig);
  }
  bool running() {
    if (reaped_) return false;
    if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    return !reaped_;
  }
  // The exit code, or 128 + the signal that ended it.
  int wait() {
    if (!reaped_) waitpid(pid_, &status_, 0);
    reaped_ = true;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

class Faults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TempDir();
    data::write_pattern_cifar10(data_->path(), 200, 50, 3);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  // The tiny network on the generated set, into `dir`.
  static std::string train(const fs::path& dir, int epochs, const std::string& more = "") {
    return "train --dataset cifar10 --data-dir " + quoted(data_->path()) + " --architecture " +
           quoted(testing::tiny_architecture()) + " --quality 50 --epochs " +
           std::to_string(epochs) + " --batch-size 32 --device cpu --threads 1 --no-progress" +
           " --log-dir " + quoted(dir) + " " + more;
  }
  static inline testing::TempDir* data_ = nullptr;
  testing::TempDir work_;
};

// A learning rate that overflows the weights (on the reference networks --lr 50 does; the tiny
// network's ReLUs die first and its clipped loss saturates, so it takes more): the loss turns
// NaN; the run stops after that epoch as "diverged", with its own exit code and one closing
// line, is not trained again, and trains on through NaN only when asked to.
TEST_F(Faults, DivergenceIsAResultWithItsOwnExitCode) {
  const fs::path dir = work_.path() / "diverged";
  const auto r = run_helmholtz(train(dir, 5, "--lr 1e30"));
  ASSERT_EQ(r.exit_code, core::kExitDiverged) << r.output;
  EXPECT_NE(last_line(r.output).find("diverged at epoch"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
  const json summary = json::parse(read_text(dir / "summary.json"));
  EXPECT_EQ(summary["status"], "diverged");
  EXPECT_FALSE(summary["finished"].get<bool>());
  const int epoch = summary["diverged_epoch"].get<int>();
  EXPECT_GE(epoch, 1);
  EXPECT_LT(epoch, 5);
  EXPECT_EQ(summary["epochs_completed"].get<int>(), epoch);
  EXPECT_TRUE(temporaries(dir).empty());
  const auto history = read_text(dir / "history.csv");
  EXPECT_NE(history.find("nan"), std::string::npos) << history;

  // Again: nothing is trained, nothing changes, the same exit code and why.
  const auto before = snapshot(dir);
  const auto again = run_helmholtz(train(dir, 5, "--lr 1e30"));
  EXPECT_EQ(again.exit_code, core::kExitDiverged) << again.output;
  EXPECT_NE(again.output.find("diverged at epoch " + std::to_string(epoch)), std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("--on-divergence continue"), std::string::npos) << again.output;
  EXPECT_EQ(snapshot(dir), before);

  // Through NaN, as the reference trained: to the end, finished.
  const auto through = run_helmholtz(train(dir, 5, "--lr 1e30 --resume --on-divergence continue"));
  ASSERT_EQ(through.exit_code, 0) << through.output;
  const json finished = json::parse(read_text(dir / "summary.json"));
  EXPECT_EQ(finished["status"], "finished");
  EXPECT_EQ(finished["epochs_completed"], 5);
  EXPECT_EQ(finished["diverged_epoch"], epoch);
}

// A sweep lists a diverged run apart from failures, exits 0 for it, and never starts it again.
TEST_F(Faults, ASweepListsADivergedRunApartAndNeverRetriesIt) {
  const std::string sweep = "sweep --dataset cifar10 --data-dir " + quoted(data_->path()) +
                            " --architecture " + quoted(testing::tiny_architecture()) +
                            " --qualities 50 --seeds 0 --epochs 3 --batch-size 32 --lr 1e30"
                            " --device cpu --threads 1 --log-root " +
                            quoted(work_.path() / "logs");
  const auto r = run_helmholtz(sweep);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tiny-quality_50-seed_0  diverged"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 finished, 0 failed, 0 skipped (finished before), 1 diverged"),
            std::string::npos)
      << r.output;
  const auto again = run_helmholtz(sweep);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("1 diverged before, 0 to run"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("started"), std::string::npos) << again.output;
}

// A damaged newest checkpoint (one flipped byte): resuming falls back on the previous
// generation with a warning naming both, drops the epoch after it, and ends with the history
// of a run never damaged.
TEST_F(Faults, ADamagedNewestCheckpointFallsBackOnThePreviousOne) {
  const fs::path whole = work_.path() / "whole";
  ASSERT_EQ(run_helmholtz(train(whole, 4)).exit_code, 0);
  const fs::path dir = work_.path() / "damaged";
  ASSERT_EQ(run_helmholtz(train(dir, 3)).exit_code, 0);
  ASSERT_TRUE(fs::exists(dir / "last.pt.prev"));
  const auto middle = static_cast<std::streamoff>(fs::file_size(dir / "last.pt") / 2);
  testing::flip_byte(dir / "last.pt", middle, 0x5a);
  const auto r = run_helmholtz(train(dir, 4, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("last.pt' is damaged (checksum mismatch)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("last.pt.prev' (epoch 2)"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "last.pt.damaged"));
  EXPECT_EQ(history_without_seconds(dir / "history.csv"),
            history_without_seconds(whole / "history.csv"));
  EXPECT_EQ(json::parse(read_text(dir / "summary.json"))["best_epoch"],
            json::parse(read_text(whole / "summary.json"))["best_epoch"]);
}

// A second process on a folder in use is refused naming the holder; SIGTERM stops the first
// cleanly: exit 5, "interrupted" with the signal, and --resume finishes it.
TEST_F(Faults, ASecondProcessIsRefusedAndSigtermStopsTheFirstCleanly) {
  const fs::path dir = work_.path() / "busy";
  Child first(train(dir, 400), work_.path() / "first.txt");
  ASSERT_GT(first.pid(), 0);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "history.csv") && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(dir / "history.csv")) << read_text(work_.path() / "first.txt");
  const auto second = run_helmholtz(train(dir, 400, "--resume"));
  EXPECT_EQ(second.exit_code, core::kExitError) << second.output;
  EXPECT_NE(second.output.find("is in use by another helmholtz process"), std::string::npos)
      << second.output;
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(), core::kExitInterrupted) << read_text(work_.path() / "first.txt");
  const std::string output = read_text(work_.path() / "first.txt");
  EXPECT_NE(last_line(output).find("interrupted by SIGTERM"), std::string::npos) << output;
  EXPECT_NE(output.find("--resume continues"), std::string::npos) << output;
  const json summary = json::parse(read_text(dir / "summary.json"));
  EXPECT_EQ(summary["status"], "interrupted");
  EXPECT_EQ(summary["stop_signal"], "SIGTERM");
  EXPECT_TRUE(temporaries(dir).empty());
  const int done = summary["epochs_completed"].get<int>();
  const auto resumed = run_helmholtz(train(dir, done + 1, "--resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(json::parse(read_text(dir / "summary.json"))["status"], "finished");
}

// Signals at random points of many short runs, each resumed until it finishes: SIGTERM, SIGINT
// and SIGUSR1 stop cleanly (exit 5) or, before the handlers are in place, end the process;
// SIGKILL ends it anywhere, mid-write included. Every finished history equals that of a run
// never interrupted: no epoch lost, none repeated.
TEST_F(Faults, SignalsAtRandomPointsLoseAndRepeatNoEpoch) {
  constexpr int kEpochs = 6;
  constexpr int kInterruptions = 24;
  const fs::path whole = work_.path() / "whole";
  const auto start = Clock::now();
  ASSERT_EQ(run_helmholtz(train(whole, kEpochs)).exit_code, 0);
  const double run_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double train_seconds = 0;
  {
    std::istringstream in(read_text(whole / "history.csv"));
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) train_seconds += std::stod(line.substr(line.rfind(',') + 1));
  }
  const std::string expected = history_without_seconds(whole / "history.csv");

  std::mt19937 rng(20261202);
  std::uniform_real_distribution<double> when(0.0, 1.0);
  const int signals[] = {SIGTERM, SIGKILL, SIGINT, SIGUSR1};
  int interruptions = 0, clean_stops = 0, finished_runs = 0, attempts = 0;
  std::map<int, int> by_signal;
  fs::path dir;
  bool fresh = true;
  while (interruptions < kInterruptions && attempts < 120) {
    if (fresh) {
      dir = work_.path() / ("run_" + std::to_string(finished_runs));
      fresh = false;
    }
    ++attempts;
    const int sig = signals[attempts % 4];
    const fs::path output = work_.path() / "child.txt";
    Child child(train(dir, kEpochs, "--resume"), output);
    ASSERT_GT(child.pid(), 0);
    // Half the signals come at any moment of the process's life (start-up and data
    // preparation included); the others once training has begun, somewhere in its epochs.
    if (attempts % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(when(rng) * run_seconds));
    } else {
      const auto deadline = Clock::now() + std::chrono::seconds(60);
      while (child.running() && read_text(output).find(", protocol ") == std::string::npos &&
             Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(when(rng) * train_seconds));
    }
    child.signal(sig);
    const int code = child.wait();
    const std::string text = read_text(output);
    EXPECT_EQ(text.find("terminate called"), std::string::npos) << text;
    if (code == 0) {  // it finished before the signal
      EXPECT_EQ(history_without_seconds(dir / "history.csv"), expected) << dir;
      ++finished_runs;
      fresh = true;
      continue;
    }
    ++interruptions;
    ++by_signal[sig];
    if (sig == SIGKILL) {
      EXPECT_EQ(code, 128 + SIGKILL) << text;
    } else {
      // A clean stop, or the default action of a signal that came before the handlers.
      EXPECT_TRUE(code == core::kExitInterrupted || code == 128 + sig) << code << "\n" << text;
      if (code == core::kExitInterrupted) {
        ++clean_stops;
        EXPECT_TRUE(temporaries(dir).empty()) << dir;
      }
    }
  }
  // Resume the last one to its end.
  if (!fresh) {
    const auto r = run_helmholtz(train(dir, kEpochs, "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(history_without_seconds(dir / "history.csv"), expected) << dir;
    EXPECT_TRUE(temporaries(dir).empty()) << dir;
    ++finished_runs;
  }
  EXPECT_GE(interruptions, kInterruptions) << "in " << attempts << " attempts";
  EXPECT_GT(clean_stops, 0);
  EXPECT_GT(by_signal[SIGKILL], 0);
  RecordProperty("interruptions", interruptions);
  RecordProperty("clean_stops", clean_stops);
  RecordProperty("finished_runs", finished_runs);
  std::printf("%d interruptions (%d clean stops) over %d attempts; %d runs resumed to the end\n",
              interruptions, clean_stops, attempts, finished_runs);
}

// A full disk (a small tmpfs, where the tests run as root): the first write that does not fit
// is one line naming the file, exit 2, no temporary file, and the files of the last good epoch
// stay as they were; once there is room again, --resume finishes the run.
TEST_F(Faults, AFullDiskIsOneLineAndLosesNothing) {
  const fs::path mount_point = work_.path() / "small";
  fs::create_directories(mount_point);
  if (::mount("helmholtz-test", mount_point.c_str(), "tmpfs", 0, "size=4m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "): the full-disk test needs root with CAP_SYS_ADMIN; the file-size-limit "
                    "test (TrainCommand.AFailedCheckpointWriteIsOneLineAndLeavesNoTemporaryFile) "
                    "covers the same path";
  }
  struct Unmount {
    fs::path where;
    ~Unmount() { ::umount2(where.c_str(), MNT_DETACH); }
  } unmount{mount_point};
  const fs::path dir = mount_point / "run";
  ASSERT_EQ(run_helmholtz(train(dir, 1)).exit_code, 0);
  const auto before = snapshot(dir);
  // Fill what is left.
  {
    std::ofstream filler(mount_point / "filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  const auto full = run_helmholtz(train(dir, 3, "--resume"));
  EXPECT_EQ(full.exit_code, core::kExitError) << full.output;
  EXPECT_NE(last_line(full.output).find("disk full writing '" + dir.string()),
            std::string::npos)
      << full.output;
  EXPECT_EQ(full.output.find("terminate called"), std::string::npos) << full.output;
  EXPECT_TRUE(temporaries(dir).empty());
  EXPECT_EQ(snapshot(dir), before);
  fs::remove(mount_point / "filler");
  const auto resumed = run_helmholtz(train(dir, 3, "--resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(json::parse(read_text(dir / "summary.json"))["epochs_completed"], 3);
}

}  // namespace
}  // namespace helmholtz::commands
