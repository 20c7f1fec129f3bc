// The reference's cut of the training data to a multiple of the batch size.

#include "helmholtz/train/run_data.hpp"

#include <gtest/gtest.h>

#include <numeric>

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

}  // namespace
}  // namespace helmholtz::train
