// The audio commands end to end, through the binary: synth audio-effects and features.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace helmholtz {
namespace {
namespace fs = std::filesystem;
using testing::read_text;

TEST(AudioCli, SynthThenFeaturesWritesA96By173Npy) {
  testing::TempDir dir;
  const auto synth = testing::run_helmholtz("synth audio-effects --out '" + dir.path().string() +
                                            "' --per-class 1 --seed 3");
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  const fs::path wav = dir.path() / "Samples" / "Chorus" / "Chorus_0000.wav";
  ASSERT_TRUE(fs::exists(wav));
  std::size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "Samples")) {
    folders += entry.is_directory();
  }
  EXPECT_EQ(folders, 12u);

  for (const char* bitrate : {"0", "8", "32"}) {
    const fs::path npy = dir.path() / (std::string("chorus-") + bitrate + ".npy");
    const auto r = testing::run_helmholtz("features '" + wav.string() + "' --out '" + npy.string() +
                                          "' --bitrate " + bitrate);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string bytes = read_text(npy);
    ASSERT_GT(bytes.size(), 128u);
    EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
    EXPECT_NE(bytes.find("'shape': (96, 173)"), std::string::npos) << bytes.substr(0, 128);
    // 96 x 173 float32 after a 64-byte-aligned header.
    EXPECT_EQ(bytes.size() % 64, (96 * 173 * 4) % 64);
    if (std::string(bitrate) != "0") {
      EXPECT_NE(r.output.find("delay"), std::string::npos) << r.output;
    }
  }
}

TEST(AudioCli, FeaturesRejectsBadBitrateAndNonAudio) {
  testing::TempDir dir;
  const fs::path text = dir.path() / "notes.wav";
  std::ofstream(text) << "not audio";
  const auto r = testing::run_helmholtz("features '" + text.string() + "' --out '" +
                                        (dir.path() / "x.npy").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("notes.wav"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "x.npy"));

  const auto synth = testing::run_helmholtz("synth audio-effects --out '" + dir.path().string() +
                                            "' --per-class 1");
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  const auto bad = testing::run_helmholtz(
      "features '" + (dir.path() / "Samples" / "NoFX" / "NoFX_0000.wav").string() + "' --out '" +
      (dir.path() / "y.npy").string() + "' --bitrate 33");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--bitrate 33"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace helmholtz
