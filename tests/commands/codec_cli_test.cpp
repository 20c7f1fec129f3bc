// `--codec` end to end through the binary: `compress` of every image codec of this build and of
// every audio codec, the decoded-image cache read back and rebuilt when damaged, and one clear
// line for a codec or level that does not fit.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;

const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::string compress_images(const std::string& codec_and_level, const fs::path& cache) {
  return "compress --dataset fashion-mnist --train-size 120 --holdout-size 40 --val-size 40 "
         "--threads 2 --json " +
         codec_and_level + " --cache-dir '" + cache.string() + "'";
}

TEST(CodecCli, CompressCodesFashionMnistThroughEveryImageCodec) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "needs Debian's dataset-fashion-mnist";
  testing::TempDir cache;
  for (const auto& info : codec::image_codecs()) {
    if (!info.built) continue;
    const int level = info.id == codec::ImageCodec::kJ2k ? 30 : 40;
    const auto r = testing::run_helmholtz(compress_images(
        std::string("--codec ") + info.name + " --quality " + std::to_string(level), cache.path()));
    ASSERT_EQ(r.exit_code, 0) << info.name << ": " << r.output;
    const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
    EXPECT_EQ(j["codec"], info.name);
    EXPECT_EQ(j["codec_version"], codec::image_codec_version(info.id));
    EXPECT_EQ(j["quality"], std::to_string(level));
    EXPECT_EQ(j["train"]["images"], 120);
    EXPECT_EQ(j["test"]["images"], 40);
    const double bytes = j["train"]["mean_bytes"], payload = j["train"]["mean_payload_bytes"];
    EXPECT_GT(bytes, payload) << info.name << ": the container is not payload";
    EXPECT_GT(payload, 10.0) << info.name;
    EXPECT_LT(bytes, 1024.0) << info.name << ": smaller than the pixels";
    EXPECT_GT(j["train"]["mean_psnr"].get<double>(), 15.0) << info.name;
    EXPECT_EQ(j.contains("subsampling"), info.id == codec::ImageCodec::kJpeg);
  }
}

#ifdef HELMHOLTZ_WITH_AVIF
TEST(CodecCli, TheCacheIsReadBackAndADamagedFileIsRebuilt) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "needs Debian's dataset-fashion-mnist";
  testing::TempDir cache;
  const std::string args = compress_images("--codec avif --quality 30", cache.path());
  const auto first = testing::run_helmholtz(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto coded = nlohmann::json::parse(first.output.substr(first.output.find('{')));
  EXPECT_FALSE(coded["from_cache"].get<bool>());
  const fs::path file =
      cache.path() / "images" / "fashion-mnist" / "train-120-holdout-40-split-0-avif_30.cache";
  ASSERT_TRUE(fs::is_regular_file(file)) << first.output;

  const auto second = testing::run_helmholtz(args);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto read = nlohmann::json::parse(second.output.substr(second.output.find('{')));
  EXPECT_TRUE(read["from_cache"].get<bool>());
  EXPECT_EQ(read["train"], coded["train"]);
  EXPECT_EQ(read["test"], coded["test"]);

  testing::flip_byte(file, static_cast<std::streamoff>(fs::file_size(file) / 2), 0x10);
  const auto third = testing::run_helmholtz(args);
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("damaged"), std::string::npos) << third.output;
  const auto rebuilt = nlohmann::json::parse(third.output.substr(third.output.find('{')));
  EXPECT_FALSE(rebuilt["from_cache"].get<bool>());
  EXPECT_EQ(rebuilt["train"], coded["train"]);
}
#endif

TEST(CodecCli, CompressCodesAudioThroughEveryAudioCodec) {
  testing::TempDir dir;
  data::write_audio_effects(dir.path(), 1, 5, 2);
  for (const auto& [codec, bitrate] :
       std::vector<std::pair<std::string, int>>{{"mp3", 32}, {"opus", 24}, {"vorbis", 64}}) {
    if (!codec::is_audio_codec_name(codec)) continue;
    bool built = true;
    try {
      codec::parse_audio_codec(codec);
    } catch (const core::UsageError&) {
      built = false;
    }
    if (!built) continue;
    const auto r = testing::run_helmholtz(
        "compress --dataset audio-effects --instrument all --threads 2 --json --cache-dir '' "
        "--data-dir '" +
        dir.path().string() + "' --codec " + codec + " --bitrate " + std::to_string(bitrate));
    ASSERT_EQ(r.exit_code, 0) << codec << ": " << r.output;
    const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
    EXPECT_EQ(j["codec"], codec);
    EXPECT_FALSE(j["codec_version"].get<std::string>().empty());
    const auto& clips = j["clips"];
    EXPECT_EQ(clips["clips"], 12);  // 12 effects x 1 clip
    // MP3 is constant bitrate; Opus and Vorbis are variable, and spend less than the target on
    // these short synthetic notes (their codec tests hold them to it on noise).
    const double kbps = clips["kbps"];
    if (codec == "mp3") {
      EXPECT_NEAR(kbps, bitrate, bitrate * 0.1);
    } else {
      EXPECT_GT(kbps, bitrate * 0.3) << codec;
      EXPECT_LT(kbps, bitrate * 1.3) << codec;
    }
    // Ogg pages and header packets are no payload; an MP3 from LAME here has no info frame.
    if (codec == "mp3") {
      EXPECT_GE(clips["mean_bytes"].get<double>(), clips["mean_payload_bytes"].get<double>());
    } else {
      EXPECT_GT(clips["mean_bytes"].get<double>(), clips["mean_payload_bytes"].get<double>());
    }
    EXPECT_GT(clips["mean_snr_db"].get<double>(), 3.0) << codec;
    if (codec == "opus") EXPECT_EQ(clips["output_sample_rates"][0], 48000);
  }
}

TEST(CodecCli, ACodecOrLevelThatDoesNotFitIsOneLineNamingTheValues) {
  struct Case {
    std::string args, expect;
  };
  const std::string images = "compress --dataset fashion-mnist --data-dir /nonexistent ";
  for (const Case& c : {
           Case{images + "--codec heic --quality 5", "--codec heic: unknown codec"},
           Case{images + "--codec mp3 --quality 5", "--codec mp3 is an audio codec"},
           Case{images + "--codec jpeg --quality 0", "--quality 0: jpeg takes 1..100"},
           Case{"compress --dataset audio-effects --data-dir /nonexistent --codec webp "
                "--bitrate 32",
                "--codec webp is an image codec"},
           Case{"compress --dataset audio-effects --data-dir /nonexistent --bitrate 33",
                "--bitrate 33"},
       }) {
    const auto r = testing::run_helmholtz(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << ": " << r.output;
    EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
  }
#ifdef HELMHOLTZ_WITH_WEBP
  const auto r = testing::run_helmholtz(images + "--codec webp --quality 101");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("webp takes 0..100"), std::string::npos) << r.output;
#endif
}

}  // namespace
}  // namespace helmholtz::commands
