#include "helmholtz/data/audio_synth.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

constexpr int kRate = 44100;

int index_of(const std::string& name) {
  const auto& classes = audio_effect_classes();
  return static_cast<int>(std::find(classes.begin(), classes.end(), name) - classes.begin());
}

double rms(const std::vector<float>& x, std::size_t begin, std::size_t end) {
  double sum = 0.0;
  for (std::size_t i = begin; i < end; ++i) sum += double(x[i]) * x[i];
  return std::sqrt(sum / double(end - begin));
}

double peak(const std::vector<float>& x) {
  double m = 0.0;
  for (float v : x) m = std::max(m, double(std::abs(v)));
  return m;
}

// The fraction of samples within 0.01 of the 0.8 peak: the flat tops that clipping leaves.
double flat_top_fraction(const std::vector<float>& x) {
  const auto n = std::count_if(x.begin(), x.end(), [](float v) { return std::abs(v) > 0.79f; });
  return double(n) / double(x.size());
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AudioSynth, TwelveSortedClasses) {
  const auto& classes = audio_effect_classes();
  const std::vector<std::string> expected = {
      "Chorus",    "Distortion", "EQ",     "FeedbackDelay", "Flanger", "NoFX",
      "Overdrive", "Phaser",     "Reverb", "SlapbackDelay", "Tremolo", "Vibrato"};
  EXPECT_EQ(classes, expected);
  EXPECT_TRUE(std::is_sorted(classes.begin(), classes.end()));
}

TEST(AudioSynth, NotesAreTwoSecondsFiniteAndNormalised) {
  for (int effect = 0; effect < 12; ++effect) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      const std::vector<float> x = synth_note(effect, seed);
      ASSERT_EQ(x.size(), 88200u) << audio_effect_classes()[effect];
      EXPECT_TRUE(std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); }));
      EXPECT_NEAR(peak(x), 0.8, 0.01) << audio_effect_classes()[effect] << " seed " << seed;
      EXPECT_GT(rms(x, 0, x.size()), 0.01) << audio_effect_classes()[effect] << " seed " << seed;
    }
  }
  EXPECT_EQ(synth_note(0, 1, 16000, 0.5).size(), 8000u);
}

TEST(AudioSynth, DeterministicForASeed) {
  for (int effect = 0; effect < 12; ++effect) {
    EXPECT_EQ(synth_note(effect, 42), synth_note(effect, 42));
    EXPECT_NE(synth_note(effect, 42), synth_note(effect, 43));
  }
}

TEST(AudioSynth, EveryEffectChangesTheDryNote) {
  const int dry_index = index_of("NoFX");
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const std::vector<float> dry = synth_note(dry_index, seed);
    for (int effect = 0; effect < 12; ++effect) {
      if (effect == dry_index) continue;
      const std::vector<float> wet = synth_note(effect, seed);
      // The L1 distance relative to the dry note's L1 norm (at least 0.15 over seeds 100-299).
      double diff = 0.0, norm = 0.0;
      for (std::size_t i = 0; i < dry.size(); ++i) {
        diff += std::abs(double(wet[i]) - dry[i]);
        norm += std::abs(double(dry[i]));
      }
      EXPECT_GT(diff / norm, 0.1) << audio_effect_classes()[effect] << " seed " << seed;
    }
  }
}

TEST(AudioSynth, DistortionClipsTheNote) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const std::vector<float> dry = synth_note(index_of("NoFX"), seed);
    const std::vector<float> wet = synth_note(index_of("Distortion"), seed);
    const double crest_dry = peak(dry) / rms(dry, 0, dry.size());
    const double crest_wet = peak(wet) / rms(wet, 0, wet.size());
    EXPECT_LT(crest_wet, 0.7 * crest_dry) << "seed " << seed;
    EXPECT_GT(flat_top_fraction(wet), 0.05) << "seed " << seed;
    EXPECT_LT(flat_top_fraction(dry), 0.005) << "seed " << seed;
  }
}

TEST(AudioSynth, TremoloEnvelopeOscillates) {
  // 10 ms RMS frames over 0.1..0.6 s, divided by the dry note's envelope to remove the decay.
  const std::size_t frame = kRate / 100;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const std::vector<float> dry = synth_note(index_of("NoFX"), seed);
    const std::vector<float> wet = synth_note(index_of("Tremolo"), seed);
    double lo = 1e9, hi = 0.0;
    int turns = 0;
    double previous = 0.0, previous_slope = 0.0;
    for (std::size_t start = kRate / 10; start + frame <= kRate * 6 / 10; start += frame) {
      const double ratio = rms(wet, start, start + frame) / rms(dry, start, start + frame);
      lo = std::min(lo, ratio);
      hi = std::max(hi, ratio);
      if (previous > 0.0) {
        const double slope = ratio - previous;
        if (previous_slope != 0.0 && (slope > 0) != (previous_slope > 0)) ++turns;
        previous_slope = slope;
      }
      previous = ratio;
    }
    EXPECT_GT(hi / lo, 1.5) << "seed " << seed;
    EXPECT_GE(turns, 2) << "seed " << seed;  // at least one full LFO period in 0.5 s
  }
}

TEST(AudioSynth, DelayAndReverbLeaveATailAfterTheDryNote) {
  // The dry note is muted by 1.1 s and has died away by 1.5 s; echoes and reverb have not.
  const std::size_t begin = kRate * 15 / 10, end = kRate * 2;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const std::vector<float> dry = synth_note(index_of("NoFX"), seed);
    const double dry_tail = rms(dry, begin, end);
    EXPECT_LT(dry_tail, 1e-8) << "seed " << seed;
    for (const char* name : {"FeedbackDelay", "Reverb"}) {
      const std::vector<float> wet = synth_note(index_of(name), seed);
      EXPECT_GT(rms(wet, begin, end), std::max(1e-5, 1000.0 * dry_tail))
          << name << " seed " << seed;
    }
  }
}

TEST(AudioSynth, RejectsBadArguments) {
  using testing::error_message_of;
  EXPECT_NE(error_message_of<core::UsageError>([] { synth_note(12, 1); }).find("out of range"),
            std::string::npos);
  error_message_of<core::UsageError>([] { synth_note(-1, 1); });
  error_message_of<core::UsageError>([] { synth_note(0, 1, 0); });
  error_message_of<core::UsageError>([] { synth_note(0, 1, 44100, 0.0); });
  testing::TempDir dir;
  error_message_of<core::UsageError>([&] { write_audio_effects(dir.path(), 0, 1); });
}

TEST(AudioSynth, WritesThePanottiLayout) {
  testing::TempDir dir;
  write_audio_effects(dir.path(), 2, 7, 2);
  const auto& classes = audio_effect_classes();
  int files = 0, folders = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "Samples")) {
    ASSERT_TRUE(entry.is_directory());
    ++folders;
    for (const auto& file : std::filesystem::directory_iterator(entry.path())) {
      (void)file;
      ++files;
    }
  }
  EXPECT_EQ(folders, 12);
  EXPECT_EQ(files, 24);
  for (const auto& name : classes)
    for (const char* number : {"_0000.wav", "_0001.wav"})
      EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "Samples" / name / (name + number)))
          << name << number;

  const std::filesystem::path file = dir.path() / "Samples" / "Reverb" / "Reverb_0001.wav";
  SF_INFO info{};
  SNDFILE* handle = sf_open(file.c_str(), SFM_READ, &info);
  ASSERT_NE(handle, nullptr) << sf_strerror(nullptr);
  EXPECT_EQ(info.samplerate, 44100);
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.frames, 88200);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
  EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_PCM_16);
  std::vector<float> samples(88200);
  EXPECT_EQ(sf_readf_float(handle, samples.data(), 88200), 88200);
  sf_close(handle);
  EXPECT_NEAR(peak(samples), 0.8, 0.01);

  // The same files for any thread count.
  testing::TempDir other;
  write_audio_effects(other.path(), 2, 7, 1);
  for (const auto& name : classes)
    for (const char* number : {"_0000.wav", "_0001.wav"})
      EXPECT_EQ(file_bytes(dir.path() / "Samples" / name / (name + number)),
                file_bytes(other.path() / "Samples" / name / (name + number)))
          << name << number;
  // Different clips within a class.
  EXPECT_NE(file_bytes(dir.path() / "Samples" / "NoFX" / "NoFX_0000.wav"),
            file_bytes(dir.path() / "Samples" / "NoFX" / "NoFX_0001.wav"));
}

}  // namespace
}  // namespace helmholtz::data
