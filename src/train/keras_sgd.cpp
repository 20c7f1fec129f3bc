#include "helmholtz/train/keras_sgd.hpp"

#include "helmholtz/core/error.hpp"

namespace helmholtz::train {

KerasSgd::KerasSgd(std::vector<torch::Tensor> parameters, double lr, double momentum, bool nesterov,
                   double decay)
    : Optimizer(std::move(parameters)),
      lr_(lr),
      momentum_(momentum),
      nesterov_(nesterov),
      decay_(decay) {
  velocities_.reserve(parameters_.size());
  for (const auto& p : parameters_) velocities_.push_back(torch::zeros_like(p));
  const auto on_device = torch::TensorOptions().dtype(torch::kFloat64).device(
      parameters_.empty() ? torch::Device(torch::kCPU) : parameters_.front().device());
  lr0_ = torch::full({}, lr_, on_device);
  steps_ = torch::zeros({}, on_device);
}

double KerasSgd::current_lr() const {
  return lr_ / (1.0 + decay_ * static_cast<double>(iterations_));
}

void KerasSgd::update() {
  torch::NoGradGuard no_grad;
  // lr / (1 + decay * t) in the host's order of operations, rounded once to the weights' type.
  const auto lr = lr0_.div(steps_.mul(decay_).add_(1.0))
                      .to(parameters_.empty() ? torch::kFloat32 : parameters_.front().scalar_type());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto& p = parameters_[i];
    if (!p.grad().defined()) continue;
    const auto step = p.grad() * lr;  // lr_t * g
    auto& v = velocities_[i];
    v.mul_(momentum_).sub_(step);
    if (nesterov_) {
      p.add_(v, momentum_).sub_(step);
    } else {
      p.add_(v);
    }
  }
  steps_.add_(1.0);
}

void KerasSgd::save(torch::serialize::OutputArchive& archive) const {
  archive.write("iterations", torch::tensor(iterations_, torch::kInt64));
  for (std::size_t i = 0; i < velocities_.size(); ++i) {
    archive.write("velocity_" + std::to_string(i), velocities_[i], /*is_buffer=*/true);
  }
}

void KerasSgd::load(torch::serialize::InputArchive& archive) {
  torch::Tensor iterations;
  archive.read("iterations", iterations);
  iterations_ = iterations.item<std::int64_t>();
  steps_.fill_(static_cast<double>(iterations_));
  for (std::size_t i = 0; i < velocities_.size(); ++i) {
    torch::Tensor v;
    archive.read("velocity_" + std::to_string(i), v, /*is_buffer=*/true);
    if (!v.sizes().equals(velocities_[i].sizes())) {
      throw core::RunError("optimizer state does not match the model (velocity " +
                           std::to_string(i) + ")");
    }
    velocities_[i].copy_(v);
  }
}

}  // namespace helmholtz::train
