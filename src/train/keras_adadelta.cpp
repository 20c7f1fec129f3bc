#include "helmholtz/train/keras_adadelta.hpp"

#include <string>
#include <utility>

#include "helmholtz/core/error.hpp"

namespace helmholtz::train {

KerasAdadelta::KerasAdadelta(std::vector<torch::Tensor> parameters, double lr, double rho,
                             double epsilon)
    : Optimizer(std::move(parameters)), lr_(lr), rho_(rho), epsilon_(epsilon) {
  accumulators_.reserve(parameters_.size());
  delta_accumulators_.reserve(parameters_.size());
  for (const auto& p : parameters_) {
    accumulators_.push_back(torch::zeros_like(p));
    delta_accumulators_.push_back(torch::zeros_like(p));
  }
}

void KerasAdadelta::update() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto& p = parameters_[i];
    if (!p.grad().defined()) continue;
    const auto& g = p.grad();
    auto& a = accumulators_[i];
    auto& d = delta_accumulators_[i];
    a.mul_(rho_).addcmul_(g, g, 1.0 - rho_);
    // The order matters: the update uses the OLD delta accumulator, as in Keras.
    const auto delta = g * (d + epsilon_).sqrt_() / (a + epsilon_).sqrt_();
    p.sub_(delta, lr_);
    d.mul_(rho_).addcmul_(delta, delta, 1.0 - rho_);
  }
}

void KerasAdadelta::save(torch::serialize::OutputArchive& archive) const {
  archive.write("iterations", torch::tensor(iterations_, torch::kInt64));
  for (std::size_t i = 0; i < accumulators_.size(); ++i) {
    archive.write("accumulator_" + std::to_string(i), accumulators_[i], /*is_buffer=*/true);
    archive.write("delta_accumulator_" + std::to_string(i), delta_accumulators_[i],
                  /*is_buffer=*/true);
  }
}

void KerasAdadelta::load(torch::serialize::InputArchive& archive) {
  // Read everything first, so that a mismatch leaves this optimizer untouched.
  torch::Tensor iterations;
  if (!archive.try_read("iterations", iterations)) {
    throw core::RunError("optimizer state has no 'iterations': not an Adadelta state");
  }
  std::vector<torch::Tensor> a(accumulators_.size());
  std::vector<torch::Tensor> d(delta_accumulators_.size());
  for (std::size_t i = 0; i < accumulators_.size(); ++i) {
    const std::string index = std::to_string(i);
    if (!archive.try_read("accumulator_" + index, a[i], /*is_buffer=*/true) ||
        !archive.try_read("delta_accumulator_" + index, d[i], /*is_buffer=*/true)) {
      throw core::RunError("optimizer state does not match the model (no Adadelta accumulator " +
                           index + "; was it saved by another optimizer?)");
    }
    if (!a[i].sizes().equals(accumulators_[i].sizes()) ||
        !d[i].sizes().equals(delta_accumulators_[i].sizes())) {
      throw core::RunError("optimizer state does not match the model (accumulator " + index + ")");
    }
  }
  iterations_ = iterations.item<std::int64_t>();
  for (std::size_t i = 0; i < accumulators_.size(); ++i) {
    accumulators_[i].copy_(a[i]);
    delta_accumulators_[i].copy_(d[i]);
  }
}

}  // namespace helmholtz::train
