#pragma once
// The learning-rate schedules of torchvision's classification reference, per epoch. No torch.

#include <string>

namespace helmholtz::run {

// How the lr moves from epoch to epoch (torchvision's --lr-scheduler, without warm-up).
enum class LrSchedule {
  kConstant,  // the base lr throughout
  kStep,      // StepLR: times gamma every step_epochs epochs
  kCosine,    // CosineAnnealingLR (eta_min 0): from the base lr down to 0 over total_epochs
};

// "constant", "step" or "cosine".
std::string to_string(LrSchedule schedule);
// The inverse of to_string; throws core::UsageError for any other name.
LrSchedule parse_lr_schedule(const std::string& name);

struct ScheduleOptions {
  LrSchedule schedule = LrSchedule::kConstant;
  int step_epochs = 30;  // kStep: epochs between two multiplications by gamma (at least 1)
  double gamma = 0.1;    // kStep: the factor
  int total_epochs = 0;  // kCosine: T_max, the epochs the lr takes to reach 0 (at least 1)
};

// The lr of an epoch (1-based: epoch 1 uses base_lr), as torchvision's reference gets it by
// stepping the scheduler once at the end of every epoch:
//   kStep:     base_lr * gamma^floor((epoch - 1) / step_epochs)
//   kCosine:   base_lr * (1 + cos(pi * (epoch - 1) / total_epochs)) / 2   (the closed form; past
//              total_epochs it follows the cosine back up, as PyTorch's does)
//   kConstant: base_lr
// Throws core::UsageError for a schedule whose step_epochs or total_epochs is below 1.
double scheduled_lr(double base_lr, const ScheduleOptions& options, int epoch);

}  // namespace helmholtz::run
