// The audio stage of a run: every clip coded and analysed, and the feature cache that keeps the
// result, is reused only while it matches, and is rebuilt when an input changes or it is damaged.

#include "helmholtz/features/audio_features.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "test_support.hpp"

namespace helmholtz::features {
namespace {

using testing::TempDir;

AudioFeatureRequest request_for(const TempDir& dir, const std::string& bitrate) {
  AudioFeatureRequest r;
  r.data_dir = dir.path() / "set";
  r.instrument = "all";
  r.bitrate = data::Bitrate::parse(bitrate);
  r.cache_dir = dir.path() / "cache";
  r.threads = 1;
  r.progress = false;
  return r;
}

TEST(AudioFeatures, CodesEveryClipAndCachesTheResult) {
  TempDir dir;
  data::write_audio_effects(dir.path() / "set", 2, 11, 2);
  auto& log = *core::console_logger();
  const auto request = request_for(dir, "32");
  const auto first = prepare_audio_features(request, log);
  EXPECT_FALSE(first.from_cache);
  ASSERT_EQ(first.features.sizes().vec(), (std::vector<std::int64_t>{24, 1, 96, 173}));
  EXPECT_EQ(first.clip_samples, 88200);
  ASSERT_EQ(first.labels.size(), 24u);
  EXPECT_EQ(first.labels.front(), 0);
  EXPECT_EQ(first.labels.back(), 11);
  EXPECT_EQ(first.stats.clips, 24);
  EXPECT_TRUE(std::filesystem::exists(first.cache_file));

  // Each row equals the spectrogram of that clip alone after the same codec round trip.
  const auto clip = data::code_clip(dir.path() / "set/Samples/EQ/EQ_0001.wav", request.bitrate,
                                    44100, 1025);
  const auto alone =
      mel_db(torch::from_blob(const_cast<float*>(clip.samples.data()), {1, 88200}), request.mel);
  const int eq_row = 2 * 2 + 1;  // EQ is class 2, two clips per class
  EXPECT_TRUE(torch::allclose(first.features[eq_row][0], alone[0], 1e-4, 1e-3));

  const auto second = prepare_audio_features(request, log);
  EXPECT_TRUE(second.from_cache);
  EXPECT_TRUE(torch::equal(first.features, second.features));
  EXPECT_EQ(second.labels, first.labels);
  EXPECT_DOUBLE_EQ(second.stats.mean_bytes, first.stats.mean_bytes);

  // Another bitrate is another cache file.
  const auto raw = prepare_audio_features(request_for(dir, "raw"), log);
  EXPECT_FALSE(raw.from_cache);
  EXPECT_NE(raw.cache_file, first.cache_file);
  EXPECT_FALSE(torch::equal(raw.features, first.features));
}

TEST(AudioFeatures, AChangedClipRebuildsTheCache) {
  TempDir dir;
  data::write_audio_effects(dir.path() / "set", 1, 3, 2);
  auto& log = *core::console_logger();
  const auto request = request_for(dir, "64");
  const auto before = prepare_audio_features(request, log);
  // Replace one clip by another note (a different size tells the change without waiting for
  // the clock to move).
  codec::Audio audio;
  audio.sample_rate = 44100;
  audio.channels = 1;
  audio.samples = data::synth_note(0, 99, 44100, 1.5);
  codec::write_wav(dir.path() / "set/Samples/Chorus/Chorus_0000.wav", audio);
  const auto after = prepare_audio_features(request, log);
  EXPECT_FALSE(after.from_cache);
  EXPECT_EQ(after.cache_file, before.cache_file);
  EXPECT_FALSE(torch::equal(after.features[0], before.features[0]));
  EXPECT_TRUE(torch::equal(after.features[1], before.features[1]));
  EXPECT_TRUE(prepare_audio_features(request, log).from_cache);
}

TEST(AudioFeatures, ADamagedCacheIsRebuiltNotUsed) {
  TempDir dir;
  data::write_audio_effects(dir.path() / "set", 1, 5, 2);
  auto& log = *core::console_logger();
  const auto request = request_for(dir, "raw");
  const auto before = prepare_audio_features(request, log);
  {
    std::fstream f(before.cache_file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-100, std::ios::end);
    f.put('\x7f');
  }
  const auto after = prepare_audio_features(request, log);
  EXPECT_FALSE(after.from_cache);
  EXPECT_TRUE(torch::equal(after.features, before.features));
  EXPECT_TRUE(prepare_audio_features(request, log).from_cache);
}

}  // namespace
}  // namespace helmholtz::features
