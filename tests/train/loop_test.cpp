// Moving image sets into tensors.

#include "helmholtz/train/loop.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace helmholtz::train {
namespace {

// The tensors must own their pixels: a run keeps them after the decoded set is gone. (With one
// channel the NCHW view of HWC bytes needs no copy, which once left them borrowed.)
TEST(ToTensors, OwnsItsPixelsForGrayAndColour) {
  for (int channels : {1, 3}) {
    auto set = std::make_unique<data::ImageSet>();
    set->count = 4;
    set->height = 2;
    set->width = 3;
    set->channels = channels;
    set->pixels.resize(set->count * set->image_bytes());
    for (std::size_t i = 0; i < set->pixels.size(); ++i) set->pixels[i] = static_cast<uint8_t>(i);
    set->labels = {0, 1, 2, 3};
    const auto t = to_tensors(*set, torch::kCPU);
    // pixel (n=1, y=1, x=2, c=last) in HWC order
    const std::size_t hwc = ((1 * 2 + 1) * 3 + 2) * channels + (channels - 1);
    const auto expected = set->pixels[hwc];
    EXPECT_EQ(t.images.index({1, channels - 1, 1, 2}).item<int>(), expected) << channels;
    std::fill(set->pixels.begin(), set->pixels.end(), 0);
    set.reset();
    EXPECT_EQ(t.images.index({1, channels - 1, 1, 2}).item<int>(), expected) << channels;
    EXPECT_EQ(t.images.sizes().vec(), (std::vector<int64_t>{4, channels, 2, 3}));
    EXPECT_EQ(t.labels.index({3}).item<int64_t>(), 3);
  }
}

}  // namespace
}  // namespace helmholtz::train
