// --codec in the run spec: a level in the codec's own scale, bound to the codec whichever option
// comes first, the codec and its library version in the identity, runs from before --codec
// still matching, and one clear line for every mismatch.

#include <gtest/gtest.h>

#include <fstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/run/settings_file.hpp"
#include "helmholtz/run/spec.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {

using testing::finalized;
using testing::value_of;

std::string usage_error(const std::vector<std::pair<std::string, std::string>>& settings) {
  return testing::error_message_of<core::UsageError>([&] { finalized(settings); });
}

TEST(CodecSpec, TheDefaultCodecsAreJpegAndMp3AndTheirFoldersAreKept) {
  const RunSpec image = finalized({{"quality", "5"}});
  EXPECT_EQ(image.data.codec_level().codec(), "jpeg");
  EXPECT_EQ(image.data.codec_level().folder_name(), "quality_5");
  const auto id = identity(image);
  EXPECT_EQ(value_of(id, "codec"), "jpeg");
  EXPECT_EQ(value_of(id, "codec-version").rfind("libjpeg-turbo ", 0), 0u) << identity_line(id);

  const RunSpec audio = finalized({{"dataset", "audio-effects"}, {"bitrate", "32"}});
  EXPECT_EQ(audio.data.codec_level().codec(), "mp3");
  EXPECT_EQ(audio.data.codec_level().folder_name(), "bitrate_32");
  const auto audio_id = identity(audio);
  EXPECT_EQ(value_of(audio_id, "codec"), "mp3");
  // The versions hold no ';', which separates the identity line's pairs.
  EXPECT_EQ(value_of(audio_id, "codec-version").find(';'), std::string::npos);
  EXPECT_NE(value_of(audio_id, "codec-version").find("LAME"), std::string::npos);
  EXPECT_EQ(parse_identity_line(identity_line(audio_id)), audio_id);
}

TEST(CodecSpec, RawIsCodecFree) {
  const RunSpec raw = finalized({{"quality", "raw"}});
  EXPECT_EQ(raw.data.codec_level().folder_name(), "quality_raw");
  EXPECT_EQ(value_of(identity(raw), "codec"), "(none)");
  EXPECT_EQ(value_of(identity(raw), "codec-version"), "(none)");
  EXPECT_EQ(data::Level(data::Quality::parse("raw", codec::ImageCodec::kJpeg)),
            data::Level(data::Quality{true, 0, codec::ImageCodec::kAvif}));
}

TEST(CodecSpec, OldIdentitiesWithoutCodecMatchTodaysJpegAndMp3Runs) {
  const RunSpec image = finalized({{"quality", "5"}});
  Identity old;
  for (const auto& kv : identity(image)) {
    if (kv.first != "codec" && kv.first != "codec-version") old.push_back(kv);
  }
  const Identity stored = parse_identity_line(identity_line(old));
  EXPECT_EQ(value_of(stored, "codec"), "jpeg");
  EXPECT_TRUE(compare(stored, identity(image)).empty())
      << describe(compare(stored, identity(image)));
  // A recorded version that differs is a difference: another library may give other bytes.
  Identity other = identity(image);
  for (auto& [k, v] : other) {
    if (k == "codec-version") v = "libjpeg-turbo 9.9.9";
  }
  const auto differences = compare(other, identity(image));
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_EQ(differences[0].key, "codec-version");
}

#ifdef HELMHOLTZ_WITH_WEBP
TEST(CodecSpec, ACodecBindsItsLevelWhicheverOptionComesFirst) {
  for (const auto& order :
       {std::vector<std::pair<std::string, std::string>>{{"codec", "webp"}, {"quality", "0"}},
        std::vector<std::pair<std::string, std::string>>{{"quality", "0"}, {"codec", "webp"}}}) {
    const RunSpec s = finalized(order);
    EXPECT_EQ(s.data.codec_level().describe(), "webp quality 0");
    EXPECT_EQ(s.data.codec_level().folder_name(), "webp_0");
    const auto id = identity(s);
    EXPECT_EQ(value_of(id, "codec"), "webp");
    EXPECT_EQ(value_of(id, "codec-version").rfind("libwebp ", 0), 0u);
    EXPECT_EQ(value_of(id, "subsampling"), "(none)");  // JPEG's option
  }
  // A JPEG run and a WebP run at the same number are two runs.
  EXPECT_FALSE(compare(identity(finalized({{"quality", "50"}})),
                       identity(finalized({{"codec", "webp"}, {"quality", "50"}})))
                   .empty());
}

TEST(CodecSpec, TheTomlConfigKeepsTheCodec) {
  const RunSpec s = finalized({{"codec", "webp"}, {"quality", "40"}, {"setting", "1"}});
  testing::TempDir dir;
  const auto file = dir.path() / "run.toml";
  std::ofstream(file) << to_toml(s);
  const RunSpec back = read_run_spec(file);
  EXPECT_EQ(back.data.codec_level(), s.data.codec_level());
  EXPECT_EQ(identity(back), identity(s));
}
#endif

TEST(CodecSpec, MismatchesAreOneLineNamingTheOptionAndTheChoices) {
  std::string m = usage_error({{"codec", "png"}});
  EXPECT_NE(m.find("--codec png: unknown codec"), std::string::npos) << m;
  EXPECT_NE(m.find("jpeg"), std::string::npos) << m;
  EXPECT_NE(m.find("mp3, opus, vorbis"), std::string::npos) << m;

  m = usage_error({{"codec", "mp3"}, {"quality", "5"}});
  EXPECT_NE(m.find("--codec mp3 is an audio codec; --dataset cifar10 takes an image codec"),
            std::string::npos)
      << m;
  m = usage_error({{"dataset", "audio-effects"}, {"codec", "jpeg"}, {"bitrate", "32"}});
  EXPECT_NE(m.find("--codec jpeg is an image codec"), std::string::npos) << m;

  m = usage_error({{"quality", "0"}});
  EXPECT_NE(m.find("--quality 0: jpeg takes 1..100"), std::string::npos) << m;
  m = usage_error({{"dataset", "audio-effects"}, {"bitrate", "33"}});
  EXPECT_NE(m.find("--bitrate 33"), std::string::npos) << m;
#ifdef HELMHOLTZ_WITH_WEBP
  m = usage_error({{"codec", "webp"}});
  EXPECT_NE(m.find("--codec webp needs --quality (0..100"), std::string::npos) << m;
  m = usage_error({{"codec", "webp"}, {"quality", "50"}, {"subsampling", "444"}});
  EXPECT_NE(m.find("--subsampling applies to --codec jpeg, not webp"), std::string::npos) << m;
#endif
#ifdef HELMHOLTZ_WITH_JXL
  m = usage_error({{"codec", "jxl"}, {"quality", "100"}});
  EXPECT_NE(m.find("--quality 100: jxl takes 5..99"), std::string::npos) << m;
#endif
#ifdef HELMHOLTZ_WITH_OPUS
  m = usage_error({{"dataset", "audio-effects"}, {"codec", "opus"}, {"bitrate", "300"}});
  EXPECT_NE(m.find("--bitrate 300"), std::string::npos) << m;
  EXPECT_EQ(finalized({{"dataset", "audio-effects"}, {"codec", "opus"}, {"bitrate", "24"}})
                .data.codec_level()
                .folder_name(),
            "opus_24");
#endif
}

}  // namespace
}  // namespace helmholtz::run
