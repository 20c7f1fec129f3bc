#pragma once
// The reference's augmentation (Keras ImageDataGenerator with width/height_shift_range and
// horizontal_flip, fill_mode 'nearest'), as batched tensor ops on the batch's device:
// each image is shifted by a real number of pixels drawn uniformly from
// [-shift*W, shift*W] x [-shift*H, shift*H], sampled bilinearly with edge pixels repeated,
// and flipped left-right with probability 0.5. One affine grid + grid_sample per batch.

#include <torch/torch.h>

#include <cstdint>

namespace helmholtz::train {

// Which way the random flip mirrors: left-right (the recipe), or top-bottom (what the
// reference's horizontal_flip did to its transposed images, seen upright).
enum class FlipAxis { kHorizontal, kVertical };

// One batch's random draws, each float [N] on the batch's device: the shift in normalised
// coordinates (align_corners) along x and y, and the mirror factor (-1 flipped, 1 not).
struct AugmentDraws {
  torch::Tensor dx, dy, mirror;
};

// Draws for `n` images of h x w with torch's RNG on `options`' device (dx, dy, then the flip).
AugmentDraws draw_augmentation(std::int64_t n, std::int64_t h, std::int64_t w, double shift,
                               bool flip, const torch::TensorOptions& options);

// Shifts and mirrors `images` (float [N, C, H, W]) as `draws` say; the draws may live on
// another device than the images (they are moved there).
torch::Tensor apply_augmentation(const torch::Tensor& images, const AugmentDraws& draws,
                                 FlipAxis axis = FlipAxis::kHorizontal);

// images: float [N, C, H, W]. Returns a new tensor of the same shape. Uses torch's RNG on the
// images' device (so torch::manual_seed makes it repeatable): draw_augmentation, then
// apply_augmentation.
torch::Tensor augment(const torch::Tensor& images, double shift, bool flip,
                      FlipAxis axis = FlipAxis::kHorizontal);

}  // namespace helmholtz::train
