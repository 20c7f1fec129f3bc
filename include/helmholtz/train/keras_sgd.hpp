#pragma once
// SGD exactly as Keras 2.1 implements it, time-based decay included:
//   lr_t = lr / (1 + decay * t)              (t = updates so far)
//   v    = momentum * v - lr_t * g
//   p   += momentum * v - lr_t * g           (Nesterov)   or   p += v   (plain momentum)
// LibTorch's SGD keeps lr outside the velocity, which differs from this once lr changes.
// lr_t is computed on the device (in float64, as the host would), so a CUDA graph can replay it.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train {

class KerasSgd : public Optimizer {
 public:
  KerasSgd(std::vector<torch::Tensor> parameters, double lr, double momentum, bool nesterov,
           double decay);

  // The learning rate the next step will use.
  double current_lr() const override;
  void update() override;

  void save(torch::serialize::OutputArchive& archive) const override;
  // Throws core::RunError when the archive does not fit these parameters.
  void load(torch::serialize::InputArchive& archive) override;

 private:
  std::vector<torch::Tensor> velocities_;
  torch::Tensor lr0_;    // lr as a float64 scalar on the parameters' device
  torch::Tensor steps_;  // updates so far (t), float64 scalar on the parameters' device
  double lr_;
  double momentum_;
  bool nesterov_;
  double decay_;
};

}  // namespace helmholtz::train
