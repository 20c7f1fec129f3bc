// The data of a run: the corrected cut of the training data to a multiple of the batch size,
// the reference protocol's audio data (float16 features, its cut and Keras' split), and which
// samples validate and which test under each protocol.

#include "helmholtz/train/run_data.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "helmholtz/core/logging.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "helmholtz/data/synthetic.hpp"
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

// An image run's spec from options as a command line gives them.
run::RunSpec image_spec(const std::vector<std::pair<std::string, std::string>>& options) {
  run::RunSpec s;
  run::Given given;
  for (const auto& [key, value] : options) {
    run::find_field(key)->set(s, value);
    given.insert(key);
  }
  s.runtime.threads = 1;
  s.runtime.progress = false;
  run::finalize(s, given);
  return s;
}

// 200 training and 50 test images: the corrected protocol validates on a tenth of the training
// split held out (or --holdout-size of them) and tests on the test split; the reference
// protocol validates and tests on the test split, one tensor.
TEST(RunData, ImagesValidateOnHeldOutTrainingImagesUnlessTheReferenceProtocol) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 200, 50, 3);
  const std::vector<std::pair<std::string, std::string>> base = {{"dataset", "cifar10"},
                                                                 {"data-dir", dir.path().string()},
                                                                 {"cache-dir", ""},
                                                                 {"quality", "raw"},
                                                                 {"batch-size", "32"}};
  auto log = core::console_logger();
  const auto with = [&](std::vector<std::pair<std::string, std::string>> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return prepare_run_data(image_spec(more), torch::kCPU, *log);
  };

  const RunData corrected = with({});
  EXPECT_EQ(corrected.validation_data, run::ValidationData::kHoldout);
  EXPECT_EQ(corrected.train.size(), 180);
  EXPECT_EQ(corrected.validation.size(), 20);
  EXPECT_EQ(corrected.test.size(), 50);
  EXPECT_EQ(corrected.compression["validation"]["images"].get<int>(), 20);
  // Held out stratified: each class of the training split gives its share.
  const auto train_labels = torch::cat({corrected.train.labels, corrected.validation.labels});
  for (std::int64_t c = 0; c < 10; ++c) {
    const double share = train_labels.eq(c).sum().item<double>() / 10.0;
    const auto held = corrected.validation.labels.eq(c).sum().item<std::int64_t>();
    EXPECT_LE(std::abs(static_cast<double>(held) - share), 1.0) << "class " << c;
  }
  // None of the held-out images is trained on: no validation image equals a training image.
  const auto flat = [](const torch::Tensor& t) { return t.reshape({t.size(0), -1}); };
  const auto same = flat(corrected.validation.images)
                        .unsqueeze(1)
                        .eq(flat(corrected.train.images).unsqueeze(0))
                        .all(2);
  EXPECT_EQ(same.sum().item<std::int64_t>(), 0);
  // Raw spends the recorded pixels' bits.
  EXPECT_DOUBLE_EQ(corrected.signal_bits_per_sample, 32.0 * 32 * 3 * 8);
  EXPECT_DOUBLE_EQ(corrected.bits_per_sample, 32.0 * 32 * 3 * 8);
  EXPECT_DOUBLE_EQ(corrected.payload_bits_per_sample, 32.0 * 32 * 3 * 8);

  // --holdout-size, then --train-size takes the first of the images left.
  const RunData sized = with({{"holdout-size", "50"}, {"train-size", "100"}});
  EXPECT_EQ(sized.validation.size(), 50);
  EXPECT_EQ(sized.train.size(), 100);
  EXPECT_EQ(sized.test.size(), 50);
  // --val-size cuts the test split, not the held-out images.
  const RunData cut = with({{"val-size", "30"}});
  EXPECT_EQ(cut.validation.size(), 20);
  EXPECT_EQ(cut.test.size(), 30);
  // Another --split-seed holds out other images, as many of each class.
  const RunData reseeded = with({{"split-seed", "1"}});
  EXPECT_FALSE(torch::equal(reseeded.validation.images, corrected.validation.images));
  EXPECT_TRUE(torch::equal(std::get<0>(torch::sort(reseeded.validation.labels)),
                           std::get<0>(torch::sort(corrected.validation.labels))));

  const RunData reference = with({{"protocol", "reference"}});
  EXPECT_EQ(reference.validation_data, run::ValidationData::kTest);
  EXPECT_EQ(reference.train.size(), 200);
  EXPECT_EQ(reference.validation.size(), 50);
  EXPECT_TRUE(reference.validation.images.is_same(reference.test.images));
  EXPECT_TRUE(reference.validation.labels.is_same(reference.test.labels));
}

// Fashion-MNIST's 28x28 images are padded to the networks' 32x32; the raw level spends the
// 28x28 bytes the dataset records.
TEST(RunData, RawFashionMnistSpendsItsRecordedPixelsNotThePadding) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (scripts/setup.sh does)";
  }
  auto log = core::console_logger();
  const RunData d = prepare_run_data(image_spec({{"dataset", "fashion-mnist"},
                                                 {"quality", "raw"},
                                                 {"cache-dir", ""},
                                                 {"train-size", "100"},
                                                 {"batch-size", "32"},
                                                 {"val-size", "40"}}),
                                     torch::kCPU, *log);
  EXPECT_EQ(d.input.height, 32);
  EXPECT_EQ(d.input.width, 32);
  EXPECT_DOUBLE_EQ(d.signal_bits_per_sample, 28.0 * 28 * 8);  // 6272
  EXPECT_DOUBLE_EQ(d.bits_per_sample, 6272.0);
  EXPECT_DOUBLE_EQ(d.payload_bits_per_sample, 6272.0);
  EXPECT_EQ(d.validation.size(), 6000);  // a tenth of the 60,000 training images
  EXPECT_EQ(d.train.size(), 100);
  EXPECT_EQ(d.test.size(), 40);
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
  EXPECT_EQ(corrected.validation_data, run::ValidationData::kValidation);
  EXPECT_EQ(corrected.test.size(), 24);  // the 20% test part, 2 a class
  EXPECT_FALSE(corrected.test.images.is_same(corrected.validation.images));
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
