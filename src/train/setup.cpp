#include "helmholtz/train/setup.hpp"

#include <chrono>

#include "helmholtz/core/parallel.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/keras_adadelta.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/torch_sgd.hpp"

namespace helmholtz::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Backend set_up_process(const run::Runtime& runtime) {
  Backend b;
  b.threads = core::resolve_threads(runtime.threads);
  at::set_num_threads(b.threads);
  b.device = resolve_device(runtime.device);
  b.precision = resolve_precision(runtime.precision, b.device);
  configure_backend(b.device, b.precision);
  return b;
}

EpochOptions epoch_options(const run::RunSpec& spec, Precision precision) {
  const auto& recipe = spec.recipe;
  const run::Quirks quirks = run::quirks(spec);
  EpochOptions o;
  o.batch_size = recipe.batch_size;
  o.shift = recipe.shift;
  o.flip = recipe.flip;
  o.flip_axis = quirks.transposed_images ? FlipAxis::kVertical : FlipAxis::kHorizontal;
  o.carried_iterator = quirks.carried_iterator;
  o.channels_last = spec.runtime.channels_last;
  o.precision = precision;
  o.cuda_graphs = spec.runtime.cuda_graphs;
  o.label_smoothing = recipe.label_smoothing;
  return o;
}

std::unique_ptr<Optimizer> make_optimizer(const run::Recipe& r,
                                          std::vector<torch::Tensor> parameters) {
  if (r.optimizer == run::OptimizerKind::kAdadelta) {
    return std::make_unique<KerasAdadelta>(std::move(parameters), r.lr, r.rho, r.epsilon);
  }
  if (r.optimizer == run::OptimizerKind::kTorchSgd) {
    run::ScheduleOptions schedule;
    schedule.schedule = r.schedule;
    schedule.step_epochs = r.lr_step;
    schedule.gamma = r.lr_gamma;
    schedule.total_epochs = r.epochs;
    return std::make_unique<TorchSgd>(std::move(parameters), r.lr, r.momentum, r.nesterov,
                                      r.weight_decay, schedule);
  }
  return std::make_unique<KerasSgd>(std::move(parameters), r.lr, r.momentum, r.nesterov, r.decay);
}

Training make_training(const run::RunSpec& spec, const models::InputShape& input, int num_classes,
                       const Backend& backend) {
  const auto& recipe = spec.recipe;
  const auto& runtime = spec.runtime;
  Training t;
  torch::manual_seed(recipe.seed);
  t.model = build(recipe.architecture, input, num_classes);
  t.model->to(backend.device);
  t.channels_last = runtime.channels_last;
  if (t.channels_last) use_channels_last(t.model);  // before the optimizer mirrors the weights
  t.parameters = count_parameters(*t.model);
  t.optimizer = make_optimizer(recipe, t.model->parameters());
  t.precision = backend.precision;
  t.eval_batch_size = recipe.eval_batch_size;
  t.trainer =
      std::make_unique<EpochTrainer>(t.model, *t.optimizer, epoch_options(spec, backend.precision));
  return t;
}

void fit(Training& t, const TensorData& train_data, const TensorData& validation, int first,
         int last, const FitHooks& hooks) {
  for (int epoch = first; epoch <= last; ++epoch) {
    if (hooks.epoch_start) hooks.epoch_start(epoch);
    t.optimizer->start_epoch(epoch);
    const auto start = Clock::now();
    const Metrics m = t.trainer->train_epoch(train_data, hooks.progress, -1, hooks.stop);
    if (m.stopped) return;
    const double train_seconds = seconds_since(start);
    const Metrics val =
        evaluate(t.model, validation, t.eval_batch_size, t.channels_last, t.precision);
    run::EpochRecord record;
    record.epoch = epoch;
    record.loss = m.loss;
    record.acc = m.acc;
    record.val_loss = val.loss;
    record.val_acc = val.acc;
    record.lr = t.optimizer->current_lr();
    record.seconds = seconds_since(start);
    if (hooks.epoch_done) hooks.epoch_done(record, train_seconds);
    if (hooks.stop && hooks.stop()) return;
  }
}

}  // namespace helmholtz::train
