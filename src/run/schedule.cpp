#include "helmholtz/run/schedule.hpp"

#include <cmath>

#include "helmholtz/core/error.hpp"

namespace helmholtz::run {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Refuses the schedules scheduled_lr cannot compute, before any training starts.
void check_schedule(const ScheduleOptions& options) {
  if (options.schedule == LrSchedule::kStep && options.step_epochs < 1) {
    throw core::UsageError("--lr-step " + std::to_string(options.step_epochs) +
                           ": the step schedule needs at least 1 epoch between steps");
  }
  if (options.schedule == LrSchedule::kCosine && options.total_epochs < 1) {
    throw core::UsageError("--epochs " + std::to_string(options.total_epochs) +
                           ": the cosine schedule needs at least 1 epoch to anneal over");
  }
}

}  // namespace

std::string to_string(LrSchedule schedule) {
  switch (schedule) {
    case LrSchedule::kConstant:
      return "constant";
    case LrSchedule::kStep:
      return "step";
    case LrSchedule::kCosine:
      return "cosine";
  }
  return "?";
}

LrSchedule parse_lr_schedule(const std::string& name) {
  for (const auto schedule : {LrSchedule::kConstant, LrSchedule::kStep, LrSchedule::kCosine}) {
    if (name == to_string(schedule)) return schedule;
  }
  throw core::UsageError("--schedule '" + name + "': use constant, step or cosine");
}

double scheduled_lr(double base_lr, const ScheduleOptions& options, int epoch) {
  check_schedule(options);
  if (epoch < 1) throw core::RunError("scheduled_lr: epochs count from 1 (internal)");
  const int done = epoch - 1;  // scheduler steps taken before this epoch
  switch (options.schedule) {
    case LrSchedule::kConstant:
      return base_lr;
    case LrSchedule::kStep:
      return base_lr * std::pow(options.gamma, done / options.step_epochs);
    case LrSchedule::kCosine:
      return base_lr * (1.0 + std::cos(kPi * done / options.total_epochs)) / 2.0;
  }
  return base_lr;
}

}  // namespace helmholtz::run
