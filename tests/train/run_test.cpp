// End-to-end runs on a tiny generated CIFAR-format dataset: the run folder, resume after a
// real crash (SIGKILL), the finished-run guard, the data that validates and the data that
// tests, early stopping, and the CLI's errors.

#include "helmholtz/train/run.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/predictions.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {
namespace fs = std::filesystem;

constexpr int kTrainImages = 600;
constexpr int kHeldOutImages = 60;  // a tenth of the training split validates (corrected)
constexpr int kReferenceImages = 384;
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

  // The tiny test network: what these tests are about is the run folder, not the network.
  run::RunSpec options(const fs::path& log_dir, int epochs) const {
    return testing::tiny_image_spec(data_dir_->path(), log_dir, epochs);
  }

  // The reference's all-cnns on the first kReferenceImages images, batch 10: 39 steps an
  // epoch, enough in 3 epochs to leave its initial plateau.
  run::RunSpec reference_options(const fs::path& log_dir, int epochs) const {
    run::RunSpec s = options(log_dir, epochs);
    s.recipe.architecture_file.clear();
    s.recipe.setting = 0;
    s.recipe.batch_size = 10;
    s.data.train_size = kReferenceImages;
    run::finalize(s, {"dataset", "quality", "setting", "batch-size", "train-size"});
    return s;
  }

  // The same run as options(), through the binary.
  std::string cli_args(const fs::path& log_dir, int epochs, const std::string& lr = "0.01") const {
    return "train --dataset cifar10 --data-dir '" + data_dir_->path().string() +
           "' --quality 50 --architecture '" + testing::tiny_architecture().string() +
           "' --epochs " + std::to_string(epochs) + " --batch-size 16 --lr " + lr +
           " --threads 1 --device cpu --no-progress --log-dir '" + log_dir.string() + "'";
  }

  static inline testing::TempDir* data_dir_ = nullptr;
  testing::TempDir logs_;
};

// The value of one key of an identity ("" when it has none).
std::string identity_value(const run::Identity& identity, const std::string& key) {
  for (const auto& [k, v] : identity) {
    if (k == key) return v;
  }
  return "";
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

TEST_F(RunTest, ReferenceNetworkLearnsAndWritesTheRunFolder) {
  const fs::path dir = logs_.path() / "run";
  const auto result = run_training(reference_options(dir, 3), false);
  EXPECT_FALSE(result.already_finished);
  for (const char* f : {"config.toml", "history.csv", "best.pt", "last.pt", "model.pt", "train.log",
                        "summary.json"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir / "last.pt.tmp"));
  const auto history = run::read_history_csv(dir / "history.csv");
  ASSERT_EQ(history.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(history[i].epoch, i + 1);
  EXPECT_LT(history.back().loss, history.front().loss - 0.1) << "training loss did not fall";
  EXPECT_GT(history.back().acc, 0.2);  // 10 classes: chance is 0.1
  // lr after 3 epochs of ceil(384/10) = 39 steps: 0.01 / (1 + 1e-6 * 117)
  EXPECT_NEAR(history.back().lr, 0.01 / (1 + 1e-6 * 117), 1e-9);

  const auto summary = read_json(dir / "summary.json");
  EXPECT_TRUE(summary["finished"].get<bool>());
  EXPECT_EQ(summary["epochs_completed"].get<int>(), 3);
  EXPECT_EQ(summary["model"].get<std::string>(), "all-cnns");
  EXPECT_EQ(summary["parameters"].get<std::int64_t>(), 701386);
  double best = 0;
  for (const auto& r : history) best = std::max(best, r.val_acc);
  EXPECT_NEAR(summary["best_val_acc"].get<double>(), best, 1e-6);
  EXPECT_NEAR(summary["mean_top10_val_acc"].get<double>(), run::mean_top_val_acc(history), 1e-6);
  EXPECT_EQ(summary["compression"]["train"]["images"].get<int>(), kReferenceImages);
  EXPECT_EQ(summary["compression"]["validation"]["images"].get<int>(), kHeldOutImages);
  EXPECT_EQ(summary["compression"]["test"]["images"].get<int>(), kTestImages);
  EXPECT_EQ(summary["validation_samples"].get<int>(), kHeldOutImages);
  EXPECT_EQ(summary["test_samples"].get<int>(), kTestImages);
  EXPECT_LT(summary["compression"]["train"]["bits_per_pixel"].get<double>(), 24.0);
  EXPECT_GT(summary["train_samples_per_second"].get<double>(), 0.0);
  EXPECT_EQ(summary["schema"].get<int>(), run::kSummarySchema);
  EXPECT_EQ(summary["identity"]["model"].get<std::string>(), "all-cnns");
  EXPECT_EQ(summary["identity"]["lr"].get<std::string>(), "0.01");

  // Weights files load into a freshly built network.
  for (const char* f : {"best.pt", "model.pt"}) {
    auto net = build(models::image_architecture(0), {3, 32, 32}, 10);
    EXPECT_NO_THROW(load_weights(dir / f, net)) << f;
  }
}

TEST_F(RunTest, FinishedRunIsKeptAndMoreEpochsNeedResume) {
  const fs::path dir = logs_.path() / "run";
  run_training(options(dir, 2), false);
  // A finished run is not retrained.
  const auto again = run_training(options(dir, 2), false);
  EXPECT_TRUE(again.already_finished);
  EXPECT_EQ(run::read_history_csv(dir / "history.csv").size(), 2u);
  // More epochs without --resume would overwrite: refused, nothing touched.
  const auto before = fs::last_write_time(dir / "last.pt");
  const auto message =
      testing::error_message_of<core::UsageError>([&] { run_training(options(dir, 3), false); });
  EXPECT_NE(message.find("--resume"), std::string::npos) << message;
  EXPECT_EQ(fs::last_write_time(dir / "last.pt"), before);
  // With --resume, a finished run grows by the epochs asked.
  run_training(options(dir, 3), true);
  const auto history = run::read_history_csv(dir / "history.csv");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history.back().epoch, 3);
}

TEST_F(RunTest, ResumeAfterKillContinuesWithoutDuplicatesAndMatchesAnUninterruptedRun) {
  const fs::path whole = logs_.path() / "whole";
  const fs::path killed = logs_.path() / "killed";
  const int epochs = 8;  // the tiny network's epochs are short: room to kill mid-run
  run_training(options(whole, epochs), false);

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
  for (int i = 0; i < 30000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (fs::exists(killed / "history.csv") &&
        run::read_history_csv(killed / "history.csv").size() >= 1) {
      kill(pid, SIGKILL);
      killed_mid_run = true;
      break;
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed_mid_run) << "the child never finished an epoch";
  const auto partial = run::read_history_csv(killed / "history.csv");
  ASSERT_LT(partial.size(), static_cast<std::size_t>(epochs)) << "killed too late to test resume";
  EXPECT_FALSE(read_json(killed / "summary.json")["finished"].get<bool>());

  // Without --resume the interrupted run is protected.
  const auto refused = testing::run_helmholtz(cli_args(killed, epochs));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("--resume"), std::string::npos) << refused.output;

  const auto resumed = testing::run_helmholtz(cli_args(killed, epochs) + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const auto a = run::read_history_csv(whole / "history.csv");
  const auto b = run::read_history_csv(killed / "history.csv");
  ASSERT_EQ(b.size(), static_cast<std::size_t>(epochs));
  for (int i = 0; i < epochs; ++i) {
    EXPECT_EQ(b[i].epoch, i + 1);
    // Same seed, same state restored (weights, optimizer, RNG): the same numbers.
    EXPECT_NEAR(a[i].loss, b[i].loss, 1e-4) << "epoch " << i + 1;
    EXPECT_NEAR(a[i].val_acc, b[i].val_acc, 1e-6) << "epoch " << i + 1;
  }
  EXPECT_TRUE(read_json(killed / "summary.json")["finished"].get<bool>());

  // A resume with different settings is refused, naming both values.
  const auto mismatch = testing::run_helmholtz(cli_args(killed, epochs + 1, "0.02") + " --resume");
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.output.find("lr 0.01, you asked for lr 0.02"), std::string::npos)
      << mismatch.output;
}

// --protocol reference trains, is told apart from the corrected run by identity and summary,
// codes the images transposed, runs floor(N / batch) steps per epoch, and a resumed run
// continues the carried iterator's pass exactly where the checkpoint left it.
TEST_F(RunTest, ReferenceProtocolTrainsApartAndResumesItsCarriedIterator) {
  const auto reference = [&](const fs::path& dir, int epochs) {
    run::RunSpec s = options(dir, epochs);
    s.recipe.protocol = run::Protocol::kReference;
    run::finalize(s, {"dataset", "quality", "architecture", "batch-size", "protocol"});
    return s;
  };
  const fs::path corrected_dir = logs_.path() / "corrected";
  const fs::path whole_dir = logs_.path() / "reference";
  const fs::path resumed_dir = logs_.path() / "resumed";
  run_training(options(corrected_dir, 2), false);
  run_training(reference(whole_dir, 2), false);
  const auto corrected = read_json(corrected_dir / "summary.json");
  const auto whole = read_json(whole_dir / "summary.json");
  EXPECT_EQ(corrected["protocol"], "corrected");
  EXPECT_EQ(whole["protocol"], "reference");
  EXPECT_EQ(corrected["identity"]["protocol"], "corrected");
  EXPECT_EQ(whole["identity"]["protocol"], "reference");
  EXPECT_EQ(corrected["train_steps_per_epoch"], 34);  // ceil(540 / 16): 60 held out
  EXPECT_EQ(whole["train_steps_per_epoch"], 37);      // floor(600 / 16): none held out
  // The reference validated on the test split; the corrected run on held-out images.
  EXPECT_EQ(corrected["validation_data"], "holdout");
  EXPECT_EQ(corrected["validation_samples"], kHeldOutImages);
  EXPECT_EQ(whole["validation_data"], "test");
  EXPECT_EQ(whole["validation_samples"], kTestImages);
  EXPECT_EQ(whole["test_samples"], kTestImages);
  // There selection and testing share their samples: the kept weights test as they validated.
  const auto whole_history = run::read_history_csv(whole_dir / "history.csv");
  const int kept = whole["test_best"]["epoch"].get<int>();
  EXPECT_EQ(kept, whole["best_epoch"].get<int>());
  EXPECT_NEAR(whole["test_best"]["acc"].get<double>(), whole_history.at(kept - 1).val_acc, 1e-6);
  EXPECT_NEAR(whole["test_last"]["acc"].get<double>(), whole_history.back().val_acc, 1e-6);
  // Coded transposed: other bytes for the same pixels (the test split, the same images in both).
  EXPECT_NE(corrected["compression"]["test"]["mean_bytes"].get<double>(),
            whole["compression"]["test"]["mean_bytes"].get<double>());
  // A folder of one protocol refuses the other.
  run::RunSpec other = options(whole_dir, 2);
  const auto refused = testing::error_message_of<core::UsageError>(
      [&] { run_training(other, true); });
  EXPECT_NE(refused.find("protocol reference, you asked for protocol corrected"),
            std::string::npos)
      << refused;

  // One epoch, then --resume to two: epoch 2 continues the first pass (37 of its 38 batches
  // done), as the uninterrupted run's did.
  run_training(reference(resumed_dir, 1), false);
  run_training(reference(resumed_dir, 2), true);
  const auto a = run::read_history_csv(whole_dir / "history.csv");
  const auto b = run::read_history_csv(resumed_dir / "history.csv");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(a[i].loss, b[i].loss, 1e-6) << "epoch " << i + 1;
    EXPECT_NEAR(a[i].val_loss, b[i].val_loss, 1e-6) << "epoch " << i + 1;
  }
}

TEST_F(RunTest, ConfigFileRepeatsTheRun) {
  const fs::path dir = logs_.path() / "first";
  run_training(options(dir, 1), false);
  // The saved config.toml, given back with only a new folder, trains the same thing.
  const fs::path again = logs_.path() / "again";
  const auto r =
      testing::run_helmholtz("train --no-progress --config '" + (dir / "config.toml").string() +
                             "' --log-dir '" + again.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = run::read_history_csv(dir / "history.csv");
  const auto b = run::read_history_csv(again / "history.csv");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NEAR(a[0].loss, b[0].loss, 1e-4);
  const auto summary = read_json(again / "summary.json");
  EXPECT_EQ(summary["level_option"].get<std::string>(), "quality");
  EXPECT_EQ(summary["level"].get<std::string>(), "50");
}

// Under the corrected protocol the held-out images choose the kept weights and the test split
// only tests them: the last weights and the kept ones, whose per-sample outcomes are the
// predictions file.
TEST_F(RunTest, HeldOutImagesValidateAndTheTestSplitScoresTheKeptAndTheLastWeights) {
  const fs::path dir = logs_.path() / "run";
  const auto result = run_training(options(dir, 3), false);
  const run::Summary& m = result.summary;
  EXPECT_EQ(m.validation_data, run::ValidationData::kHoldout);
  EXPECT_EQ(m.validation_samples, kHeldOutImages);
  EXPECT_EQ(m.train_samples, kTrainImages - kHeldOutImages);
  EXPECT_EQ(m.test_samples, kTestImages);
  EXPECT_EQ(m.compression["validation"]["images"].get<int>(), kHeldOutImages);
  EXPECT_EQ(m.compression["test"]["images"].get<int>(), kTestImages);
  EXPECT_EQ(m.signal_bits_per_sample, 32.0 * 32 * 3 * 8);
  EXPECT_TRUE(m.finished);
  EXPECT_FALSE(m.stopped_early);
  EXPECT_EQ(m.patience, 0);
  ASSERT_TRUE(m.best_epoch && m.test_best && m.test_last);
  EXPECT_EQ(m.test_best->epoch, *m.best_epoch);
  EXPECT_EQ(m.test_last->epoch, m.epochs_completed);
  EXPECT_EQ(m.epochs_completed, 3);
  // The validation accuracies are counts of the 60 held-out images (history.csv keeps six
  // decimals), the test ones of the 100.
  for (const auto& r : run::read_history_csv(dir / "history.csv")) {
    EXPECT_NEAR(r.val_acc * kHeldOutImages, std::round(r.val_acc * kHeldOutImages), 1e-4);
  }
  for (const double acc : {m.test_best->acc, m.test_last->acc}) {
    EXPECT_NEAR(acc * kTestImages, std::round(acc * kTestImages), 1e-6);
  }
  if (*m.best_epoch == m.epochs_completed) {  // the same weights, scored twice
    EXPECT_DOUBLE_EQ(m.test_best->acc, m.test_last->acc);
    EXPECT_DOUBLE_EQ(m.test_best->loss, m.test_last->loss);
  }
  // The predictions file of the kept weights: one row per test image, their accuracy.
  EXPECT_EQ(m.predictions, "predictions/quality_50.csv");
  const run::RunFolder folder(dir);
  EXPECT_EQ(dir / m.predictions, folder.predictions("quality_50"));
  const auto p = run::read_predictions(dir / m.predictions);
  EXPECT_EQ(static_cast<std::int64_t>(p.size()), m.test_samples);
  EXPECT_EQ(p.weights_epoch, m.test_best->epoch);
  EXPECT_EQ(p.level, "quality_50");
  EXPECT_NEAR(p.accuracy(), m.test_best->acc, 1e-6);
  // The test labels in their order: the generated set's test split.
  const auto test = data::load_image_dataset("cifar10", data_dir_->path()).test;
  ASSERT_EQ(static_cast<std::int64_t>(p.size()), test.count);
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p.label[i], test.labels[i]) << i;
  // What the folder says is what the run returned.
  const auto stored = folder.read_summary();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(run::to_json(*stored), run::to_json(m));
}

// --holdout-size picks how many training images validate; the reference protocol validated on
// the test split and refuses it, naming the option.
TEST_F(RunTest, HoldoutSizeIsTheValidationSetAndTheReferenceProtocolRefusesIt) {
  run::RunSpec s = options(logs_.path() / "held", 1);
  s.data.holdout_size = 100;
  run::finalize(s, {"dataset", "quality", "architecture", "batch-size", "holdout-size"});
  const auto result = run_training(s, false);
  EXPECT_EQ(result.summary.validation_samples, 100);
  EXPECT_EQ(result.summary.train_samples, kTrainImages - 100);
  EXPECT_EQ(result.summary.test_samples, kTestImages);
  EXPECT_EQ(identity_value(result.summary.identity, "holdout-size"), "100");

  const auto refused = testing::run_helmholtz(cli_args(logs_.path() / "ref", 1) +
                                              " --protocol reference --holdout-size 50");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--holdout-size does not apply to --protocol reference"),
            std::string::npos)
      << refused.output;
  EXPECT_FALSE(fs::exists(logs_.path() / "ref"));
  // As many as there are training images leaves none to train on.
  const auto all = testing::run_helmholtz(cli_args(logs_.path() / "all", 1) + " --holdout-size " +
                                          std::to_string(kTrainImages));
  EXPECT_EQ(all.exit_code, 2) << all.output;
  EXPECT_NE(all.output.find("--holdout-size 600: cifar10's training split: cannot hold out 600 "
                            "of 600 images; give 1 to 599"),
            std::string::npos)
      << all.output;
}

// --patience 1 on a run that cannot learn (a learning rate too small to move a weight): the
// validation accuracy never beats epoch 1's, so the run ends after epoch 2 of 30, finished, and
// the same command again finds it finished.
TEST_F(RunTest, PatienceEndsAStalledRunEarlyAndItStaysFinished) {
  const fs::path dir = logs_.path() / "patient";
  const std::string args = cli_args(dir, 30, "1e-30") + " --patience 1";
  const auto r = testing::run_helmholtz(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--patience 1: no better validation accuracy since epoch 1; stopped "
                          "after epoch 2"),
            std::string::npos)
      << r.output;
  const auto history = run::read_history_csv(dir / "history.csv");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].val_acc, history[1].val_acc);
  const auto summary = run::RunFolder(dir).read_summary();
  ASSERT_TRUE(summary.has_value());
  EXPECT_TRUE(summary->stopped_early);
  EXPECT_TRUE(summary->finished);
  EXPECT_EQ(summary->status, run::RunStatus::kFinished);
  EXPECT_EQ(summary->patience, 1);
  EXPECT_EQ(summary->epochs_requested, 30);
  EXPECT_EQ(summary->epochs_completed, 2);
  EXPECT_EQ(summary->best_epoch, 1);
  ASSERT_TRUE(summary->test_best && summary->test_last);
  EXPECT_EQ(summary->test_best->epoch, 1);
  EXPECT_EQ(summary->test_last->epoch, 2);
  EXPECT_EQ(identity_value(summary->identity, "patience"), "1");
  EXPECT_TRUE(fs::exists(dir / summary->predictions));
  EXPECT_TRUE(fs::exists(dir / "model.pt"));

  const auto before = testing::read_text(dir / "summary.json");
  const auto again = testing::run_helmholtz(args);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already finished (2 epochs)"), std::string::npos) << again.output;
  EXPECT_EQ(run::read_history_csv(dir / "history.csv").size(), 2u);
  EXPECT_EQ(testing::read_text(dir / "summary.json"), before);
}

}  // namespace
}  // namespace helmholtz::train
