#include "helmholtz/train/doctor.hpp"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <cmath>
#include <cstdio>
#include <utility>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/temp_dir.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/train/augment.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/train/cuda_graphs.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/loss.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/precision.hpp"

namespace helmholtz::train {
namespace {

// The tolerances, one place: README's `doctor` section quotes them.
constexpr double kGraphsTolerance = 1e-6;        // max |weight difference| after the steps
constexpr double kBf16LossTolerance = 0.01;      // relative loss difference
constexpr double kBf16MinCosine = 0.99;          // gradient cosine with float32's
constexpr double kAugmentTolerance = 1e-4;       // max |pixel difference|, pixels in [0, 1]
constexpr double kChannelsLastTolerance = 1e-4;  // max |difference| / max |value|
constexpr int kGraphSteps = 6;                   // 3 eager (the warm-up), then 3 from a graph

CheckResult skipped(const std::string& name, const std::string& why) {
  CheckResult r;
  r.name = name;
  r.status = CheckStatus::kSkipped;
  r.detail = why;
  return r;
}

// A measured difference against its tolerance.
CheckResult compared(const std::string& name, double difference, double tolerance,
                     const std::string& what, const std::string& avoid) {
  CheckResult r;
  r.name = name;
  r.difference = difference;
  r.tolerance = tolerance;
  r.avoid = avoid;
  r.status = std::isfinite(difference) && difference <= tolerance ? CheckStatus::kOk
                                                                  : CheckStatus::kFailed;
  char line[200];
  std::snprintf(line, sizeof line, "%s %.3g (tolerance %.3g)", what.c_str(), difference, tolerance);
  r.detail = line;
  return r;
}

models::InputShape input_shape(const run::RunSpec& spec) {
  const auto info = run::dataset_info(spec);
  return {info.channels, info.height, info.width};
}

torch::nn::Sequential make_model(const DoctorSetup& setup, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto model = build(setup.spec.recipe.architecture, input_shape(setup.spec),
                     run::dataset_info(setup.spec).num_classes);
  model->to(setup.device);
  return model;
}

TensorData make_data(const DoctorSetup& setup, std::int64_t count, const torch::Device& device) {
  return pattern_tensors(run::dataset_info(setup.spec), count, setup.seed, device);
}

// One batch of `setup.batch` images on the device as the network sees them, and their labels,
// with the backend set for IEEE float32 (TF32 off): the plain path of the one-step checks.
struct Batch {
  torch::Tensor x, y;
};
Batch fp32_batch(const DoctorSetup& setup) {
  configure_backend(setup.device, Precision::kFp32);
  const auto data = make_data(setup, setup.batch, setup.device);
  return {model_input(data.images), data.labels};
}

torch::Tensor flat(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> parts;
  parts.reserve(tensors.size());
  for (const auto& t : tensors)
    parts.push_back(t.detach().to(torch::kCPU, torch::kFloat64).reshape({-1}));
  return torch::cat(parts);
}

torch::Tensor flat_weights(const torch::nn::Sequential& model) { return flat(model->parameters()); }

torch::Tensor flat_gradients(const torch::nn::Sequential& model) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : model->parameters()) grads.push_back(p.grad());
  return flat(grads);
}

// One forward and backward pass in eval mode (no dropout): the loss and the gradients, flat,
// in float64 on the CPU: [loss, gradients...]. With `logits`, the logits come first.
torch::Tensor loss_and_gradients(torch::nn::Sequential& model, const torch::Tensor& x,
                                 const torch::Tensor& y, Precision precision,
                                 bool with_logits = false) {
  model->eval();
  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  torch::Tensor logits;
  torch::Tensor loss;
  {
    const AutocastGuard autocast(x.device().type(), precision);
    logits = model->forward(x);
    loss = keras_crossentropy(logits.to(torch::kFloat32), y).mean();
  }
  loss.backward();
  model->train();
  std::vector<torch::Tensor> parts{loss.reshape({1})};
  if (with_logits) parts.insert(parts.begin(), logits.to(torch::kFloat32));
  return torch::cat({flat(parts), flat_gradients(model)});
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// cuDNN's deterministic algorithms for the duration of a check (graphs and eager steps then
// compute bit for bit alike), and the switches as they were afterwards.
class DeterministicCudnn {
 public:
  DeterministicCudnn()
      : deterministic_(at::globalContext().deterministicCuDNN()),
        benchmark_(at::globalContext().benchmarkCuDNN()) {
    at::globalContext().setDeterministicCuDNN(true);
    at::globalContext().setBenchmarkCuDNN(false);
  }
  ~DeterministicCudnn() {
    at::globalContext().setDeterministicCuDNN(deterministic_);
    at::globalContext().setBenchmarkCuDNN(benchmark_);
  }
  DeterministicCudnn(const DeterministicCudnn&) = delete;
  DeterministicCudnn& operator=(const DeterministicCudnn&) = delete;

 private:
  bool deterministic_;
  bool benchmark_;
};

std::string format_version(long v, long major_unit) {
  return std::to_string(v / major_unit) + "." + std::to_string((v % major_unit) / 100) + "." +
         std::to_string(v % 100);
}

}  // namespace

std::string to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kFailed:
      return "failed";
    case CheckStatus::kSkipped:
      return "skipped";
  }
  return "?";
}

CheckResult check_cuda_graphs(const DoctorSetup& setup, const Tamper& tamper) {
  const std::string name = "cuda-graphs";
  if (!setup.device.is_cuda()) return skipped(name, "needs a CUDA device");
  if (!StepGraphs::compiled()) {
    CheckResult r;
    r.name = name;
    r.status = CheckStatus::kFailed;
    r.avoid = "--no-cuda-graphs";
    r.detail =
        "CUDA graphs are not compiled into this build (CMake found a LibTorch without "
        "its CUDA target): training on this GPU steps eagerly; rebuild against torch's "
        "own CMake config";
    return r;
  }
  const DeterministicCudnn deterministic;
  set_tf32(false);
  const auto data = make_data(setup, setup.batch * kGraphSteps, setup.device);
  int captured = 0;
  auto run = [&](bool graphs) {
    auto model = make_model(setup, setup.seed);
    KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
    EpochOptions options;
    options.batch_size = static_cast<int>(setup.batch);
    options.cuda_graphs = graphs;
    EpochTrainer trainer(model, sgd, options);
    trainer.train_epoch(data);
    if (graphs) captured = trainer.graphs_captured();
    return flat_weights(model);
  };
  const auto plain = run(false);
  auto fast = run(true);
  if (captured == 0) {
    CheckResult r;
    r.name = name;
    r.status = CheckStatus::kFailed;
    r.avoid = "--no-cuda-graphs";
    r.detail = "no step was captured as a graph";
    return r;
  }
  if (tamper) tamper(fast);
  return compared(name, max_abs(fast - plain), kGraphsTolerance,
                  std::to_string(kGraphSteps) +
                      " steps (3 eager, then from a graph), fp32: "
                      "weights differ by",
                  "--no-cuda-graphs");
}

CheckResult check_bf16(const DoctorSetup& setup, const Tamper& tamper) {
  const std::string name = "bf16";
  const auto batch = fp32_batch(setup);
  auto model = make_model(setup, setup.seed);
  const auto plain = loss_and_gradients(model, batch.x, batch.y, Precision::kFp32);
  auto fast = loss_and_gradients(model, batch.x, batch.y, Precision::kBf16);
  if (tamper) tamper(fast);
  const double loss32 = plain[0].item<double>();
  const double relative = std::abs(fast[0].item<double>() - loss32) / std::abs(loss32);
  const auto g32 = plain.slice(0, 1);
  const auto g16 = fast.slice(0, 1);
  const double cosine =
      (g32 * g16).sum().item<double>() / (g32.norm().item<double>() * g16.norm().item<double>());
  auto r = compared(name, relative, kBf16LossTolerance,
                    "one step's loss, bfloat16 autocast vs float32, differs by (relative)",
                    "--precision fp32");
  char more[120];
  std::snprintf(more, sizeof more, "; gradient cosine %.5f (at least %.2f)", cosine,
                kBf16MinCosine);
  r.detail += more;
  if (!(cosine >= kBf16MinCosine)) r.status = CheckStatus::kFailed;
  return r;
}

CheckResult check_augmentation(const DoctorSetup& setup, const Tamper& tamper,
                               bool compare_on_cpu) {
  const std::string name = "augmentation";
  if (setup.device.is_cpu() && !compare_on_cpu) {
    return skipped(name, "the device is the CPU: nothing to compare it with");
  }
  const auto data = make_data(setup, setup.batch, torch::kCPU);
  const auto images = to_unit_float(data.images);
  torch::manual_seed(setup.seed);
  const auto& recipe = setup.spec.recipe;
  const double shift = recipe.shift > 0 ? recipe.shift : 0.1;
  const auto draws = draw_augmentation(images.size(0), images.size(2), images.size(3), shift,
                                       /*flip=*/true, images.options());
  torch::Tensor plain = torch::cat({apply_augmentation(images, draws, FlipAxis::kHorizontal),
                                    apply_augmentation(images, draws, FlipAxis::kVertical)});
  const auto on_device = images.to(setup.device);
  torch::Tensor fast = torch::cat({apply_augmentation(on_device, draws, FlipAxis::kHorizontal),
                                   apply_augmentation(on_device, draws, FlipAxis::kVertical)})
                           .to(torch::kCPU);
  if (tamper) tamper(fast);
  return compared(name, max_abs(fast - plain), kAugmentTolerance,
                  "shift and flip on " + setup.device.str() +
                      " vs the CPU, same draws: "
                      "pixels differ by",
                  "--device cpu");
}

CheckResult check_channels_last(const DoctorSetup& setup, const Tamper& tamper) {
  const std::string name = "channels-last";
  const auto batch = fp32_batch(setup);
  auto contiguous = make_model(setup, setup.seed);
  auto nhwc = make_model(setup, setup.seed);
  use_channels_last(nhwc);
  const auto plain = loss_and_gradients(contiguous, batch.x, batch.y, Precision::kFp32, true);
  auto fast = loss_and_gradients(nhwc, batch.x.contiguous(torch::MemoryFormat::ChannelsLast),
                                 batch.y, Precision::kFp32, true);
  if (tamper) tamper(fast);
  return compared(name, max_abs(fast - plain) / max_abs(plain), kChannelsLastTolerance,
                  "logits, loss and gradients, NHWC vs contiguous, differ by (relative)",
                  "--no-channels-last");
}

CheckResult check_checkpoint(const DoctorSetup& setup, const Tamper& tamper) {
  const std::string name = "checkpoint";
  auto model = make_model(setup, setup.seed);
  KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
  EpochOptions options;
  options.batch_size = static_cast<int>(setup.batch);
  EpochTrainer trainer(model, sgd, options);
  trainer.train_epoch(make_data(setup, setup.batch * 2, setup.device));  // momentum to save
  const core::TempDir dir("helmholtz-doctor");
  const CheckpointFiles files{dir.path() / "last.pt", dir.path() / "last.pt.prev"};
  const std::string identity = run::identity_line(run::identity(setup.spec));
  TrainState state;
  state.epoch = 1;
  state.identity = identity;
  save_checkpoint(files, model, sgd, state, setup.device);

  const torch::Device cpu(torch::kCPU);
  DoctorSetup on_cpu = setup;
  on_cpu.device = cpu;
  auto loaded = make_model(on_cpu, setup.seed + 1);  // other weights, overwritten by the load
  KerasSgd loaded_sgd(loaded->parameters(), 0.01, 0.9, true, 1e-6);
  const auto restored = load_checkpoint(files.newest, loaded, loaded_sgd, cpu, identity);
  const auto plain = flat_weights(model);
  auto fast = flat_weights(loaded);
  if (tamper) tamper(fast);
  auto r = compared(name, max_abs(fast - plain), 0.0,
                    "written on " + setup.device.str() + ", loaded on the CPU: weights differ by",
                    "no option: evaluate and resume on the device that trained");
  if (restored.epoch != state.epoch) {
    r.status = CheckStatus::kFailed;
    r.detail += "; the epoch read back is " + std::to_string(restored.epoch) + ", not 1";
  }
  return r;
}

std::vector<CheckResult> run_checks(const DoctorSetup& setup) {
  return {check_cuda_graphs(setup), check_bf16(setup), check_augmentation(setup),
          check_channels_last(setup), check_checkpoint(setup)};
}

Versions versions() {
  Versions v;
  v.torch = TORCH_VERSION;
  const auto& hooks = at::detail::getCUDAHooks();
  if (at::globalContext().hasCUDA()) {
    const long runtime = hooks.versionCUDART();  // 13000 for 13.0
    v.cuda = std::to_string(runtime / 1000) + "." + std::to_string((runtime % 1000) / 10);
  } else {
    v.cuda = "none (a CPU LibTorch)";
  }
  if (hooks.hasCuDNN()) {
    const long cudnn = hooks.versionCuDNN();
    v.cudnn = format_version(cudnn, cudnn >= 90000 ? 10000 : 1000);
  } else {
    v.cudnn = "none";
  }
  return v;
}

}  // namespace helmholtz::train
