#pragma once
// The optimizer interface the training loop and checkpoints use: the Keras-exact optimizers
// (KerasSgd for images, KerasAdadelta for audio) implement it.

#include <torch/torch.h>

#include <cstdint>

namespace helmholtz::train {

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // The learning rate the next step will use.
  virtual double current_lr() const = 0;
  virtual void zero_grad() = 0;
  virtual void step() = 0;
  // Updates done so far.
  virtual std::int64_t iterations() const = 0;

  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  // Throws core::RunError when the archive does not fit these parameters.
  virtual void load(torch::serialize::InputArchive& archive) = 0;

 protected:
  Optimizer() = default;
  Optimizer(const Optimizer&) = default;
  Optimizer& operator=(const Optimizer&) = default;
};

}  // namespace helmholtz::train
