// The data of a run: the corrected cut of the training data to a multiple of the batch size,
// and the reference protocol's audio data (float16 features, its cut and Keras' split).

#include "helmholtz/train/run_data.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "helmholtz/core/logging.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {

TEST(CutToMultiple, KeepsAMultipleSpreadOverTheList) {
  // 12 classes x 12 clips, grouped by class as the split lists them.
  std::vector<std::size_t> positions(144);
  std::iota(positions.begin(), positions.end(), 1000);
  const auto kept = cut_to_multiple(positions, 50);
  ASSERT_EQ(kept.size(), 100u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  std::vector<int> per_class(12, 0);
  for (auto p : kept) ++per_class[(p - 1000) / 12];
  for (int c = 0; c < 12; ++c) {
    EXPECT_GE(per_class[c], 8) << c;  // 44 dropped over 12 classes: 3 or 4 each
    EXPECT_LE(per_class[c], 9) << c;
  }
}

TEST(CutToMultiple, ExactMultiplesAndShortListsStayWhole) {
  std::vector<std::size_t> hundred(100), thirty(30);
  std::iota(hundred.begin(), hundred.end(), 0);
  std::iota(thirty.begin(), thirty.end(), 0);
  EXPECT_EQ(cut_to_multiple(hundred, 50), hundred);
  EXPECT_EQ(cut_to_multiple(thirty, 50), thirty);
  EXPECT_EQ(cut_to_multiple(thirty, 7).size(), 28u);
}

// 12 classes x 10 clips, unencoded: the 80% part is 8 clips a class, 96 in all.
TEST(RunData, ReferenceAudioIsFloat16RoundedCutFromTheEndAndSplitAsKeras) {
  testing::TempDir dir;
  data::write_audio_effects(dir.path() / "set", 10, 3, 1);
  const auto spec = [&](const char* protocol) {
    run::RunSpec s;
    run::Given given = {"dataset", "bitrate", "data-dir", "cache-dir", "protocol"};
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"dataset", "audio-effects"}, {"bitrate", "raw"},
             {"data-dir", (dir.path() / "set").string()}, {"cache-dir", ""},
             {"protocol", protocol}}) {
      run::find_field(key)->set(s, value);
    }
    s.runtime.threads = 1;
    s.runtime.progress = false;
    run::finalize(s, given);
    return s;
  };
  auto log = core::console_logger();
  const RunData corrected = prepare_run_data(spec("corrected"), torch::kCPU, *log);
  const RunData reference = prepare_run_data(spec("reference"), torch::kCPU, *log);

  // Corrected: 72 training clips cut evenly to 50, validation 2 a class.
  EXPECT_EQ(corrected.train.size(), 50);
  EXPECT_EQ(corrected.validation.size(), 24);
  // Reference: the 96 cut to 50 from the end of the listing (classes 0-5 and two clips of
  // class 6), then Keras' validation_split: int(50 * 0.75) = 37 train, 13 validate.
  EXPECT_EQ(reference.train.size(), 37);
  EXPECT_EQ(reference.validation.size(), 13);
  const auto labels = torch::cat({reference.train.labels, reference.validation.labels});
  EXPECT_EQ(labels.max().item<std::int64_t>(), 6);
  EXPECT_EQ(labels.eq(6).sum().item<std::int64_t>(), 2);
  EXPECT_GT(corrected.train.labels.max().item<std::int64_t>(), 6);

  // The reference's features went through float16; the corrected ones keep float32.
  for (const auto* t : {&reference.train, &reference.validation}) {
    EXPECT_TRUE(torch::equal(t->images, t->images.to(torch::kHalf).to(torch::kFloat32)));
  }
  EXPECT_FALSE(torch::equal(corrected.train.images,
                            corrected.train.images.to(torch::kHalf).to(torch::kFloat32)));
}

}  // namespace
}  // namespace helmholtz::train
