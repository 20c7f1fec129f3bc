#include "helmholtz/data/image_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"

namespace helmholtz::data {
namespace {

TEST(ImageSet, KeepFirstKeepsTheFirstImagesAndRefusesMoreThanThereAre) {
  ImageSet set = make_pattern_images(10, 8, 8, 3, 4, 1);
  const ImageSet original = set;
  try {
    set.keep_first(20, "--train-size 20: the set");
    ADD_FAILURE() << "20 of 10 images were not refused";
  } catch (const core::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--train-size 20: the set has only 10 images; give at most 10");
  }
  EXPECT_EQ(set.count, 10) << "a refusal changes nothing";
  set.keep_first(10, "all");
  EXPECT_EQ(set.count, 10);
  set.keep_first(4, "four");
  EXPECT_EQ(set.count, 4);
  EXPECT_EQ(set.pixels.size(), 4u * 8 * 8 * 3);
  EXPECT_EQ(set.labels.size(), 4u);
  EXPECT_TRUE(std::equal(set.pixels.begin(), set.pixels.end(), original.pixels.begin()));
  set.keep_first(0, "none");
  EXPECT_EQ(set.count, 0);
  EXPECT_TRUE(set.pixels.empty());
  EXPECT_THROW(set.keep_first(-1, "negative"), core::UsageError);
}

// A set of 2x2 grayscale images whose every pixel is the image's index, with these labels: a
// held-out image says by its pixels where it came from.
ImageSet indexed_images(const std::vector<std::uint8_t>& labels) {
  ImageSet set;
  set.height = 2;
  set.width = 2;
  set.channels = 1;
  set.count = static_cast<std::int64_t>(labels.size());
  set.labels = labels;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    set.pixels.insert(set.pixels.end(), set.image_bytes(), static_cast<std::uint8_t>(i));
  }
  return set;
}

// The original index of each image of a set made by indexed_images, checking that its four
// pixels agree and that its label is the label that index had.
std::vector<int> origins(const ImageSet& set, const std::vector<std::uint8_t>& labels) {
  std::vector<int> out;
  EXPECT_EQ(set.pixels.size(), static_cast<std::size_t>(set.count) * set.image_bytes());
  EXPECT_EQ(set.labels.size(), static_cast<std::size_t>(set.count));
  for (std::int64_t i = 0; i < set.count; ++i) {
    const std::uint8_t* px = set.image(i);
    EXPECT_TRUE(std::all_of(px, px + set.image_bytes(), [&](std::uint8_t v) { return v == *px; }))
        << "image " << i << " is torn";
    out.push_back(*px);
    EXPECT_EQ(set.labels[static_cast<std::size_t>(i)], labels.at(*px))
        << "image " << i << " lost its label";
  }
  return out;
}

std::array<int, 4> class_counts(const ImageSet& set) {
  std::array<int, 4> counts{};
  for (const auto label : set.labels) ++counts.at(label);
  return counts;
}

// 20 images: class 0 x10, class 1 x6, class 2 x3, class 3 x1, interleaved.
const std::vector<std::uint8_t> kTwentyLabels = {0, 1, 0, 2, 0, 1, 0, 0, 1, 3,
                                                 0, 2, 1, 0, 0, 1, 2, 0, 1, 0};

TEST(ImageSetHoldOut, EachClassGivesItsLargestRemainderShare) {
  // 5 of 20: exact shares 2.5, 1.5, 0.75, 0.25; floors 2, 1, 0, 0 leave two to give: the
  // largest remainder (class 2's 0.75), then the tie of 0.5 between classes 0 and 1 goes to
  // the lower label.
  ImageSet set = indexed_images(kTwentyLabels);
  const ImageSet held = set.hold_out(5, 7, "--holdout-size 5: the set");
  EXPECT_EQ(held.count, 5);
  EXPECT_EQ(set.count, 15);
  EXPECT_EQ(class_counts(held), (std::array<int, 4>{3, 1, 1, 0}));
  EXPECT_EQ(class_counts(set), (std::array<int, 4>{7, 5, 2, 1}));
  EXPECT_EQ(held.height, 2);
  EXPECT_EQ(held.width, 2);
  EXPECT_EQ(held.channels, 1);
  // 10 of 20: exact halves 5, 3, 1.5, 0.5; one left over, the tie to class 2.
  ImageSet half = indexed_images(kTwentyLabels);
  EXPECT_EQ(class_counts(half.hold_out(10, 7, "half")), (std::array<int, 4>{5, 3, 2, 0}));
  // 19 of 20: every class but one image.
  ImageSet most = indexed_images(kTwentyLabels);
  const ImageSet nearly_all = most.hold_out(19, 7, "most");
  EXPECT_EQ(class_counts(nearly_all), (std::array<int, 4>{9, 6, 3, 1}));
  EXPECT_EQ(class_counts(most), (std::array<int, 4>{1, 0, 0, 0}));
}

TEST(ImageSetHoldOut, BothPartsKeepTheOriginalOrderShareNoImageAndKeepTheirPixels) {
  ImageSet set = indexed_images(kTwentyLabels);
  const ImageSet held = set.hold_out(6, 3, "six");
  const auto held_from = origins(held, kTwentyLabels);
  const auto kept_from = origins(set, kTwentyLabels);
  EXPECT_TRUE(std::is_sorted(held_from.begin(), held_from.end()));
  EXPECT_TRUE(std::adjacent_find(held_from.begin(), held_from.end()) == held_from.end());
  EXPECT_TRUE(std::is_sorted(kept_from.begin(), kept_from.end()));
  std::set<int> all(held_from.begin(), held_from.end());
  for (const int i : kept_from) EXPECT_TRUE(all.insert(i).second) << "image " << i << " in both";
  EXPECT_EQ(all.size(), 20u) << "an image was lost";
}

TEST(ImageSetHoldOut, TheSameSeedHoldsOutTheSameImagesAndAnotherSeedOthers) {
  std::vector<std::uint8_t> labels;
  for (int i = 0; i < 200; ++i) labels.push_back(static_cast<std::uint8_t>((i * 7 + i / 9) % 4));
  const auto held_by = [&](std::uint64_t seed) {
    ImageSet set = indexed_images(labels);
    return origins(set.hold_out(40, seed, "forty"), labels);
  };
  EXPECT_EQ(held_by(11), held_by(11));
  EXPECT_NE(held_by(11), held_by(12));
  // Another seed changes which images, never how many of each class.
  ImageSet a = indexed_images(labels), b = indexed_images(labels);
  EXPECT_EQ(class_counts(a.hold_out(40, 11, "a")), class_counts(b.hold_out(40, 12, "b")));
}

TEST(ImageSetHoldOut, NoneOrAllIsRefusedNamingTheOptionAndChangesNothing) {
  for (const std::int64_t n :
       {std::int64_t{0}, std::int64_t{-3}, std::int64_t{20}, std::int64_t{21}}) {
    ImageSet set = indexed_images(kTwentyLabels);
    const std::string asked_by =
        "--holdout-size " + std::to_string(n) + ": cifar10's training split";
    try {
      set.hold_out(n, 0, asked_by);
      ADD_FAILURE() << n << " of 20 images were not refused";
    } catch (const core::UsageError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(asked_by, 0), 0u) << message;
      EXPECT_NE(message.find("give 1 to 19"), std::string::npos) << message;
    }
    EXPECT_EQ(set.count, 20) << "a refusal changes nothing";
    EXPECT_EQ(set.pixels.size(), 20u * 4);
    EXPECT_EQ(set.labels, kTwentyLabels);
  }
}

TEST(ImageDatasets, NamesAndDefaultFolders) {
  EXPECT_EQ(image_dataset_names(), (std::vector<std::string>{"cifar10", "fashion-mnist"}));
  EXPECT_EQ(default_data_dir("cifar10"), std::filesystem::path("data/cifar-10-batches-bin"));
  EXPECT_EQ(default_data_dir("fashion-mnist"),
            std::filesystem::path("/usr/share/datasets/fashion-mnist"));
  EXPECT_THROW(default_data_dir("mnist"), core::UsageError);
}

TEST(ImageDatasets, UnknownNameListsTheValidOnes) {
  try {
    load_image_dataset("imagenet", "");
    ADD_FAILURE() << "no UsageError thrown";
  } catch (const core::UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'imagenet'"), std::string::npos) << message;
    EXPECT_NE(message.find("cifar10, fashion-mnist"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace helmholtz::data
