#include "helmholtz/train/augment.hpp"

#include <algorithm>

namespace helmholtz::train {

AugmentDraws draw_augmentation(std::int64_t n, std::int64_t h, std::int64_t w, double shift,
                               bool flip, const torch::TensorOptions& options) {
  // With align_corners=true a pixel offset d maps to 2*d/(size-1) in normalised coordinates.
  AugmentDraws d;
  d.dx = (torch::rand({n}, options) * 2 - 1) * (shift * w * 2.0 / std::max<int64_t>(w - 1, 1));
  d.dy = (torch::rand({n}, options) * 2 - 1) * (shift * h * 2.0 / std::max<int64_t>(h - 1, 1));
  auto ones = torch::ones({n}, options);
  d.mirror = flip ? torch::where(torch::rand({n}, options) < 0.5, -ones, ones) : ones;
  return d;
}

torch::Tensor apply_augmentation(const torch::Tensor& images, const AugmentDraws& draws,
                                 FlipAxis axis) {
  TORCH_CHECK(images.dim() == 4, "apply_augmentation expects [N, C, H, W]");
  const auto n = images.size(0);
  const auto h = images.size(2);
  const auto w = images.size(3);
  const auto options = images.options();
  const auto dx = draws.dx.to(options);
  const auto dy = draws.dy.to(options);
  const auto mirror = draws.mirror.to(options);
  // Output pixel (x, y) reads input (sx*x + dx, sy*y + dy): sx = -1 flips left-right, sy = -1
  // top-bottom.
  auto ones = torch::ones({n}, options);
  const bool vertical = axis == FlipAxis::kVertical;
  auto sx = vertical ? ones : mirror;
  auto sy = vertical ? mirror : ones;
  auto zeros = torch::zeros({n}, options);
  auto theta =
      torch::stack({torch::stack({sx, zeros, dx}, 1), torch::stack({zeros, sy, dy}, 1)}, 1);
  namespace F = torch::nn::functional;
  auto grid = F::affine_grid(theta, {n, images.size(1), h, w}, true);
  return F::grid_sample(images, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kBorder)
                            .align_corners(true));
}

torch::Tensor augment(const torch::Tensor& images, double shift, bool flip, FlipAxis axis) {
  TORCH_CHECK(images.dim() == 4, "augment expects [N, C, H, W]");
  if (shift <= 0 && !flip) return images;
  const auto draws = draw_augmentation(images.size(0), images.size(2), images.size(3), shift, flip,
                                       images.options());
  return apply_augmentation(images, draws, axis);
}

}  // namespace helmholtz::train
