#pragma once
// The reference's augmentation (Keras ImageDataGenerator with width/height_shift_range and
// horizontal_flip, fill_mode 'nearest'), as batched tensor ops on the batch's device:
// each image is shifted by a real number of pixels drawn uniformly from
// [-shift*W, shift*W] x [-shift*H, shift*H], sampled bilinearly with edge pixels repeated,
// and flipped left-right with probability 0.5. One affine grid + grid_sample per batch.

#include <torch/torch.h>

namespace helmholtz::train {

// Which way the random flip mirrors: left-right (the recipe), or top-bottom (what the
// reference's horizontal_flip did to its transposed images, seen upright).
enum class FlipAxis { kHorizontal, kVertical };

// images: float [N, C, H, W]. Returns a new tensor of the same shape. Uses torch's RNG on the
// images' device (so torch::manual_seed makes it repeatable).
torch::Tensor augment(const torch::Tensor& images, double shift, bool flip,
                      FlipAxis axis = FlipAxis::kHorizontal);

}  // namespace helmholtz::train
