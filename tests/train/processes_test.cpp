// `helmholtz train --processes N` through the binary: one run as N data-parallel processes
// (c10d's Gloo group on the CPU) trains what one process trains, writes one run folder, and a
// process that dies ends the run with one line and a folder that --resume finishes, on any
// number of processes.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/train/distributed.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {
namespace fs = std::filesystem;
using testing::quoted;
using testing::read_text;
using testing::run_helmholtz;

std::string tiny_run(const fs::path& data, const fs::path& logs, int epochs) {
  return "train --dataset cifar10 --data-dir " + quoted(data) + " --architecture " +
         quoted(testing::tiny_architecture()) + " --quality 50 --epochs " + std::to_string(epochs) +
         " --batch-size 16 --shift 0 --no-flip --device cpu --no-progress --log-root " +
         quoted(logs);
}

fs::path run_folder(const fs::path& logs) { return logs / "cifar10" / "tiny" / "quality_50"; }

// 180 training images (200 less 20 held out) in global batches of 16: the last batch, 4
// images, is split 2 + 2. The processes average their gradients weighted by their shares, so
// the two-process run follows the one-process run to float rounding.
TEST(TrainProcesses, TwoProcessesTrainWhatOneTrains) {
  if (!train::backend_compiled(train::DistributedBackend::kGloo)) {
    GTEST_SKIP() << "this build has no Gloo (libgloo-dev)";
  }
  const testing::TempDir dir;
  data::write_pattern_cifar10(dir.path() / "data", 200, 40, 3);
  const auto one =
      run_helmholtz(tiny_run(dir.path() / "data", dir.path() / "one", 3) + " --threads 1");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run_helmholtz(tiny_run(dir.path() / "data", dir.path() / "two", 3) +
                                 " --processes 2 --threads 2");
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("on cpu (1 threads) x 2 processes (gloo)"), std::string::npos)
      << two.output;
  // Rank 0 alone speaks: one line per epoch, one "finished".
  std::size_t finished = 0;
  for (auto at = two.output.find("finished: "); at != std::string::npos;
       at = two.output.find("finished: ", at + 1)) {
    ++finished;
  }
  EXPECT_EQ(finished, 1u) << two.output;

  const auto h1 = run::read_history_csv(run_folder(dir.path() / "one") / "history.csv");
  const auto h2 = run::read_history_csv(run_folder(dir.path() / "two") / "history.csv");
  ASSERT_EQ(h1.size(), 3u);
  ASSERT_EQ(h2.size(), 3u);
  for (std::size_t i = 0; i < h1.size(); ++i) {
    EXPECT_NEAR(h2[i].loss, h1[i].loss, 1e-4) << "epoch " << i + 1;
    EXPECT_NEAR(h2[i].acc, h1[i].acc, 1e-9) << "epoch " << i + 1;
    EXPECT_NEAR(h2[i].val_loss, h1[i].val_loss, 1e-4) << "epoch " << i + 1;
    EXPECT_NEAR(h2[i].val_acc, h1[i].val_acc, 1e-9) << "epoch " << i + 1;
  }
  EXPECT_GT(h1.front().loss - h1.back().loss, 0.0) << "the loss must fall for this to test much";
  // The identity holds the global batch, not the process count: one process finds the
  // two-process run finished.
  const auto s1 = nlohmann::json::parse(read_text(run_folder(dir.path() / "one") / "summary.json"));
  const auto s2 = nlohmann::json::parse(read_text(run_folder(dir.path() / "two") / "summary.json"));
  EXPECT_EQ(s1.at("identity"), s2.at("identity"));
  const auto again =
      run_helmholtz(tiny_run(dir.path() / "data", dir.path() / "two", 3) + " --threads 1");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already finished"), std::string::npos) << again.output;
}

// Rank 1 is killed (SIGKILL) after the first epoch: rank 0 says so in one line, leaves the
// folder "interrupted" at its last whole epoch, and one process resumes and finishes it.
TEST(TrainProcesses, AKilledProcessEndsTheRunAndResumeFinishesIt) {
  if (!train::backend_compiled(train::DistributedBackend::kGloo)) {
    GTEST_SKIP() << "this build has no Gloo (libgloo-dev)";
  }
  const testing::TempDir dir;
  data::write_pattern_cifar10(dir.path() / "data", 400, 40, 3);
  const fs::path logs = dir.path() / "logs";
  const fs::path history = run_folder(logs) / "history.csv";
  const std::string script =
      "'" + std::string(HELMHOLTZ_BINARY) + "' " + tiny_run(dir.path() / "data", logs, 500) +
      " --processes 2 --threads 2 > " + quoted(dir.path() / "run.log") + " 2>&1 & p=$!; " +
      "for i in $(seq 1200); do [ -f " + quoted(history) + " ] && [ $(wc -l < " + quoted(history) +
      ") -ge 2 ] && break; sleep 0.05; done; " +
      "c=$(pgrep -P $p | sort -n | tail -1); kill -9 $c; wait $p; echo \"exit=$?\"";
  const auto killed = testing::run_shell(script);
  EXPECT_NE(killed.output.find("exit=5"), std::string::npos) << killed.output;
  const std::string log = read_text(dir.path() / "run.log");
  EXPECT_NE(log.find("distributed training (rank 0 of 2, gloo)"), std::string::npos) << log;
  EXPECT_NE(log.find("--resume continues from epoch"), std::string::npos) << log;
  const auto summary = nlohmann::json::parse(read_text(run_folder(logs) / "summary.json"));
  EXPECT_EQ(summary.at("status").get<std::string>(), "interrupted");
  const int done = summary.at("epochs_completed").get<int>();
  ASSERT_GE(done, 1);
  ASSERT_LT(done, 500);

  const auto resumed =
      run_helmholtz(tiny_run(dir.path() / "data", logs, done + 2) + " --threads 1 --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming"), std::string::npos) << resumed.output;
  const auto finished = nlohmann::json::parse(read_text(run_folder(logs) / "summary.json"));
  EXPECT_EQ(finished.at("status").get<std::string>(), "finished");
  EXPECT_EQ(finished.at("epochs_completed").get<int>(), done + 2);
  EXPECT_EQ(run::read_history_csv(history).size(), static_cast<std::size_t>(done + 2));
}

TEST(TrainProcesses, ProcessesUnderARankFromTheEnvironmentAreRefused) {
  const testing::TempDir dir;
  const auto r = testing::run_shell(
      "RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 '" + std::string(HELMHOLTZ_BINARY) +
      "' " + tiny_run(dir.path() / "data", dir.path() / "logs", 1) + " --processes 2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--processes 2: this process is already rank 0 of 2"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace helmholtz::train
