#include "helmholtz/train/torch_sgd.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>
#include <utility>

#include "helmholtz/core/error.hpp"

namespace helmholtz::train {
namespace {

std::string format_double(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string format_sizes(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

}  // namespace

TorchSgd::TorchSgd(std::vector<torch::Tensor> parameters, double lr, double momentum, bool nesterov,
                   double weight_decay, ScheduleOptions schedule)
    : Optimizer(std::move(parameters)),
      base_lr_(lr),
      current_lr_(lr),
      momentum_(momentum),
      nesterov_(nesterov),
      weight_decay_(weight_decay),
      schedule_(schedule) {
  // torch.optim.SGD's own checks.
  if (!(lr >= 0.0)) throw core::UsageError("--lr " + format_double(lr) + ": use 0 or more");
  if (!(momentum >= 0.0)) {
    throw core::UsageError("--momentum " + format_double(momentum) + ": use 0 or more");
  }
  if (!(weight_decay >= 0.0)) {
    throw core::UsageError("--weight-decay " + format_double(weight_decay) + ": use 0 or more");
  }
  if (nesterov && momentum == 0.0) {
    throw core::UsageError("--nesterov needs a momentum above 0");
  }
  scheduled_lr(lr, schedule_, 1);  // refuses a schedule it cannot compute
  // Zero buffers make the first step's "buf = g" the general rule's momentum * 0 + g, exactly,
  // so update() needs no first-step branch on the host (and a parameter whose first gradient
  // comes late starts its buffer from that gradient, as PyTorch's does).
  buffers_.reserve(parameters_.size());
  for (const auto& p : parameters_) buffers_.push_back(torch::zeros_like(p));
  const auto on_device =
      torch::TensorOptions()
          .dtype(torch::kFloat64)
          .device(parameters_.empty() ? torch::Device(torch::kCPU) : parameters_.front().device());
  lr_ = torch::full({}, lr, on_device);
}

void TorchSgd::start_epoch(int epoch) {
  current_lr_ = scheduled_lr(base_lr_, schedule_, epoch);
  lr_.fill_(current_lr_);
}

double TorchSgd::current_lr() const { return current_lr_; }

void TorchSgd::update() {
  torch::NoGradGuard no_grad;
  if (parameters_.empty()) return;
  // The lr rounded once to the weights' type, as PyTorch's alpha = -lr is.
  const auto lr = lr_.to(parameters_.front().scalar_type());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto& p = parameters_[i];
    if (!p.grad().defined()) continue;  // PyTorch skips these, buffer included
    auto g = weight_decay_ != 0.0 ? p.grad().add(p, weight_decay_) : p.grad();
    if (momentum_ != 0.0) {
      auto& buf = buffers_[i];
      buf.mul_(momentum_).add_(g);
      g = nesterov_ ? g.add(buf, momentum_) : buf;
    }
    const auto& step_lr = p.scalar_type() == lr.scalar_type() ? lr : lr_.to(p.scalar_type());
    p.addcmul_(g, step_lr, -1);  // p -= lr * g
  }
}

void TorchSgd::save(torch::serialize::OutputArchive& archive) const {
  archive.write("iterations", torch::tensor(iterations_, torch::kInt64));
  for (std::size_t i = 0; i < buffers_.size(); ++i) {
    archive.write("momentum_buffer_" + std::to_string(i), buffers_[i], /*is_buffer=*/true);
  }
}

void TorchSgd::load(torch::serialize::InputArchive& archive) {
  // Everything is read and checked before anything changes, so a refused archive leaves this
  // optimizer as it was.
  const auto mismatch = [](const std::string& what) {
    return core::RunError("optimizer state does not match the model or optimizer (" + what +
                          "): resume with the settings that wrote it, or train afresh");
  };
  torch::Tensor iterations;
  if (!archive.try_read("iterations", iterations)) throw mismatch("no update count");
  std::vector<torch::Tensor> buffers(buffers_.size());
  for (std::size_t i = 0; i < buffers_.size(); ++i) {
    const auto key = "momentum_buffer_" + std::to_string(i);
    if (!archive.try_read(key, buffers[i], /*is_buffer=*/true)) {
      throw mismatch("no momentum buffer " + std::to_string(i) + " for " +
                     std::to_string(buffers_.size()) + " parameters");
    }
    if (!buffers[i].sizes().equals(buffers_[i].sizes())) {
      throw mismatch("momentum buffer " + std::to_string(i) + " is " + format_sizes(buffers[i]) +
                     ", the parameter " + format_sizes(buffers_[i]));
    }
  }
  torch::Tensor extra;
  if (archive.try_read("momentum_buffer_" + std::to_string(buffers_.size()), extra,
                       /*is_buffer=*/true)) {
    throw mismatch("more momentum buffers than the " + std::to_string(buffers_.size()) +
                   " parameters");
  }
  iterations_ = iterations.item<std::int64_t>();
  for (std::size_t i = 0; i < buffers_.size(); ++i) buffers_[i].copy_(buffers[i]);
}

}  // namespace helmholtz::train
