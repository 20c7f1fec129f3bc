#include "helmholtz/train/augment.hpp"

#include <gtest/gtest.h>

namespace helmholtz::train {
namespace {

TEST(Augment, NoShiftNoFlipIsIdentity) {
  auto x = torch::rand({4, 3, 8, 8});
  EXPECT_TRUE(torch::equal(augment(x, 0.0, false), x));
}

TEST(Augment, FlipOnlyGivesOriginalOrMirror) {
  torch::manual_seed(3);
  auto x = torch::rand({64, 3, 8, 8});
  auto y = augment(x, 0.0, true);
  int flipped = 0;
  for (int i = 0; i < 64; ++i) {
    const bool same = torch::allclose(y[i], x[i], 1e-5, 1e-5);
    const bool mirror = torch::allclose(y[i], x[i].flip({2}), 1e-5, 1e-5);
    ASSERT_TRUE(same || mirror) << "image " << i;
    flipped += mirror && !same;
  }
  EXPECT_GT(flipped, 16);  // p = 0.5 of 64
  EXPECT_LT(flipped, 48);
}

// The reference protocol: the reference's "horizontal" flip mirrored its transposed arrays, so
// the upright image is flipped top-bottom, never left-right.
TEST(Augment, VerticalFlipMirrorsTopToBottom) {
  torch::manual_seed(3);
  auto x = torch::rand({64, 3, 8, 6});
  auto y = augment(x, 0.0, true, FlipAxis::kVertical);
  int flipped = 0;
  for (int i = 0; i < 64; ++i) {
    const bool same = torch::allclose(y[i], x[i], 1e-5, 1e-5);
    const bool upside_down = torch::allclose(y[i], x[i].flip({1}), 1e-5, 1e-5);
    ASSERT_TRUE(same || upside_down) << "image " << i;
    ASSERT_FALSE(torch::allclose(y[i], x[i].flip({2}), 1e-5, 1e-5)) << "image " << i;
    flipped += upside_down && !same;
  }
  EXPECT_GT(flipped, 16);
  EXPECT_LT(flipped, 48);
}

TEST(Augment, ShiftRepeatsEdgesAndStaysWithinTenPercent) {
  torch::manual_seed(5);
  // A ramp along x: value = column index. A shift by d pixels (bilinear, edges repeated) gives
  // clamp(x + d, 0, W-1), so every row stays monotone and the first column moves by <= 0.1*W.
  const int w = 20;
  auto ramp =
      torch::arange(w, torch::kFloat32).view({1, 1, 1, w}).expand({256, 1, 6, w}).contiguous();
  auto y = augment(ramp, 0.1, false);
  const auto d = (y.select(3, 10) - 10.0);  // shift read at an inner column
  EXPECT_LE(d.abs().max().item<float>(), 0.1f * w + 1e-4f);
  EXPECT_GT(d.abs().max().item<float>(), 0.5f * 0.1f * w);  // shifts really happen
  EXPECT_GE(y.min().item<float>(), 0.0f);
  EXPECT_LE(y.max().item<float>(), w - 1.0f);
  // Sub-pixel: not all shifts are whole pixels.
  EXPECT_GT((d - d.round()).abs().max().item<float>(), 0.05f);
  // Rows of one image all shift alike (vertical shift of a column-only ramp changes nothing).
  EXPECT_TRUE(torch::allclose(y.select(2, 0), y.select(2, 5), 1e-4, 1e-4));
}

TEST(Augment, ConstantImageStaysConstant) {
  auto x = torch::full({8, 3, 16, 16}, 0.25f);
  auto y = augment(x, 0.1, true);
  EXPECT_TRUE(torch::allclose(y, x, 1e-6, 1e-6));
}

}  // namespace
}  // namespace helmholtz::train
