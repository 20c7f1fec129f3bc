#pragma once
// SGD exactly as torch.optim.SGD implements it (dampening 0), with the per-epoch learning-rate
// schedules of torchvision's classification reference:
//   g   = grad + weight_decay * p
//   buf = momentum * buf + g                 (buf = g on a parameter's first step)
//   g   = g + momentum * buf  (Nesterov)     or   g = buf
//   p  -= lr * g
// Unlike KerasSgd the lr stays outside the momentum buffer, so a change of lr acts at once on
// the whole step. The lr of an epoch is set on the host by start_epoch() and copied into a device
// scalar, so a CUDA graph captured around update() reads the current value on replay.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "helmholtz/run/schedule.hpp"
#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train {

// The schedules live with the run spec (run/schedule.hpp), which names them.
using run::LrSchedule;
using run::parse_lr_schedule;
using run::scheduled_lr;
using run::ScheduleOptions;
using run::to_string;

class TorchSgd : public Optimizer {
 public:
  // Throws core::UsageError for a negative lr, momentum or weight decay, Nesterov without
  // momentum (as torch.optim.SGD refuses), or a schedule scheduled_lr refuses.
  TorchSgd(std::vector<torch::Tensor> parameters, double lr, double momentum, bool nesterov,
           double weight_decay, ScheduleOptions schedule);

  // Sets the lr of this epoch (1-based) for the steps that follow. Call it before the epoch's
  // first step, and again after load(): the checkpoint does not hold the lr.
  void start_epoch(int epoch) override;

  // The lr of the epoch last started (the base lr before any start_epoch).
  double current_lr() const override;
  // Device work only: reads the lr from the device scalar start_epoch fills.
  void update() override;

  // Writes the updates so far and the momentum buffers (not the lr: see start_epoch).
  void save(torch::serialize::OutputArchive& archive) const override;
  // Throws core::RunError when the archive does not fit these parameters (another model, or
  // another optimizer's state).
  void load(torch::serialize::InputArchive& archive) override;

 private:
  std::vector<torch::Tensor> buffers_;  // momentum buffers, zeros until a parameter's first step
  torch::Tensor lr_;                    // the current lr as a float64 scalar on the device
  double base_lr_;
  double current_lr_;
  double momentum_;
  bool nesterov_;
  double weight_decay_;
  ScheduleOptions schedule_;
};

}  // namespace helmholtz::train
