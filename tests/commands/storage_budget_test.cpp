// `--storage-budget BYTES` through the binary: each level trains on as many of the first
// training images as the budget holds at that level's mean file size, in folders and report
// lines of their own.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;
using testing::quoted;
using testing::read_text;
using testing::run_helmholtz;

TEST(StorageBudget, EachLevelTrainsOnWhatFitsAndReportsAtEqualStorage) {
  const testing::TempDir dir;
  data::write_pattern_cifar10(dir.path() / "data", 400, 40, 3);
  const std::string data = "--dataset cifar10 --data-dir " + quoted(dir.path() / "data");
  // A run first holds out its validation images (a tenth, by --split-seed 0); the budget then
  // counts in the mean size of the 360 training images left, as compress measures them too.
  const auto measured = run_helmholtz("compress " + data + " --quality 5 --json");
  ASSERT_EQ(measured.exit_code, 0) << measured.output;
  const auto coded = nlohmann::json::parse(measured.output);
  EXPECT_EQ(coded.at("train").at("images").get<int>(), 360);
  EXPECT_EQ(coded.at("validation").at("images").get<int>(), 40);
  const double q5_bytes = coded.at("train").at("mean_bytes").get<double>();
  data::ImageSet left = data::load_image_dataset("cifar10", dir.path() / "data").train;
  ASSERT_EQ(left.hold_out(40, 0, "the test").count, 40);
  ASSERT_EQ(left.count, 360);
  const double q5_left_bytes =
      data::compress_images(left, data::Quality::parse("5"), codec::Subsampling::k420, 1)
          .mean_bytes;
  EXPECT_NEAR(q5_bytes, q5_left_bytes, 1e-9);
  const std::int64_t budget = 3072 * 50;  // 50 raw images
  const auto q5_images =
      static_cast<std::int64_t>(std::floor(static_cast<double>(budget) / q5_left_bytes));
  ASSERT_GT(q5_images, 50) << "quality 5 must hold more images than raw for this test";
  ASSERT_LT(q5_images, 360) << "and fewer than the split has, or the level is refused";

  const std::string sweep = "sweep " + data + " --architecture " +
                            quoted(testing::tiny_architecture()) +
                            " --qualities 5,raw --epochs 1 --batch-size 16 --device cpu "
                            "--threads 1 --storage-budget " +
                            std::to_string(budget) + " --log-root " + quoted(dir.path() / "logs");
  const auto r = run_helmholtz(sweep);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path model =
      dir.path() / "logs" / "cifar10" / ("tiny-storage-" + std::to_string(budget));
  const auto raw = nlohmann::json::parse(read_text(model / "quality_raw" / "summary.json"));
  EXPECT_EQ(raw.at("train_samples").get<std::int64_t>(), 50);
  EXPECT_EQ(raw.at("storage_budget").get<std::int64_t>(), budget);
  const auto q5 = nlohmann::json::parse(read_text(model / "quality_5" / "summary.json"));
  EXPECT_EQ(q5.at("train_samples").get<std::int64_t>(), q5_images);
  // Every level validates on the same 40 held-out images, whatever its budget holds.
  for (const auto* summary : {&raw, &q5}) {
    EXPECT_EQ(summary->at("validation_data").get<std::string>(), "holdout");
    EXPECT_EQ(summary->at("validation_samples").get<std::int64_t>(), 40);
    EXPECT_EQ(summary->at("test_samples").get<std::int64_t>(), 40);
  }
  const fs::path child = dir.path() / "logs" / "sweeps" / "cifar10" / "logs" /
                         ("tiny-storage-" + std::to_string(budget) + "-quality_5-seed_0.log");
  EXPECT_NE(
      read_text(child).find("--storage-budget " + std::to_string(budget) + " bytes at quality 5"),
      std::string::npos)
      << read_text(child);

  const auto report = run_helmholtz("report " + quoted(dir.path() / "logs") + " --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string md = read_text(dir.path() / "logs" / "report.md");
  EXPECT_NE(md.find("## Equal storage"), std::string::npos) << md;
  EXPECT_NE(md.find("| cifar10 | tiny-storage-" + std::to_string(budget) + " | jpeg | " +
                    std::to_string(budget) + " | raw | 1 | 50 |"),
            std::string::npos)
      << md;

  // A budget decides the training images: with --train-size, or for audio, it is refused.
  const auto both = run_helmholtz(sweep + " --train-size 100 --dry-run");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_NE(both.output.find("--storage-budget and --train-size both given"), std::string::npos)
      << both.output;
  const auto audio = run_helmholtz("train --dataset audio-effects --bitrate 32 --storage-budget 9");
  EXPECT_EQ(audio.exit_code, 2) << audio.output;
  EXPECT_NE(audio.output.find("--storage-budget"), std::string::npos) << audio.output;
  const auto tiny = run_helmholtz("compress " + data + " --quality 5 --storage-budget 10");
  EXPECT_EQ(tiny.exit_code, 2) << tiny.output;
  EXPECT_NE(tiny.output.find("--storage-budget 10 bytes holds no cifar10 image at quality 5"),
            std::string::npos)
      << tiny.output;
  // A budget that holds more images than the split has would leave that level with less
  // storage than the others: refused, with the most it can take.
  const auto whole = static_cast<std::int64_t>(q5_bytes * 360);
  const auto large = run_helmholtz("compress " + data + " --quality 5 --storage-budget " +
                                   std::to_string(2 * whole));
  EXPECT_EQ(large.exit_code, 2) << large.output;
  EXPECT_NE(large.output.find("but cifar10's training split less its 40 held-out validation "
                              "images has only 360; give at most " +
                              std::to_string(whole) + " bytes"),
            std::string::npos)
      << large.output;
}

// A subset larger than the split is refused with one line, never cut quietly.
TEST(StorageBudget, SubsetsLargerThanTheSplitAreRefused) {
  const testing::TempDir dir;
  data::write_pattern_cifar10(dir.path() / "data", 30, 20, 3);
  const std::string data = "--dataset cifar10 --data-dir " + quoted(dir.path() / "data");
  const auto train = run_helmholtz("compress " + data + " --quality 5 --train-size 999999");
  EXPECT_EQ(train.exit_code, 2) << train.output;
  EXPECT_NE(train.output.find("error: --train-size 999999: cifar10's training split less its 3 "
                              "held-out validation images has only 27 images; give at most 27"),
            std::string::npos)
      << train.output;
  const auto val = run_helmholtz("compress " + data + " --quality 5 --val-size 21");
  EXPECT_EQ(val.exit_code, 2) << val.output;
  EXPECT_NE(val.output.find("--val-size 21: cifar10's test split has only 20 images"),
            std::string::npos)
      << val.output;
  const auto exact = run_helmholtz("compress " + data + " --quality 5 --train-size 27 --json");
  ASSERT_EQ(exact.exit_code, 0) << exact.output;
  EXPECT_EQ(nlohmann::json::parse(exact.output).at("train").at("images").get<int>(), 27);
  // The reference protocol holds nothing out: all 30 are the training split's.
  const auto whole_split = run_helmholtz(
      "compress " + data + " --quality 5 --protocol reference --train-size 30 --json");
  ASSERT_EQ(whole_split.exit_code, 0) << whole_split.output;
  EXPECT_EQ(nlohmann::json::parse(whole_split.output).at("train").at("images").get<int>(), 30);
  // Nor is a batch larger than the training images cut to them.
  const auto batch = run_helmholtz(
      "train " + data +
      " --quality 5 --train-size 10 --batch-size 16 --epochs 1 --device cpu "
      "--threads 1 --no-progress --architecture " +
      quoted(testing::tiny_architecture()) + " --log-root " + quoted(dir.path() / "logs"));
  EXPECT_EQ(batch.exit_code, 2) << batch.output;
  EXPECT_NE(batch.output.find("error: --batch-size 16: only 10 training images (after "
                              "--train-size or --storage-budget); give a batch size of at most 10"),
            std::string::npos)
      << batch.output;
}

}  // namespace
}  // namespace helmholtz::commands
