// Sweeps through the binary on tiny generated data and the tiny test network: a 2 x 2 grid
// (levels x seeds) on the CPU that loses one run to SIGKILL, is resumed by running it again, and
// reports; cells whose folders hold another recipe, refused up front; the lock that keeps two
// processes out of one run folder; and the same grid as an sbatch array on a real one-node
// Slurm cluster.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "helmholtz/core/file_lock.hpp"
#include "helmholtz/run/history.hpp"
#include "test_support.hpp"

namespace helmholtz::sweep {
namespace {
namespace fs = std::filesystem;
using testing::run_helmholtz;
using testing::TempDir;

class SweepCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    const auto r = run_helmholtz("synth cifar10 --out '" + data_->path().string() +
                                 "' --train 2000 --test 100 --seed 4");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static std::string grid(const fs::path& logs, int epochs,
                          const std::string& qualities = "5,50") {
    return "sweep --dataset cifar10 --data-dir '" + data_->path().string() + "' --qualities " +
           qualities + " --seeds 0,1 --architecture '" + testing::tiny_architecture().string() +
           "' --epochs " + std::to_string(epochs) + " --batch-size 32 --device cpu --log-root '" +
           logs.string() + "'";
  }
  static inline TempDir* data_ = nullptr;
};

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

const char* const kRuns[] = {"cifar10/tiny/quality_5", "cifar10/tiny/quality_50",
                             "cifar10/tiny/quality_5/seed_1", "cifar10/tiny/quality_50/seed_1"};

TEST_F(SweepCli, RunsTheGridSurvivesAKilledRunResumesItAndReports) {
  TempDir logs;
  const fs::path victim = logs.path() / "cifar10" / "tiny" / "quality_50";
  // The sweep in the background; when the victim has finished its first epoch, kill it.
  const std::string command = std::string("'") + HELMHOLTZ_BINARY + "' " + grid(logs.path(), 8) +
                              " --jobs 2 2>&1; echo \"exit=$?\"";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!killed && std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(victim / "last.pt")) {
      const long pid = core::lock_holder(victim / ".lock");
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), SIGKILL) == 0) killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  pclose(pipe);
  ASSERT_TRUE(killed) << output;
  EXPECT_NE(output.find("exit=2"), std::string::npos) << output;
  EXPECT_NE(output.find("killed by signal 9"), std::string::npos) << output;
  EXPECT_NE(output.find("3 finished, 1 failed"), std::string::npos) << output;
  EXPECT_NE(output.find("tiny-quality_50-seed_0.log"), std::string::npos) << output;
  EXPECT_FALSE(read_json(victim / "summary.json")["finished"].get<bool>());

  // The same sweep again: three runs skipped, the killed one resumed, all finished.
  const auto again = run_helmholtz(grid(logs.path(), 8) + " --jobs 2");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("1 finished, 0 failed, 3 skipped"), std::string::npos)
      << again.output;
  std::ifstream child_log(logs.path() / "sweeps" / "cifar10" / "logs" /
                          "tiny-quality_50-seed_0.log");
  const std::string child((std::istreambuf_iterator<char>(child_log)), {});
  EXPECT_NE(child.find("resuming"), std::string::npos) << child;
  for (const char* run : kRuns) {
    const auto summary = read_json(logs.path() / run / "summary.json");
    EXPECT_TRUE(summary["finished"].get<bool>()) << run;
    const auto history = run::read_history_csv(logs.path() / run / "history.csv");
    ASSERT_EQ(history.size(), 8u) << run;
    for (int e = 0; e < 8; ++e) EXPECT_EQ(history[e].epoch, e + 1) << run;
  }

  // The report covers the four runs with the numbers of their histories.
  const auto report = run_helmholtz("report '" + logs.path().string() + "' --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  std::ifstream csv(logs.path() / "report.csv");
  std::string line;
  int rows = -1;
  while (std::getline(csv, line)) rows += line.empty() ? 0 : 1;
  EXPECT_EQ(rows, 4);
  EXPECT_TRUE(fs::exists(logs.path() / "report.md"));
}

TEST_F(SweepCli, ALockedRunFolderIsRefusedNamingTheHolder) {
  TempDir logs;
  const fs::path run = logs.path() / "busy";
  fs::create_directories(run);
  const core::FileLock lock(run / ".lock", "run folder");
  const auto r = run_helmholtz("train --dataset cifar10 --data-dir '" + data_->path().string() +
                               "' --epochs 1 --device cpu --no-progress --log-dir '" +
                               run.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("in use by another helmholtz process (pid " +
                          std::to_string(::getpid()) + ")"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(run / "config.toml"));
}

TEST_F(SweepCli, DryRunListsCellsAndBadGridsAreRefused) {
  TempDir logs;
  auto r = run_helmholtz(grid(logs.path(), 1) + " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* id : {"tiny-quality_5-seed_0", "tiny-quality_50-seed_1"}) {
    EXPECT_NE(r.output.find(id), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(logs.path() / "cifar10"));
  r = run_helmholtz(grid(logs.path(), 1) + " --settings 0,9");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--settings"), std::string::npos) << r.output;
  r = run_helmholtz(grid(logs.path(), 1) + " --bitrates 32");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrates does not apply"), std::string::npos) << r.output;
}

TEST_F(SweepCli, CellsOfAnotherRecipeAreRefusedUpFrontAndTheRestTrain) {
  TempDir logs;
  auto first = run_helmholtz(grid(logs.path(), 1, "5"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const fs::path kept = logs.path() / "cifar10" / "tiny" / "quality_5";
  std::ifstream before_file(kept / "summary.json");
  const std::string before((std::istreambuf_iterator<char>(before_file)), {});
  // The same log root, another learning rate, one more level.
  const auto r = run_helmholtz(grid(logs.path(), 1, "5,75") + " --lr 0.05");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("refused tiny-quality_5-seed_0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("refused tiny-quality_5-seed_1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lr 0.01, you asked for lr 0.05"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 finished, 0 failed, 0 skipped (finished before), 2 refused"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 runs refused"), std::string::npos) << r.output;
  // The refused folders are untouched; the new level trained with the new recipe.
  std::ifstream after_file(kept / "summary.json");
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after_file)), {}), before);
  const auto fresh = read_json(logs.path() / "cifar10" / "tiny" / "quality_75" / "summary.json");
  EXPECT_TRUE(fresh["finished"].get<bool>());
  EXPECT_EQ(fresh["identity"]["lr"].get<std::string>(), "0.05");
}

// Starts the one-node cluster of scripts/slurm-local.sh for the test's lifetime.
class LocalSlurm {
 public:
  explicit LocalSlurm(const fs::path& dir) : dir_(dir) {
    const std::string script = std::string(HELMHOLTZ_SOURCE_DIR) + "/scripts/slurm-local.sh";
    const std::string command =
        "'" + script + "' start '" + dir.string() + "' 2>'" + (dir.string() + ".err") + "'";
    const int status = std::system(command.c_str());
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(dir.string() + ".err");
    reason_.assign(std::istreambuf_iterator<char>(err), {});
    if (code_ == 0) {
      ::setenv("SLURM_CONF", (dir / "slurm.conf").c_str(), 1);
    }
  }
  ~LocalSlurm() {
    const std::string script = std::string(HELMHOLTZ_SOURCE_DIR) + "/scripts/slurm-local.sh";
    const std::string command = "'" + script + "' stop '" + dir_.string() + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "slurm-local.sh stop failed\n");
    ::unsetenv("SLURM_CONF");
  }
  LocalSlurm(const LocalSlurm&) = delete;
  LocalSlurm& operator=(const LocalSlurm&) = delete;
  int code() const { return code_; }
  const std::string& reason() const { return reason_; }

 private:
  fs::path dir_;
  int code_ = -1;
  std::string reason_;
};

TEST_F(SweepCli, TheSameGridThroughARealSlurmCluster) {
  TempDir work;
  const LocalSlurm slurm(work.path() / "cluster");
  if (slurm.code() == 77) GTEST_SKIP() << "no local Slurm cluster here: " << slurm.reason();
  ASSERT_EQ(slurm.code(), 0) << slurm.reason();
  const fs::path logs = work.path() / "logs";
  const auto r = run_helmholtz(grid(logs, 1) + " --slurm --submit --wait --cpus-per-task 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 array tasks"), std::string::npos) << r.output;
  for (const char* run : kRuns) {
    const auto summary = read_json(logs / run / "summary.json");
    EXPECT_TRUE(summary["finished"].get<bool>()) << run;
    EXPECT_EQ(summary["epochs_completed"], 1) << run;
  }
  int task_logs = 0;
  for (const auto& e : fs::directory_iterator(logs / "sweeps" / "cifar10" / "slurm" / "logs")) {
    task_logs += e.path().extension() == ".out" ? 1 : 0;
  }
  EXPECT_EQ(task_logs, 4);
  // Submitting the finished sweep again has nothing to do.
  const auto again = run_helmholtz(grid(logs, 1) + " --slurm --submit --wait");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 array tasks (4 runs finished before)"), std::string::npos)
      << again.output;
}

// Waits until `done()` or `seconds` have passed; returns done().
template <typename Fn>
bool eventually(Fn done, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

int history_rows(const fs::path& file) {
  std::istringstream in(testing::read_text(file));
  int rows = -1;  // the header
  for (std::string line; std::getline(in, line);) rows += line.empty() ? 0 : 1;
  return std::max(rows, 0);
}

// A task warned of its time limit (the batch shell gets SIGUSR1, as --signal=B:USR1@N sends
// it) stops cleanly and requeues itself; a task requeued by hand (`scontrol requeue`, as
// preemption does it) stops cleanly on Slurm's SIGTERM and comes back. Each time it resumes by
// itself, and the finished history has every epoch once.
TEST_F(SweepCli, ARequeuedTaskResumesByItselfOnARealSlurmCluster) {
  TempDir work;
  const LocalSlurm slurm(work.path() / "cluster");
  if (slurm.code() == 77) GTEST_SKIP() << "no local Slurm cluster here: " << slurm.reason();
  ASSERT_EQ(slurm.code(), 0) << slurm.reason();
  const fs::path logs = work.path() / "logs";
  constexpr int kEpochs = 300;
  const auto r = run_helmholtz(
      "sweep --dataset cifar10 --data-dir '" + data_->path().string() +
      "' --qualities 50 --seeds 0 --architecture '" + testing::tiny_architecture().string() +
      "' --epochs " + std::to_string(kEpochs) + " --batch-size 32 --device cpu --log-root '" +
      logs.string() + "' --slurm --submit --cpus-per-task 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto at = r.output.find("submitted Slurm job ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string task = std::to_string(std::stoi(r.output.substr(at + 20))) + "_0";
  const fs::path run = logs / "cifar10" / "tiny" / "quality_50";
  const fs::path log_dir = logs / "sweeps" / "cifar10" / "slurm" / "logs";
  const auto task_log = [&] {
    std::string text;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(log_dir, ec)) text += testing::read_text(e.path());
    return text;
  };
  const auto state = [&] {
    return testing::run_shell("scontrol -o show job " + task +
                              " | grep -o 'JobState=[A-Z_]* Reason=[^ ]*'")
        .output;
  };
  // Slurm holds a requeued job back for a while (BeginTime); the cluster's admin lets it go
  // once the ended instance has left the node (released at once, the new instance can start
  // while the old one is still being cleaned up there, and fail), and again at each poll.
  const auto restarted = [&](int n) {
    std::optional<std::chrono::steady_clock::time_point> pending_since;
    return eventually(
        [&] {
          if (task_log().find("(restart " + std::to_string(n) + ")") != std::string::npos) {
            return true;
          }
          if (state().find("JobState=PENDING Reason=BeginTime") == std::string::npos) {
            pending_since.reset();
          } else if (!pending_since) {
            pending_since = std::chrono::steady_clock::now();
          } else if (std::chrono::steady_clock::now() - *pending_since > std::chrono::seconds(5)) {
            testing::run_shell("scontrol update JobId=" + task + " StartTime=now");
          }
          return false;
        },
        180);
  };

  ASSERT_TRUE(eventually([&] { return history_rows(run / "history.csv") >= 10; }, 120))
      << task_log();
  ASSERT_EQ(testing::run_shell("scancel --batch --signal=USR1 " + task).exit_code, 0);
  ASSERT_TRUE(restarted(1)) << state() << task_log();
  const int before = history_rows(run / "history.csv");
  ASSERT_TRUE(eventually([&] { return history_rows(run / "history.csv") >= before + 10; }, 120))
      << task_log();
  const auto requeue = testing::run_shell("scontrol requeue " + task);
  ASSERT_EQ(requeue.exit_code, 0) << requeue.output;
  ASSERT_TRUE(restarted(2)) << state() << task_log();
  ASSERT_TRUE(eventually(
      [&] { return read_json(run / "summary.json")["status"] == "finished"; }, 240))
      << task_log();

  const std::string text = task_log();
  EXPECT_NE(text.find("interrupted by SIGUSR1"), std::string::npos) << text;
  EXPECT_NE(text.find("stopped before its time limit; requeueing it to resume"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("interrupted by SIGTERM"), std::string::npos) << text;
  EXPECT_NE(text.find("(restart 2)"), std::string::npos) << text;
  EXPECT_EQ(text.find("could not requeue"), std::string::npos) << text;
  const auto history = run::read_history_csv(run / "history.csv");
  ASSERT_EQ(history.size(), static_cast<std::size_t>(kEpochs));
  for (int e = 0; e < kEpochs; ++e) EXPECT_EQ(history[e].epoch, e + 1);
}

}  // namespace
}  // namespace helmholtz::sweep
