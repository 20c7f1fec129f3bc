// `helmholtz eval` and `sweep --cross-eval` through the binary: a run's kept weights on its
// test split at other levels, the table and the predictions files they leave in the run folder,
// the matrix the report draws from it, and one clear line for what does not fit.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/run/cross_eval_file.hpp"
#include "helmholtz/run/predictions.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;
using testing::read_text;
using testing::quoted;
using testing::run_helmholtz;

class EvalCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TempDir();
    data::write_pattern_cifar10(data_->path(), 200, 60, 3);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  std::string common() const {
    return "--dataset cifar10 --data-dir " + quoted(data_->path()) + " --architecture " +
           quoted(testing::tiny_architecture()) +
           " --epochs 2 --batch-size 32 --device cpu --threads 1 --log-root " +
           quoted(logs_.path());
  }
  static inline testing::TempDir* data_ = nullptr;
  testing::TempDir logs_;
};

TEST_F(EvalCommand, KeptWeightsAtTheirOwnLevelGiveTheirTestAccAndOtherLevelsAddRows) {
  const auto trained = run_helmholtz("train " + common() + " --quality 5 --no-progress");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const fs::path dir = logs_.path() / "cifar10" / "tiny" / "quality_5";
  const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));

  const auto r = run_helmholtz("eval " + quoted(dir) + " --quality 5,raw,1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wrote " + (dir / "cross_eval.csv").string()), std::string::npos)
      << r.output;
  auto rows = run::read_cross_eval_csv(dir / "cross_eval.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].codec, "jpeg");
  EXPECT_EQ(rows[0].level, "5");
  EXPECT_EQ(rows[1].level, "raw");
  EXPECT_EQ(rows[2].level, "1");
  EXPECT_EQ(rows[0].weights_epoch, summary.at("best_epoch").get<int>());
  EXPECT_EQ(rows[0].weights_epoch, summary.at("test_best").at("epoch").get<int>());
  EXPECT_EQ(rows[0].test_samples, 60);  // the test split, not the held-out validation images
  EXPECT_EQ(rows[1].test_samples, 60);
  // The same weights on the same test data as train scored them: the same accuracy.
  EXPECT_NEAR(rows[0].test_acc, summary.at("test_best").at("acc").get<double>(), 1e-9);
  // One predictions file per test level, of the kept weights on the whole test split, whose
  // accuracy is the table's.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string level = "quality_" + rows[i].level;
    const auto p = run::read_predictions(dir / "predictions" / (level + ".csv"));
    EXPECT_EQ(p.level, level);
    EXPECT_EQ(p.weights_epoch, rows[i].weights_epoch) << level;
    EXPECT_EQ(static_cast<std::int64_t>(p.size()), rows[i].test_samples) << level;
    EXPECT_NEAR(p.accuracy(), rows[i].test_acc, 1e-9) << level;
  }
  // What every JPEG file repeats is the same at every quality: file less payload (of means over
  // the 60 test images, so equal up to the rounding of those means).
  EXPECT_LT(rows[0].payload_bits_per_sample, rows[0].bits_per_sample);
  EXPECT_NEAR(rows[0].bits_per_sample - rows[0].payload_bits_per_sample,
              rows[2].bits_per_sample - rows[2].payload_bits_per_sample, 1e-6);
  EXPECT_DOUBLE_EQ(rows[1].payload_bits_per_sample, 3072.0 * 8);  // raw: the pixels
  EXPECT_FALSE(rows[1].distortion_db.has_value());
  EXPECT_LT(rows[2].payload_bits_per_sample, rows[0].payload_bits_per_sample);

  // Again at one level: its row is replaced, the others stay.
  const auto again = run_helmholtz("eval " + quoted(dir) + " --quality 1 --threads 1");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  rows = run::read_cross_eval_csv(dir / "cross_eval.csv");
  EXPECT_EQ(rows.size(), 3u);

  // The report draws the matrix: one row (trained at q5), three columns, the diagonal bold.
  const auto report = run_helmholtz("report " + quoted(logs_.path()) + " --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string md = read_text(logs_.path() / "report.md");
  EXPECT_NE(md.find("## Cross-level evaluation"), std::string::npos) << md;
  EXPECT_NE(md.find("| trained at \\ tested at | q1 | q5 | raw |"), std::string::npos) << md;
  char diagonal[32];
  std::snprintf(diagonal, sizeof diagonal, "| **%.2f** |", rows[0].test_acc * 100.0);
  EXPECT_NE(md.find(diagonal), std::string::npos) << md;
  const std::string csv = read_text(logs_.path() / "cross_eval.csv");
  EXPECT_EQ(csv.rfind("dataset,model,setting,level_kind,codec,train_level,test_level,", 0), 0u);
  EXPECT_NE(csv.find("cifar10,tiny,-1,quality,jpeg,5,raw,1,"), std::string::npos) << csv;
}

TEST_F(EvalCommand, WhatDoesNotFitIsOneClearLine) {
  const auto none = run_helmholtz("eval " + quoted(logs_.path()) + " --quality 5");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("is not a run folder (no summary.json)"), std::string::npos)
      << none.output;
  const auto trained = run_helmholtz("train " + common() + " --quality 5 --no-progress");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const fs::path dir = logs_.path() / "cifar10" / "tiny" / "quality_5";
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"--quality 5 --codec opus", "--codec opus is an audio codec; --quality takes"},
           {"--quality 5 --codec heic", "--codec heic: unknown codec"},
           {"--bitrate 32", "--bitrate does not apply to a run of --dataset cifar10"},
           {"--quality 101", "--quality 101: jpeg takes 1..100"},
           {"", "give the test levels with --quality (images) or --bitrate (audio)"}}) {
    const auto r = run_helmholtz("eval " + quoted(dir) + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << args << ": " << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "cross_eval.csv"));
  // A damaged table is named, never silently overwritten.
  std::ofstream(dir / "cross_eval.csv") << "not,a,table\n";
  const auto damaged = run_helmholtz("eval " + quoted(dir) + " --quality 5");
  EXPECT_EQ(damaged.exit_code, 2) << damaged.output;
  EXPECT_NE(damaged.output.find((dir / "cross_eval.csv").string()), std::string::npos)
      << damaged.output;
  EXPECT_EQ(read_text(dir / "cross_eval.csv"), "not,a,table\n");
}

TEST_F(EvalCommand, SweepCrossEvalFillsEveryFinishedCellAtEveryLevelOnce) {
  const std::string sweep = "sweep " + common() + " --qualities 5,raw --seeds 0 --cross-eval";
  const auto first = run_helmholtz(sweep);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("sweep --cross-eval: 4 evaluation(s) done, 0 there before"),
            std::string::npos)
      << first.output;
  for (const char* level : {"quality_5", "quality_raw"}) {
    const auto rows =
        run::read_cross_eval_csv(logs_.path() / "cifar10" / "tiny" / level / "cross_eval.csv");
    ASSERT_EQ(rows.size(), 2u) << level;
    EXPECT_EQ(rows[0].level, "5");
    EXPECT_EQ(rows[1].level, "raw");
  }
  const auto second = run_helmholtz(sweep);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("sweep --cross-eval: 0 evaluation(s) done, 4 there before"),
            std::string::npos)
      << second.output;
  const auto slurm = run_helmholtz(sweep + " --slurm");
  EXPECT_EQ(slurm.exit_code, 2) << slurm.output;
  EXPECT_NE(slurm.output.find("--cross-eval with --slurm needs --submit --wait"),
            std::string::npos)
      << slurm.output;
}

}  // namespace
}  // namespace helmholtz::commands
