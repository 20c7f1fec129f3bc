#pragma once
// Adadelta exactly as Keras 2.1 implements it (the audio reference's optimizer):
//   a  = rho * a + (1 - rho) * g^2
//   u  = g * sqrt(d + eps) / sqrt(a + eps)
//   p -= lr * u
//   d  = rho * d + (1 - rho) * u^2
// Keras' defaults are lr 1.0, rho 0.95, eps 1e-7; LibTorch's differ (eps 1e-6, and it has
// no such optimizer state layout), hence this class.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train {

class KerasAdadelta : public Optimizer {
 public:
  static constexpr double kDefaultLr = 1.0;
  static constexpr double kDefaultRho = 0.95;
  static constexpr double kDefaultEpsilon = 1e-7;

  explicit KerasAdadelta(std::vector<torch::Tensor> parameters, double lr = kDefaultLr,
                         double rho = kDefaultRho, double epsilon = kDefaultEpsilon);

  // Keras 2.1's Adadelta has no decay by default: the learning rate is constant.
  double current_lr() const override { return lr_; }
  void update() override;

  void save(torch::serialize::OutputArchive& archive) const override;
  // Throws core::RunError when the archive does not fit these parameters.
  void load(torch::serialize::InputArchive& archive) override;

 private:
  std::vector<torch::Tensor> accumulators_;        // a: running mean of g^2
  std::vector<torch::Tensor> delta_accumulators_;  // d: running mean of update^2
  double lr_;
  double rho_;
  double epsilon_;
};

}  // namespace helmholtz::train
