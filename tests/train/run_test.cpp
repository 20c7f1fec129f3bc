// End-to-end runs on a tiny generated CIFAR-format dataset: the run folder, resume after a
// real crash (SIGKILL), the finished-run guard, and the CLI's errors.

#include "helmholtz/train/run.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/train/history.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {
namespace fs = std::filesystem;

constexpr int kTrainImages = 600;
constexpr int kTestImages = 100;

class RunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = new testing::TempDir();
    data::write_pattern_cifar10(data_dir_->path(), kTrainImages, kTestImages, 7);
  }
  static void TearDownTestSuite() {
    delete data_dir_;
    data_dir_ = nullptr;
  }

  TrainOptions options(const fs::path& log_dir, int epochs) const {
    TrainOptions o;
    o.dataset = "cifar10";
    o.data_dir = data_dir_->path();
    o.quality = "50";
    o.setting = 0;
    o.epochs = epochs;
    o.batch_size = 16;  // enough steps in 3 epochs to leave all-cnns' initial plateau
    o.lr = 0.01;
    o.threads = 2;
    o.device = "cpu";
    o.log_dir = log_dir;
    o.progress = false;
    return o;
  }

  // The same run as options(), through the binary.
  std::string cli_args(const fs::path& log_dir, int epochs, const std::string& lr = "0.01") const {
    return "train --dataset cifar10 --data-dir '" + data_dir_->path().string() +
           "' --quality 50 --setting 0 --epochs " + std::to_string(epochs) +
           " --batch-size 16 --lr " + lr + " --threads 2 --device cpu --no-progress --log-dir '" +
           log_dir.string() + "'";
  }

  static inline testing::TempDir* data_dir_ = nullptr;
  testing::TempDir logs_;
};

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

TEST_F(RunTest, TrainsLossFallsAndWritesTheRunFolder) {
  const fs::path dir = logs_.path() / "run";
  const auto result = run_training(options(dir, 3));
  EXPECT_FALSE(result.already_finished);
  for (const char* f : {"config.toml", "history.csv", "best.pt", "last.pt", "model.pt", "train.log",
                        "summary.json"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir / "last.pt.tmp"));
  const auto history = read_history_csv(dir / "history.csv");
  ASSERT_EQ(history.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(history[i].epoch, i + 1);
  EXPECT_LT(history.back().loss, history.front().loss - 0.1) << "training loss did not fall";
  EXPECT_GT(history.back().acc, 0.2);  // 10 classes: chance is 0.1
  // lr after 3 epochs of ceil(600/16) = 38 steps: 0.01 / (1 + 1e-6 * 114)
  EXPECT_NEAR(history.back().lr, 0.01 / (1 + 1e-6 * 114), 1e-9);

  const auto summary = read_json(dir / "summary.json");
  EXPECT_TRUE(summary["finished"].get<bool>());
  EXPECT_EQ(summary["epochs_completed"].get<int>(), 3);
  EXPECT_EQ(summary["model"].get<std::string>(), "all-cnns");
  EXPECT_EQ(summary["parameters"].get<std::int64_t>(), 701386);
  double best = 0;
  for (const auto& r : history) best = std::max(best, r.val_acc);
  EXPECT_NEAR(summary["best_val_acc"].get<double>(), best, 1e-6);
  EXPECT_NEAR(summary["mean_top10_val_acc"].get<double>(), mean_top_val_acc(history), 1e-6);
  EXPECT_EQ(summary["compression"]["train"]["images"].get<int>(), kTrainImages);
  EXPECT_EQ(summary["compression"]["test"]["images"].get<int>(), kTestImages);
  EXPECT_LT(summary["compression"]["train"]["bits_per_pixel"].get<double>(), 24.0);
  EXPECT_GT(summary["train_images_per_second"].get<double>(), 0.0);

  // Weights files load into a freshly built network; best.pt reproduces the best val_acc.
  for (const char* f : {"best.pt", "model.pt"}) {
    auto net = models::build(models::image_architecture(0), {3, 32, 32}, 10);
    EXPECT_NO_THROW(load_weights(dir / f, net)) << f;
  }
  // A finished run is not retrained.
  const auto again = run_training(options(dir, 3));
  EXPECT_TRUE(again.already_finished);
  EXPECT_EQ(read_history_csv(dir / "history.csv").size(), 3u);
  // More epochs without --resume would overwrite: refused, nothing touched.
  const auto before = fs::last_write_time(dir / "last.pt");
  EXPECT_THROW(run_training(options(dir, 4)), core::RunError);
  EXPECT_EQ(fs::last_write_time(dir / "last.pt"), before);
}

TEST_F(RunTest, ResumeAfterKillContinuesWithoutDuplicatesAndMatchesAnUninterruptedRun) {
  const fs::path whole = logs_.path() / "whole";
  const fs::path killed = logs_.path() / "killed";
  const int epochs = 3;
  run_training(options(whole, epochs));

  // Start the same run in a child process and kill it hard once epoch 1 is on disk.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = std::string("exec '") + HELMHOLTZ_BINARY + "' " +
                            cli_args(killed, epochs) + " > /dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  bool killed_mid_run = false;
  for (int i = 0; i < 3000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(killed / "history.csv") &&
        read_history_csv(killed / "history.csv").size() >= 1) {
      kill(pid, SIGKILL);
      killed_mid_run = true;
      break;
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed_mid_run) << "the child never finished an epoch";
  const auto partial = read_history_csv(killed / "history.csv");
  ASSERT_LT(partial.size(), static_cast<std::size_t>(epochs)) << "killed too late to test resume";
  EXPECT_FALSE(read_json(killed / "summary.json")["finished"].get<bool>());

  // Without --resume the interrupted run is protected.
  const auto refused = testing::run_helmholtz(cli_args(killed, epochs));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("--resume"), std::string::npos) << refused.output;

  const auto resumed = testing::run_helmholtz(cli_args(killed, epochs) + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const auto a = read_history_csv(whole / "history.csv");
  const auto b = read_history_csv(killed / "history.csv");
  ASSERT_EQ(b.size(), static_cast<std::size_t>(epochs));
  for (int i = 0; i < epochs; ++i) {
    EXPECT_EQ(b[i].epoch, i + 1);
    // Same seed, same state restored (weights, optimizer, RNG): the same numbers.
    EXPECT_NEAR(a[i].loss, b[i].loss, 1e-4) << "epoch " << i + 1;
    EXPECT_NEAR(a[i].val_acc, b[i].val_acc, 1e-6) << "epoch " << i + 1;
  }
  EXPECT_TRUE(read_json(killed / "summary.json")["finished"].get<bool>());

  // A resume with different settings is refused.
  const auto mismatch = testing::run_helmholtz(cli_args(killed, epochs + 1, "0.02") + " --resume");
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_NE(mismatch.output.find("lr=0.02"), std::string::npos) << mismatch.output;
}

TEST_F(RunTest, ConfigFileRepeatsTheRun) {
  const fs::path dir = logs_.path() / "first";
  run_training(options(dir, 1));
  // The saved config.toml, given back with only a new folder, trains the same thing.
  const fs::path again = logs_.path() / "again";
  const auto r =
      testing::run_helmholtz("train --no-progress --config '" + (dir / "config.toml").string() +
                             "' --log-dir '" + again.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = read_history_csv(dir / "history.csv");
  const auto b = read_history_csv(again / "history.csv");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NEAR(a[0].loss, b[0].loss, 1e-4);
  EXPECT_EQ(read_json(again / "summary.json")["quality"].get<std::string>(), "50");
}

TEST(Cli, BadOptionsGiveOneClearLineAndNonZeroExit) {
  struct Case {
    std::string args, expect;
  };
  for (const Case& c :
       {Case{"train --quality 0", "--quality"}, Case{"train --quality 101", "--quality"},
        Case{"train --setting 6", "--setting"}, Case{"train --dataset imagenet", "unknown dataset"},
        Case{"train --device tpu", "--device"}, Case{"compress --quality abc", "--quality"}}) {
    const auto r = testing::run_helmholtz(c.args + " --data-dir /nonexistent");
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << ": " << r.output;
    EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
  }
}

TEST(Cli, MissingDatasetNamesFolderAndFetchCommand) {
  testing::TempDir logs;
  const auto r = testing::run_helmholtz(
      "train --quality 5 --setting 0 --data-dir /nonexistent/cifar --log-root '" +
      logs.path().string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/cifar"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fetch-cifar10.sh"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fashion-mnist"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(logs.path())) << "a failed start must not leave run folders";
}

TEST(Cli, CorruptDatasetFileIsReportedNotCrashed) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 50, 10, 1);
  {
    std::ofstream f(dir.path() / "data_batch_3.bin", std::ios::binary | std::ios::app);
    f << "xyz";  // no longer a multiple of 3,073 bytes
  }
  const auto r = testing::run_helmholtz("compress --dataset cifar10 --quality 5 --data-dir '" +
                                        dir.path().string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("data_batch_3.bin"), std::string::npos) << r.output;
}

TEST(Cli, ModelsCsvListsTheReferenceCounts) {
  const auto r = testing::run_helmholtz("models --dataset cifar10 --csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "setting,name,parameters\n0,all-cnns,701386\n1,cnns-dense-64,1079562\n"
            "2,all-cnnsx2,1144138\n3,cnns-x2-dense-128,1276618\n4,cnns-dense-128,1620298\n"
            "5,cnns-dense-128-256,1686090\n");
}

TEST(Cli, ModelsCsvListsTheReferenceAudioCounts) {
  const auto r = testing::run_helmholtz("models --dataset audio-effects --csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "setting,name,parameters\n0,cnn_x3_mlp_0,101412\n1,cnn_x4_mlp_128,170436\n"
            "2,cnn_x3_mlp_64_128,427492\n3,cnn_x3_mlp_128,808356\n4,cnn_x3_mlp_128x2,824868\n"
            "5,cnn_x2_mlp_128,3715460\n");
}

TEST(Cli, CompressJsonReportsBothSplits) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 50, 20, 2);
  const auto r = testing::run_helmholtz(
      "compress --dataset cifar10 --quality 10 --json --data-dir '" + dir.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["train"]["images"].get<int>(), 50);
  EXPECT_EQ(j["test"]["images"].get<int>(), 20);
  EXPECT_GT(j["train"]["mean_bytes"].get<double>(), 100.0);
  EXPECT_LT(j["train"]["mean_bytes"].get<double>(), 3072.0);
  EXPECT_NEAR(j["train"]["bits_per_pixel"].get<double>(),
              j["train"]["mean_bytes"].get<double>() * 8 / 1024, 1e-9);
}

}  // namespace
}  // namespace helmholtz::train
