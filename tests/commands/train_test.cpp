// `helmholtz train` through the binary: a run folder never hands back the results of other
// settings (another lr, another level, another setting on resume), datasets never share a
// folder, and bad options or data give one clear line.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;
using testing::quoted;
using testing::read_text;
using testing::run_helmholtz;

int lines_of(const std::string& text) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
  return n;
}

class TrainCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TempDir();
    data::write_pattern_cifar10(data_->path(), 200, 50, 3);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  // A one-epoch run of the tiny network on the generated set.
  std::string tiny(const std::string& where, const std::string& more = "") const {
    return "train --dataset cifar10 --data-dir " + quoted(data_->path()) + " --architecture " +
           quoted(testing::tiny_architecture()) +
           " --epochs 1 --batch-size 32 --device cpu --threads 1 --no-progress " + where + " " +
           more;
  }
  // The files of a run folder (its predictions folder's too), byte for byte.
  static std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().filename() != ".lock") {
        files[e.path().lexically_relative(dir).string()] = read_text(e.path());
      }
    }
    return files;
  }
  static inline testing::TempDir* data_ = nullptr;
  testing::TempDir logs_;
};

// A write that cannot complete (here a file-size limit, which fails the write with EFBIG as a
// full disk fails it with ENOSPC): one line naming the file and the cause, exit 2, no
// temporary file left, and the run resumes once there is room.
TEST_F(TrainCommand, AFailedCheckpointWriteIsOneLineAndLeavesNoTemporaryFile) {
  const fs::path dir = logs_.path() / "limited";
  const auto limited =
      testing::run_shell("bash -c \"trap '' XFSZ; ulimit -f 8; '" + std::string(HELMHOLTZ_BINARY) +
                         "' " + tiny("--log-dir " + quoted(dir), "--quality 5") + "\"");
  EXPECT_EQ(limited.exit_code, 2) << limited.output;
  EXPECT_NE(limited.output.find("error: file too large for this file system or limit writing '" +
                                (dir / "best.pt").string() + "'"),
            std::string::npos)
      << limited.output;
  EXPECT_EQ(limited.output.find("terminate called"), std::string::npos) << limited.output;
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  }
  const auto resumed = run_helmholtz(tiny("--log-dir " + quoted(dir), "--quality 5 --resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(lines_of(read_text(dir / "history.csv")), 2) << "the header and the epoch once";
  EXPECT_TRUE(fs::exists(dir / "best.pt"));
}

TEST_F(TrainCommand, AnotherLrOrLevelOnAFinishedRunIsRefusedNamingBothValues) {
  const std::string root = "--log-root " + quoted(logs_.path());
  const auto first = run_helmholtz(tiny(root, "--quality 5"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const fs::path dir = logs_.path() / "cifar10" / "tiny" / "quality_5";
  const auto before = snapshot(dir);
  ASSERT_EQ(before.count("summary.json"), 1u);
  ASSERT_EQ(before.count("predictions/quality_5.csv"), 1u);

  // The same command with another lr: never "already finished".
  const auto lr = run_helmholtz(tiny(root, "--quality 5 --lr 0.5"));
  EXPECT_EQ(lr.exit_code, 2) << lr.output;
  EXPECT_EQ(lines_of(lr.output), 1) << lr.output;
  EXPECT_NE(lr.output.find("this folder holds lr 0.01, you asked for lr 0.5"), std::string::npos)
      << lr.output;
  EXPECT_NE(lr.output.find("--log-dir or --log-root"), std::string::npos) << lr.output;
  EXPECT_EQ(lr.output.find("already finished"), std::string::npos) << lr.output;

  // --log-dir on that folder with another quality.
  const auto level = run_helmholtz(tiny("--log-dir " + quoted(dir), "--quality 50"));
  EXPECT_EQ(level.exit_code, 2) << level.output;
  EXPECT_NE(level.output.find("quality 5, you asked for quality 50"), std::string::npos)
      << level.output;
  EXPECT_EQ(snapshot(dir), before) << "a refused command changed the run folder";

  // The same settings again: finished, nothing trained, exit 0.
  const auto again = run_helmholtz(tiny(root, "--quality 5"));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already finished"), std::string::npos) << again.output;
}

TEST_F(TrainCommand, TwoDatasetsTrainInSeparateFolders) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (scripts/setup.sh does)";
  }
  const std::string root = "--log-root " + quoted(logs_.path());
  const std::string common = " --quality 5 --architecture " + quoted(testing::tiny_architecture()) +
                             " --epochs 1 --device cpu --threads 1 --no-progress " + root;
  const auto fashion = run_helmholtz(
      "train --dataset fashion-mnist --train-size 200 --val-size "
      "100" +
      common);
  ASSERT_EQ(fashion.exit_code, 0) << fashion.output;
  const auto cifar =
      run_helmholtz("train --dataset cifar10 --data-dir " + quoted(data_->path()) + common);
  ASSERT_EQ(cifar.exit_code, 0) << cifar.output;
  for (const char* dataset : {"fashion-mnist", "cifar10"}) {
    const auto j = nlohmann::json::parse(
        read_text(logs_.path() / dataset / "tiny" / "quality_5" / "summary.json"));
    EXPECT_EQ(j["dataset"].get<std::string>(), dataset);
    EXPECT_TRUE(j["finished"].get<bool>());
    // A tenth of each training split validates: of Fashion-MNIST's 60,000, of the 200 here.
    EXPECT_EQ(j["validation_samples"].get<int>(), std::string(dataset) == "cifar10" ? 20 : 6000);
    EXPECT_EQ(j["test_samples"].get<int>(), std::string(dataset) == "cifar10" ? 50 : 100);
  }
}

TEST_F(TrainCommand, ResumeWithAnotherSettingNamesItBeforeAnyWeightIsLoaded) {
  const fs::path dir = logs_.path() / "run";
  const std::string base = "train --dataset cifar10 --data-dir " + quoted(data_->path()) +
                           " --train-size 64 --val-size 32 --batch-size 32 --device cpu "
                           "--threads 1 --no-progress --log-dir " +
                           quoted(dir);
  const auto first = run_helmholtz(base + " --setting 0 --epochs 1");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = snapshot(dir);
  const auto resumed = run_helmholtz(base + " --setting 1 --epochs 2 --resume");
  EXPECT_EQ(resumed.exit_code, 2) << resumed.output;
  EXPECT_NE(resumed.output.find("setting 0, you asked for setting 1"), std::string::npos)
      << resumed.output;
  EXPECT_EQ(resumed.output.find("serialized"), std::string::npos) << resumed.output;
  EXPECT_EQ(snapshot(dir), before);
  // Without a summary the checkpoint speaks for the folder: its identity is read first too.
  fs::remove(dir / "summary.json");
  const auto from_checkpoint = run_helmholtz(base + " --setting 1 --epochs 2 --resume");
  EXPECT_EQ(from_checkpoint.exit_code, 2) << from_checkpoint.output;
  EXPECT_NE(from_checkpoint.output.find("cannot resume from '" + (dir / "last.pt").string()),
            std::string::npos)
      << from_checkpoint.output;
  EXPECT_NE(from_checkpoint.output.find("setting 0, you asked for setting 1"), std::string::npos)
      << from_checkpoint.output;
  EXPECT_EQ(from_checkpoint.output.find("serialized"), std::string::npos) << from_checkpoint.output;
}

TEST_F(TrainCommand, AnArchitectureFileTrainsAndIsRecordedInTheRun) {
  const fs::path dir = logs_.path() / "tiny";
  const auto r = run_helmholtz(tiny("--log-dir " + quoted(dir)));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(read_text(dir / "summary.json"));
  EXPECT_EQ(j["model"].get<std::string>(), "tiny");
  EXPECT_EQ(j["setting"].get<int>(), -1);
  EXPECT_EQ(j["parameters"].get<int>(), 224 + 1168 + 170);
  EXPECT_NE(j["identity"]["model"].get<std::string>().find("conv(k3,f8,s2,same)"),
            std::string::npos);
  EXPECT_NE(read_text(dir / "config.toml")
                .find("architecture = \"" + testing::tiny_architecture().string() + "\""),
            std::string::npos);
  // A file whose network does not fit the input names the layer.
  const fs::path bad = logs_.path() / "bad.toml";
  std::ofstream(bad) << "name = \"bad\"\n[[layer]]\nkind = \"conv\"\nkernel = 40\nfilters = 4\n"
                        "padding = \"valid\"\n[[layer]]\nkind = \"flatten\"\n[[layer]]\n"
                        "kind = \"dense\"\nunits = 0\n";
  const auto refused = run_helmholtz(
      "train --dataset cifar10 --data-dir " + quoted(data_->path()) + " --architecture " +
      quoted(bad) + " --epochs 1 --device cpu --log-root " + quoted(logs_.path() / "other"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("layer 1 (conv): a 40x40 window does not fit"), std::string::npos)
      << refused.output;
  EXPECT_FALSE(fs::exists(logs_.path() / "other"));
}

}  // namespace
}  // namespace helmholtz::commands
