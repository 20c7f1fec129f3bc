#include "helmholtz/train/throughput.hpp"

#include <chrono>
#include <cmath>
#include <string>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/data/synthetic.hpp"

namespace helmholtz::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

TensorData pattern_tensors(const data::ImageDatasetInfo& info, std::int64_t count,
                           std::uint64_t seed, const torch::Device& device) {
  return to_tensors(data::make_pattern_images(count, info.height, info.width, info.channels,
                                              info.num_classes, seed),
                    device);
}

Throughput measure_training(const run::RunSpec& spec, const Backend& backend, std::int64_t images,
                            int epochs, int warmup_steps) {
  const auto info = run::dataset_info(spec);
  auto t = make_training(spec, {info.channels, info.height, info.width}, info.num_classes, backend);
  const auto tensors = pattern_tensors(info, images, 0, backend.device);
  const auto& device = backend.device;
  const auto synchronize = [&] {
    if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
  };
  const auto eval = [&] {
    evaluate(t.model, tensors, t.eval_batch_size, t.channels_last, t.precision);
  };
  if (warmup_steps > 0) {
    t.trainer->train_epoch(tensors, nullptr, warmup_steps);
    eval();
  }
  synchronize();
  auto start = Clock::now();
  Metrics last;
  for (int e = 0; e < epochs; ++e) last = t.trainer->train_epoch(tensors);
  synchronize();
  Throughput out;
  out.train_images_per_second =
      t.trainer->samples_per_epoch(tensors.size()) * epochs / seconds_since(start);
  if (!std::isfinite(last.loss)) {
    throw core::RunError("measuring training: the training loss is " + std::to_string(last.loss));
  }
  start = Clock::now();
  eval();
  synchronize();
  out.eval_images_per_second = static_cast<double>(images) / seconds_since(start);
  out.last_loss = last.loss;
  out.cuda_graphs = t.trainer->graphs_captured() > 0;
  out.parameters = t.parameters;
  return out;
}

}  // namespace helmholtz::train
