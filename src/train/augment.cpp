#include "helmholtz/train/augment.hpp"

namespace helmholtz::train {

torch::Tensor augment(const torch::Tensor& images, double shift, bool flip, FlipAxis axis) {
  TORCH_CHECK(images.dim() == 4, "augment expects [N, C, H, W]");
  if (shift <= 0 && !flip) return images;
  const auto n = images.size(0);
  const auto h = images.size(2);
  const auto w = images.size(3);
  const auto options = images.options();
  // With align_corners=true a pixel offset d maps to 2*d/(size-1) in normalised coordinates.
  // Output pixel (x, y) reads input (sx*x + dx, sy*y + dy): sx = -1 flips left-right, sy = -1
  // top-bottom.
  auto dx = (torch::rand({n}, options) * 2 - 1) * (shift * w * 2.0 / std::max<int64_t>(w - 1, 1));
  auto dy = (torch::rand({n}, options) * 2 - 1) * (shift * h * 2.0 / std::max<int64_t>(h - 1, 1));
  auto ones = torch::ones({n}, options);
  auto mirror = flip ? torch::where(torch::rand({n}, options) < 0.5, -ones, ones) : ones;
  const bool vertical = axis == FlipAxis::kVertical;
  auto sx = vertical ? ones : mirror;
  auto sy = vertical ? mirror : ones;
  auto zeros = torch::zeros({n}, options);
  auto theta =
      torch::stack({torch::stack({sx, zeros, dx}, 1), torch::stack({zeros, sy, dy}, 1)}, 1);
  auto grid = torch::nn::functional::affine_grid(theta, {n, images.size(1), h, w}, true);
  namespace F = torch::nn::functional;
  return F::grid_sample(images, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kBorder)
                            .align_corners(true));
}

}  // namespace helmholtz::train
