#pragma once
// The optimizer interface the training loop and checkpoints use: the Keras-exact optimizers
// (KerasSgd for images, KerasAdadelta for audio) implement it.

#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace helmholtz::train {

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // The learning rate the next step will use.
  virtual double current_lr() const = 0;
  // Called before each epoch's first step (1-based), after a resume too: where the lr follows a
  // per-epoch schedule, it is set here. Nothing for the Keras optimizers (their decay is by step).
  virtual void start_epoch(int /*epoch*/) {}
  // One update: update() then count_step().
  void step() {
    update();
    count_step();
  }
  // The update itself: device work only, never waiting on the host, so that a CUDA graph can
  // capture it (the step count it needs lives on the device too).
  virtual void update() = 0;
  // Counts one update on the host (after a replayed graph ran update()).
  void count_step() { ++iterations_; }
  // Drops the gradients of all parameters (the next backward pass allocates fresh ones).
  void zero_grad() {
    for (auto& p : parameters_) {
      if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
    }
  }
  // Sets the gradients to zero where they are, as a captured step needs.
  void zero_grad_in_place() {
    torch::NoGradGuard no_grad;
    for (auto& p : parameters_) {
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
  }
  // Updates done so far.
  std::int64_t iterations() const { return iterations_; }

  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  // Throws core::RunError when the archive does not fit these parameters.
  virtual void load(torch::serialize::InputArchive& archive) = 0;

 protected:
  explicit Optimizer(std::vector<torch::Tensor> parameters) : parameters_(std::move(parameters)) {}
  Optimizer(const Optimizer&) = default;
  Optimizer& operator=(const Optimizer&) = default;

  std::vector<torch::Tensor> parameters_;
  std::int64_t iterations_ = 0;
};

}  // namespace helmholtz::train
