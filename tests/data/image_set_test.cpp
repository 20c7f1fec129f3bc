#include "helmholtz/data/image_set.hpp"

#include <gtest/gtest.h>

#include <string>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"

namespace helmholtz::data {
namespace {

TEST(ImageSet, TruncateKeepsTheFirstImages) {
  ImageSet set = make_pattern_images(10, 8, 8, 3, 4, 1);
  const ImageSet original = set;
  set.truncate(20);
  EXPECT_EQ(set.count, 10);
  set.truncate(4);
  EXPECT_EQ(set.count, 4);
  EXPECT_EQ(set.pixels.size(), 4u * 8 * 8 * 3);
  EXPECT_EQ(set.labels.size(), 4u);
  EXPECT_TRUE(std::equal(set.pixels.begin(), set.pixels.end(), original.pixels.begin()));
  set.truncate(0);
  EXPECT_EQ(set.count, 0);
  EXPECT_TRUE(set.pixels.empty());
  EXPECT_THROW(set.truncate(-1), core::UsageError);
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
