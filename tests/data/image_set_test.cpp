#include "helmholtz/data/image_set.hpp"

#include <gtest/gtest.h>

#include <string>

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
