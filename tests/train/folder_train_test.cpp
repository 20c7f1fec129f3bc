// Training on a folder dataset (--dataset folder) through the binary: a generated ImageFolder
// tree of several sizes, JPEG and PNG, streamed through the loader; a sweep of ResNet-18 at two
// JPEG levels and raw that the report reads; two Gloo processes training what one process
// trains on the streamed data; a folder whose files change refused on resume.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helmholtz/core/files.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/train/distributed.hpp"
#include "helmholtz/train/folder_data.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {
namespace fs = std::filesystem;
using testing::quoted;
using testing::read_text;
using testing::run_helmholtz;

std::string folder_run(const fs::path& data, const fs::path& cache, const fs::path& logs) {
  return "--dataset folder --data-dir " + quoted(data) + " --cache-dir " + quoted(cache) +
         " --device cpu --log-root " + quoted(logs);
}

nlohmann::json summary_of(const fs::path& run) {
  return nlohmann::json::parse(read_text(run / "summary.json"));
}

// The done-when case: ResNet-18 at JPEG 50, JPEG 10 and raw on 64x64 crops of a generated
// folder (3 classes, 16 training and 4 validation images each), then the report.
TEST(FolderTraining, ResNet18SweepAtTwoJpegLevelsAndRawThatTheReportReads) {
  const testing::TempDir dir;
  const fs::path data = dir.path() / "photos";
  data::write_pattern_folder(data, 3, 16, 4, 5);
  const fs::path logs = dir.path() / "logs";
  const auto sweep = run_helmholtz(
      "sweep " + folder_run(data, dir.path() / "cache", logs) +
      " --model resnet18 --crop 64 --resize 72 --qualities 50,10,raw --epochs 2 --batch-size 12 "
      "--holdout-size 6 --threads 2 --jobs 1");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  const fs::path model = logs / "folder-photos" / "resnet18";
  double bits[3] = {0, 0, 0};
  const char* levels[3] = {"quality_10", "quality_50", "quality_raw"};
  for (int i = 0; i < 3; ++i) {
    const auto s = summary_of(model / levels[i]);
    EXPECT_EQ(s.at("status"), "finished") << levels[i];
    EXPECT_EQ(s.at("dataset"), "folder-photos");
    // torchvision's 11,689,512 with a 3-class head (11,178,051) and 9,600 batch-norm statistics.
    EXPECT_EQ(s.at("parameters"), 11187651);
    EXPECT_EQ(s.at("train_samples"), 42);  // 48 less the 6 held out
    EXPECT_EQ(s.at("validation_samples"), 6);
    EXPECT_EQ(s.at("test_samples"), 12);
    EXPECT_EQ(s.at("identity").at("crop"), "64");
    EXPECT_TRUE(s.at("identity").at("folder").get<std::string>().rfind("photos@", 0) == 0);
    EXPECT_TRUE(s.contains("test_best")) << s.dump(2);
    bits[i] = s.at("bits_per_sample").get<double>();
    EXPECT_TRUE(fs::exists(model / levels[i] / "best.pt"));
  }
  // Fewer bits at the lower quality; raw spends the originals' 24 bits per pixel.
  EXPECT_LT(bits[0], bits[1]);
  EXPECT_LT(bits[1], bits[2]);
  const fs::path out = dir.path() / "report";
  const auto report = run_helmholtz("report " + quoted(logs) + " --out " + quoted(out));
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string md = read_text(out / "report.md");
  EXPECT_NE(md.find("folder-photos"), std::string::npos) << md;
  EXPECT_NE(md.find("| folder-photos | resnet18 | - | jpeg | q50 |"), std::string::npos) << md;
  const std::string csv = read_text(out / "report.csv");
  std::size_t rows = 0;
  for (auto at = csv.find("folder-photos"); at != std::string::npos;
       at = csv.find("folder-photos", at + 1)) {
    ++rows;
  }
  EXPECT_GE(rows, 3u) << csv;
}

// The tiny network on 32x32 crops: two processes, each streaming its share of every global
// batch, train what one process trains (the crops' draws depend on the sample and the epoch,
// not on the process), and the loss falls.
TEST(FolderTraining, TwoProcessesStreamingTrainWhatOneTrains) {
  if (!backend_compiled(DistributedBackend::kGloo)) {
    GTEST_SKIP() << "this build has no Gloo (libgloo-dev)";
  }
  const testing::TempDir dir;
  const fs::path data = dir.path() / "photos";
  data::write_pattern_folder(data, 3, 20, 4, 9);
  const auto run = [&](const std::string& logs, const std::string& more) {
    return run_helmholtz("train " + folder_run(data, dir.path() / "cache", dir.path() / logs) +
                         " --architecture " + quoted(testing::tiny_architecture()) +
                         " --quality 50 --crop 32 --resize 36 --epochs 4 --batch-size 10 "
                         "--lr 0.05 --no-progress " +
                         more);
  };
  const auto one = run("one", "--threads 1");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run("two", "--processes 2 --threads 2");
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("x 2 processes (gloo)"), std::string::npos) << two.output;
  const fs::path folder = fs::path("folder-photos") / "tiny" / "quality_50";
  const auto h1 = run::read_history_csv(dir.path() / "one" / folder / "history.csv");
  const auto h2 = run::read_history_csv(dir.path() / "two" / folder / "history.csv");
  ASSERT_EQ(h1.size(), 4u);
  ASSERT_EQ(h2.size(), 4u);
  for (std::size_t i = 0; i < h1.size(); ++i) {
    EXPECT_NEAR(h2[i].loss, h1[i].loss, 1e-4) << "epoch " << i + 1;
    EXPECT_NEAR(h2[i].acc, h1[i].acc, 1e-9) << "epoch " << i + 1;
    EXPECT_NEAR(h2[i].val_loss, h1[i].val_loss, 1e-4) << "epoch " << i + 1;
  }
  EXPECT_LT(h1.back().loss, h1.front().loss) << "the loss must fall";
}

// A file added to the folder after a run started gives the folder another identity: --resume
// refuses it and names what differs, and the run folder is left as it was.
TEST(FolderTraining, AChangedFolderIsRefusedOnResume) {
  const testing::TempDir dir;
  const fs::path data = dir.path() / "photos";
  data::write_pattern_folder(data, 2, 8, 2, 1);
  const std::string args =
      "train " + folder_run(data, dir.path() / "cache", dir.path() / "logs") + " --architecture " +
      quoted(testing::tiny_architecture()) +
      " --quality 50 --crop 32 --resize 32 --batch-size 8 --threads 1 --no-progress ";
  const auto first = run_helmholtz(args + "--epochs 1");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const fs::path run = dir.path() / "logs" / "folder-photos" / "tiny" / "quality_50";
  const std::string before = read_text(run / "summary.json");
  fs::copy_file(data / "train" / "pattern-0" / "0-0.jpg", data / "train" / "pattern-0" / "new.jpg");
  const auto resumed = run_helmholtz(args + "--epochs 2 --resume");
  EXPECT_NE(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("folder photos@"), std::string::npos) << resumed.output;
  EXPECT_EQ(read_text(run / "summary.json"), before);
}

// `bench train` and `doctor` take a folder's shape (its classes, the crop) as a run does.
TEST(FolderTraining, BenchTrainAndDoctorTakeTheFoldersShape) {
  const testing::TempDir dir;
  data::write_pattern_folder(dir.path() / "photos", 3, 2, 1, 3);
  const std::string folder = "--dataset folder --data-dir " + quoted(dir.path() / "photos") +
                             " --model resnet18 --crop 64 --threads 1 ";
  const auto bench =
      run_helmholtz("bench train " + folder + "--images 8 --epochs 1 --batch-size 8 --json");
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  const auto j = nlohmann::json::parse(bench.output.substr(bench.output.find('{')));
  EXPECT_EQ(j.at("parameters"), 11187651);  // ResNet-18 with the folder's 3 classes
  EXPECT_EQ(j.at("identity").at("crop"), "64");
  EXPECT_GT(j.at("train_images_per_second").get<double>(), 0.0);
  const auto doctor = run_helmholtz("doctor " + folder + "--images 8");
  EXPECT_EQ(doctor.exit_code, 0) << doctor.output;
  EXPECT_NE(doctor.output.find("resnet18"), std::string::npos) << doctor.output;
}

TEST(FolderTraining, SpreadEvenlyKeepsEveryClassesShare) {
  std::vector<std::size_t> positions(10);
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = 100 + i;
  EXPECT_EQ(spread_evenly(positions, 0, "x"), positions);
  EXPECT_EQ(spread_evenly(positions, 5, "x"), (std::vector<std::size_t>{100, 102, 104, 106, 108}));
  EXPECT_EQ(spread_evenly(positions, 3, "x"), (std::vector<std::size_t>{100, 103, 106}));
  const auto message = testing::error_message_of<core::UsageError>(
      [&] { spread_evenly(positions, 11, "--train-size 11: folder photos's train/ split"); });
  EXPECT_EQ(message,
            "--train-size 11: folder photos's train/ split has only 10 images; give at most 10");
}

}  // namespace
}  // namespace helmholtz::train
