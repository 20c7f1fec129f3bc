// The audio study end to end through the binary, on a small generated set: synth, compress,
// a 2-epoch run of the reference's cnn_x3_mlp_128 at 32 kbit/s, and the errors a user can cause.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/predictions.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {
namespace fs = std::filesystem;
using testing::run_helmholtz;
using testing::TempDir;

// 12 classes x 10 clips: per class 8 train-part clips (6 training, 2 validation) and 2 test.
class AudioRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto r =
        run_helmholtz("synth audio-effects --out '" + set().string() + "' --per-class 10 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path set() { return dir_->path() / "guitar-fx"; }
  static fs::path cache() { return dir_->path() / "cache"; }
  static inline TempDir* dir_ = nullptr;
};

// The JSON document that ends a command's output (log lines on stderr come before it).
nlohmann::json json_at_end(const std::string& output) {
  const auto start = output.rfind("\n{");
  return nlohmann::json::parse(start == std::string::npos ? output : output.substr(start + 1));
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

TEST_F(AudioRunTest, TrainsTheReferenceNetworkAtABitrateAndWritesTheRunFolder) {
  TempDir logs;
  const auto r = run_helmholtz("train --dataset audio-effects --data-dir '" + set().string() +
                               "' --bitrate 32 --setting 3 --epochs 2 --threads 1 --device cpu "
                               "--no-progress --cache-dir '" +
                               cache().string() + "' --log-root '" + logs.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path run = logs.path() / "audio-effects" / "cnn_x3_mlp_128" / "bitrate_32";
  for (const char* f : {"config.toml", "history.csv", "best.pt", "last.pt", "model.pt", "train.log",
                        "summary.json"}) {
    EXPECT_TRUE(fs::exists(run / f)) << f << "\n" << r.output;
  }
  const auto summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["dataset"], "audio-effects");
  EXPECT_EQ(summary["model"], "cnn_x3_mlp_128");
  EXPECT_EQ(summary["level_option"], "bitrate");
  EXPECT_EQ(summary["level"], "32");
  EXPECT_EQ(summary["codec"], "mp3");
  EXPECT_EQ(summary["optimizer"], "adadelta");
  EXPECT_EQ(summary["parameters"], 808356);
  EXPECT_EQ(summary["epochs_completed"], 2);
  EXPECT_EQ(summary["finished"], true);
  EXPECT_EQ(summary["train_samples"], 50);  // 72 training clips cut to a multiple of 50
  EXPECT_EQ(summary["validation_samples"], 24);
  EXPECT_EQ(summary["validation_data"], "validation");
  EXPECT_EQ(summary["test_samples"], 24);  // 2 test clips a class
  EXPECT_EQ(summary["signal_bits_per_sample"].get<double>(), 2 * 44100 * 16.0);  // 2 s, 16 bit
  // The kept weights on the test part: their epoch, and a predictions file of every test clip.
  EXPECT_EQ(summary["test_best"]["epoch"], summary["best_epoch"]);
  EXPECT_EQ(summary["test_last"]["epoch"], 2);
  EXPECT_EQ(summary["predictions"], "predictions/bitrate_32.csv");
  const auto predictions = run::read_predictions(run / "predictions" / "bitrate_32.csv");
  EXPECT_EQ(predictions.size(), 24u);
  EXPECT_NEAR(predictions.accuracy(), summary["test_best"]["acc"].get<double>(), 1e-6);
  EXPECT_EQ(summary["compression"]["clips"]["clips"], 120);
  EXPECT_EQ(summary["distortion"]["metric"], "snr");
  const double kbps = summary["compression"]["clips"]["kbps"];
  EXPECT_GT(kbps, 32.0);
  EXPECT_LT(kbps, 36.0);
  EXPECT_NEAR(summary["bits_per_sample"].get<double>(), kbps * 1000.0 * 2.0, 1.0);
  const auto history = run::read_history_csv(run / "history.csv");
  ASSERT_EQ(history.size(), 2u);
  for (const auto& e : history) {
    EXPECT_TRUE(std::isfinite(e.loss) && e.loss > 0) << e.loss;
    EXPECT_GE(e.val_acc, 0.0);
    EXPECT_LE(e.val_acc, 1.0);
    EXPECT_DOUBLE_EQ(e.lr, 1.0);
  }
  std::ifstream toml(run / "config.toml");
  const std::string config((std::istreambuf_iterator<char>(toml)), {});
  EXPECT_NE(config.find("optimizer = \"adadelta\""), std::string::npos) << config;
  EXPECT_NE(config.find("batch-size = 50"), std::string::npos) << config;
  EXPECT_NE(config.find("bitrate = \"32\""), std::string::npos) << config;
  EXPECT_EQ(config.find("quality"), std::string::npos) << config;

  // The same command again: the finished run is left alone.
  const auto again =
      run_helmholtz("train --config '" + (run / "config.toml").string() + "' --no-progress");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already finished"), std::string::npos) << again.output;
}

TEST_F(AudioRunTest, CompressReportsTheCodecFiguresAndFillsTheCache) {
  const std::string args = "compress --dataset audio-effects --data-dir '" + set().string() +
                           "' --bitrate 8 --threads 1 --json --cache-dir '" + cache().string() +
                           "'";
  auto r = run_helmholtz(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_at_end(r.output);
  EXPECT_EQ(j["bitrate"], "8");
  EXPECT_EQ(j["clips"]["clips"], 120);
  EXPECT_EQ(j["features_shape"], (std::vector<int>{120, 1, 96, 173}));
  EXPECT_GT(j["clips"]["mean_delay_seconds"].get<double>(), 0.05);
  EXPECT_LT(j["clips"]["output_sample_rates"][0].get<int>(), 44100);
  EXPECT_GT(j["clips"]["mean_bytes"].get<double>(), 1900.0);  // 2 s at 8 kbit/s: 2000 bytes
  EXPECT_LT(j["clips"]["mean_bytes"].get<double>(), 2600.0);
  const bool first_from_cache = j["from_cache"];
  r = run_helmholtz(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = json_at_end(r.output);
  EXPECT_TRUE(j["from_cache"].get<bool>());
  EXPECT_FALSE(first_from_cache);

  r = run_helmholtz("compress --dataset audio-effects --data-dir '" + set().string() +
                    "' --bitrate 8 --cache-dir '" + cache().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line :
       {"MP3 bytes per clip", "bitrate achieved", "output sample rate", "SNR", "delay removed"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
}

TEST_F(AudioRunTest, BadBitratesAndMismatchedOptionsAreRefused) {
  const std::string base = "train --dataset audio-effects --data-dir '" + set().string() +
                           "' --epochs 1 --no-progress --cache-dir '" + cache().string() + "'";
  auto r = run_helmholtz(base + " --bitrate 33");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrate 33: not an MP3 bitrate"), std::string::npos) << r.output;
  r = run_helmholtz(base);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrate is required"), std::string::npos) << r.output;
  r = run_helmholtz(base + " --bitrate 32 --quality 50");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--quality does not apply"), std::string::npos) << r.output;
  r = run_helmholtz("train --dataset cifar10 --bitrate 32 --epochs 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrate does not apply"), std::string::npos) << r.output;
  // compress checks its options as train does.
  r = run_helmholtz("compress --dataset audio-effects --data-dir '" + set().string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrate is required"), std::string::npos) << r.output;
  r = run_helmholtz("compress --dataset audio-effects --bitrate 32 --quality 50");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--quality does not apply"), std::string::npos) << r.output;
  r = run_helmholtz("compress --dataset cifar10 --bitrate 32");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bitrate does not apply"), std::string::npos) << r.output;
}

// A broken clip among good ones: the run stops before training, names the file, and an
// earlier run folder is left as it was.
TEST(AudioCli, EmptyWavAndNonAudioFileInAClassFolderAreNamed) {
  TempDir dir;
  const fs::path set = dir.path() / "fx";
  auto r = run_helmholtz("synth audio-effects --out '" + set.string() + "' --per-class 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string args = "train --dataset audio-effects --data-dir '" + set.string() +
                           "' --bitrate 32 --epochs 1 --no-progress --cache-dir '" +
                           (dir.path() / "cache").string() + "' --log-root '" +
                           (dir.path() / "logs").string() + "'";

  codec::Audio empty;
  empty.sample_rate = 44100;
  empty.channels = 1;
  const fs::path empty_wav = set / "Samples" / "Phaser" / "Phaser_9999.wav";
  codec::write_wav(empty_wav, empty);
  r = run_helmholtz(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("Phaser_9999.wav"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no audio frames"), std::string::npos) << r.output;
  fs::remove(empty_wav);

  const fs::path text = set / "Samples" / "Reverb" / "notes.txt";
  std::ofstream(text) << "not audio";
  r = run_helmholtz(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("notes.txt"), std::string::npos) << r.output;
  fs::remove(text);

  const fs::path fake = set / "Samples" / "Reverb" / "fake.wav";
  std::ofstream(fake) << "RIFF but not really a wave file";
  r = run_helmholtz(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("fake.wav"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "logs")) << "no run folder for a run that never started";
}

}  // namespace
}  // namespace helmholtz::train
