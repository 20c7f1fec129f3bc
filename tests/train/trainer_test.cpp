// The epoch trainer: step counting, gradients zeroed in place, the device-side learning rate,
// bfloat16 against float32, and (on a GPU) the CUDA graphs.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/cuda_graphs.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/precision.hpp"
#include "helmholtz/train/setup.hpp"

namespace helmholtz::train {
namespace {

// The tests' epoch options: batch `batch_size`, shift 0.1, flip, channels-last; each test
// changes what it varies, by name.
EpochOptions test_epoch_options(int batch_size) {
  EpochOptions o;
  o.batch_size = batch_size;
  o.shift = 0.1;
  o.flip = true;
  o.channels_last = true;
  return o;
}

TensorData pattern_tensors(std::int64_t count, std::uint64_t seed, const torch::Device& device) {
  return to_tensors(data::make_pattern_images(count, 32, 32, 3, 10, seed), device);
}

TEST(EpochTrainer, CountsOneStepPerBatchAndStopsAtMaxBatches) {
  torch::manual_seed(1);
  auto model = build(models::image_architecture(1), {3, 32, 32}, 10);
  KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
  const auto data = pattern_tensors(100, 2, torch::Device(torch::kCPU));
  EpochTrainer trainer(model, sgd, test_epoch_options(16));
  const auto first = trainer.train_epoch(data, nullptr, 2);
  EXPECT_EQ(sgd.iterations(), 2);
  EXPECT_TRUE(std::isfinite(first.loss));
  std::int64_t last_done = 0;
  int calls = 0;
  trainer.train_epoch(data, [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(total, 100);
    EXPECT_GT(done, last_done);
    last_done = done;
    ++calls;
  });
  EXPECT_EQ(calls, 7);  // 6 batches of 16 and one of 4
  EXPECT_EQ(last_done, 100);
  EXPECT_EQ(sgd.iterations(), 2 + 7);
  EXPECT_DOUBLE_EQ(sgd.current_lr(), 0.01 / (1 + 1e-6 * 9));
  EXPECT_FALSE(trainer.uses_cuda_graphs());
}

// The reference protocol's epochs: Keras 2.1's fit_generator ran floor(N / batch) steps per
// epoch from one iterator carried on, visiting each pass's ceil(N / batch) batches in a random
// order, so a pass spans epochs and its short batch turns up anywhere inside an epoch.
TEST(EpochTrainer, CarriedIteratorRunsFloorStepsAndContinuesThePass) {
  torch::manual_seed(1);
  auto model = build(models::image_architecture(1), {3, 32, 32}, 10);
  KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
  const auto data = pattern_tensors(10, 2, torch::Device(torch::kCPU));
  EpochOptions options = test_epoch_options(4);
  options.carried_iterator = true;
  EpochTrainer trainer(model, sgd, options);
  EXPECT_EQ(trainer.steps_per_epoch(10), 2);  // floor(10 / 4), not ceil
  EXPECT_DOUBLE_EQ(trainer.samples_per_epoch(10), 2 * 10 / 3.0);
  const auto is_permutation = [](const torch::Tensor& t, std::int64_t n) {
    return t.defined() && t.size(0) == n &&
           torch::equal(std::get<0>(t.sort()), torch::arange(n, torch::kInt64));
  };
  trainer.train_epoch(data);
  EXPECT_EQ(sgd.iterations(), 2);
  auto state = trainer.iterator_state();
  EXPECT_TRUE(is_permutation(state.order, 10));
  EXPECT_TRUE(is_permutation(state.batches, 3));  // batches [0, 4), [4, 8), [8, 10)
  EXPECT_EQ(state.next, 2);                       // two of the pass's three batches done
  const auto first_pass = state.order.clone();
  const auto first_batches = state.batches.clone();
  trainer.train_epoch(data);  // the pass's last batch, then one of a new pass
  state = trainer.iterator_state();
  EXPECT_EQ(state.next, 1);
  EXPECT_FALSE(torch::equal(state.order, first_pass));
  trainer.train_epoch(data);  // the new pass ends inside the third epoch
  EXPECT_EQ(trainer.iterator_state().next, 3);
  EXPECT_EQ(sgd.iterations(), 6);  // a whole pass per epoch would have made 9
  // The short batch (batch 2 of each pass) is not always last: over a dozen more epochs (eight
  // passes) it is visited at more than one place in its pass.
  std::set<std::int64_t> short_positions;
  for (int epoch = 0; epoch < 12; ++epoch) {
    trainer.train_epoch(data);
    const auto b = trainer.iterator_state().batches;
    short_positions.insert(b.eq(2).nonzero().item<std::int64_t>());
  }
  EXPECT_GE(short_positions.size(), 2u);

  // A restored iterator continues where the checkpoint left it: one batch remains in this
  // pass, so the epoch ends one batch into the next one.
  torch::manual_seed(1);
  auto again = build(models::image_architecture(1), {3, 32, 32}, 10);
  KerasSgd sgd2(again->parameters(), 0.01, 0.9, true, 1e-6);
  EpochTrainer resumed(again, sgd2, options);
  resumed.restore_iterator({first_pass, first_batches, 2});
  EXPECT_TRUE(torch::equal(resumed.iterator_state().order, first_pass));
  resumed.train_epoch(data);
  EXPECT_EQ(resumed.iterator_state().next, 1);
  EXPECT_FALSE(torch::equal(resumed.iterator_state().order, first_pass));

  // The reference's CIFAR-10 epoch: 390 steps of 128, 78,000 in 200 epochs.
  EpochOptions cifar = options;
  cifar.batch_size = 128;
  EXPECT_EQ(EpochTrainer(model, sgd, cifar).steps_per_epoch(50000) * 200, 78000);

  // The recipe's epochs: one whole pass, the short batch at its end (78,200 in 200 epochs).
  EpochTrainer whole(model, sgd, test_epoch_options(4));
  EXPECT_EQ(whole.steps_per_epoch(10), 3);
  EXPECT_DOUBLE_EQ(whole.samples_per_epoch(10), 10.0);
  EXPECT_EQ(EpochTrainer(model, sgd, test_epoch_options(128)).steps_per_epoch(50000) * 200, 78200);
}

// The protocol reaches the trainer: the reference's images flip top-bottom and run from the
// carried iterator; its audio (model.fit) and the corrected protocol do neither.
TEST(EpochOptions, FollowTheProtocol) {
  const auto options_for = [](const char* dataset, const char* protocol) {
    run::RunSpec s;
    run::Given given{"dataset", "protocol"};
    run::find_field("dataset")->set(s, dataset);
    run::find_field("protocol")->set(s, protocol);
    if (std::string(dataset) == "audio-effects") {
      run::find_field("bitrate")->set(s, "raw");
      given.insert("bitrate");
    }
    run::finalize(s, given);
    return epoch_options(s, Precision::kFp32);
  };
  const EpochOptions reference = options_for("cifar10", "reference");
  EXPECT_EQ(reference.flip_axis, FlipAxis::kVertical);
  EXPECT_TRUE(reference.carried_iterator);
  const EpochOptions corrected = options_for("cifar10", "corrected");
  EXPECT_EQ(corrected.flip_axis, FlipAxis::kHorizontal);
  EXPECT_FALSE(corrected.carried_iterator);
  EXPECT_FALSE(options_for("audio-effects", "reference").carried_iterator);  // model.fit
}

// update() reads the step count on the device: three updates without count_step() still use
// lr_0, lr_1, lr_2; the host's count (current_lr) only moves with count_step().
TEST(KerasSgd, UpdateKeepsItsOwnStepCountOnTheDevice) {
  auto p = torch::tensor({1.0}, torch::kFloat64).requires_grad_(true);
  KerasSgd sgd({p}, 0.1, 0.9, true, 0.5);
  double pe = 1.0, v = 0.0;
  for (int t = 0; t < 3; ++t) {
    sgd.zero_grad_in_place();
    (p * p / 2).sum().backward();
    sgd.update();
    const double lr = 0.1 / (1.0 + 0.5 * t);
    v = 0.9 * v - lr * pe;
    pe = pe + 0.9 * v - lr * pe;
    EXPECT_NEAR(p.item<double>(), pe, 1e-12) << "update " << t;
  }
  EXPECT_EQ(sgd.iterations(), 0);
  EXPECT_DOUBLE_EQ(sgd.current_lr(), 0.1);
  for (int t = 0; t < 3; ++t) sgd.count_step();
  EXPECT_DOUBLE_EQ(sgd.current_lr(), 0.1 / (1.0 + 0.5 * 3));
}

TEST(Optimizer, ZeroGradInPlaceKeepsTheGradientTensorAndItsValues) {
  auto p = torch::tensor({1.0, 2.0}).requires_grad_(true);
  auto q = p.detach().clone().requires_grad_(true);
  KerasSgd a({p}, 0.1, 0.9, true, 0.0);
  KerasSgd b({q}, 0.1, 0.9, true, 0.0);
  (p * p).sum().backward();
  const void* storage = p.grad().data_ptr();
  for (int t = 0; t < 3; ++t) {
    a.zero_grad_in_place();
    (p * p * p).sum().backward();
    a.step();
    b.zero_grad();
    (q * q * q).sum().backward();
    b.step();
    EXPECT_EQ(p.grad().data_ptr(), storage);
    EXPECT_TRUE(torch::equal(p.detach(), q.detach())) << "step " << t;
  }
}

// bfloat16 autocast against float32 from the same weights and batch: the loss agrees to
// bfloat16's precision and the gradient points the same way.
TEST(Precision, Bf16StepFollowsTheFp32Step) {
  const auto data = pattern_tensors(64, 4, torch::Device(torch::kCPU));
  auto grads = [&](Precision precision, double* loss_out) {
    torch::manual_seed(5);
    auto model = build(models::image_architecture(0), {3, 32, 32}, 10);
    model->eval();  // no dropout: the two passes see the same network
    torch::Tensor loss;
    {
      const AutocastGuard autocast(torch::kCPU, precision);
      loss = torch::nn::functional::cross_entropy(model->forward(model_input(data.images)),
                                                  data.labels);
    }
    loss.backward();
    *loss_out = loss.item<double>();
    std::vector<torch::Tensor> g;
    for (const auto& p : model->parameters()) g.push_back(p.grad().flatten());
    return torch::cat(g);
  };
  double loss32 = 0, loss16 = 0;
  const auto g32 = grads(Precision::kFp32, &loss32);
  const auto g16 = grads(Precision::kBf16, &loss16);
  EXPECT_NEAR(loss16, loss32, 0.01 * loss32);
  const double cosine =
      (g32 * g16).sum().item<double>() / (g32.norm().item<double>() * g16.norm().item<double>());
  EXPECT_GT(cosine, 0.99);
  EXPECT_EQ(g16.scalar_type(), torch::kFloat32) << "gradients of float32 weights stay float32";
}

// Training from the same seed at each precision, step by step: with the same batches, shifts
// and dropout masks, the bfloat16 run's losses stay within a few percent of float32's.
TEST(Precision, Bf16TrainingLossFollowsFp32StepByStep) {
  const auto data = pattern_tensors(32 * 4, 13, torch::Device(torch::kCPU));
  auto losses = [&](Precision precision) {
    torch::manual_seed(8);
    auto model = build(models::image_architecture(1), {3, 32, 32}, 10);
    use_channels_last(model);
    KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
    EpochOptions options = test_epoch_options(32);
    options.precision = precision;
    EpochTrainer trainer(model, sgd, options);
    std::vector<double> out;
    for (int e = 0; e < 3; ++e) {
      for (std::int64_t b = 0; b < 4; ++b) {
        const TensorData batch{data.images.slice(0, b * 32, (b + 1) * 32),
                               data.labels.slice(0, b * 32, (b + 1) * 32)};
        out.push_back(trainer.train_epoch(batch).loss);
      }
    }
    return out;
  };
  const auto fp32 = losses(Precision::kFp32);
  const auto bf16 = losses(Precision::kBf16);
  ASSERT_EQ(fp32.size(), bf16.size());
  for (std::size_t i = 0; i < fp32.size(); ++i) {
    EXPECT_NEAR(bf16[i], fp32[i], 0.03 * fp32[i]) << "step " << i;
  }
  const auto [low, high] = std::minmax_element(fp32.begin(), fp32.end());
  EXPECT_GT(*high - *low, 0.01) << "the weights must move for the comparison to mean much";
}

// A short run at each precision from the same seed, for the GPU test below.
Metrics short_run(const torch::Device& device, Precision precision, bool graphs, int epochs,
                  std::int64_t train_count, int batch) {
  const auto train = pattern_tensors(train_count, 11, device);
  const auto val = pattern_tensors(2000, 12, device);
  torch::manual_seed(7);
  auto model = build(models::image_architecture(0), {3, 32, 32}, 10);
  model->to(device);
  use_channels_last(model);
  KerasSgd sgd(model->parameters(), 0.01, 0.9, true, 1e-6);
  EpochOptions options = test_epoch_options(batch);
  options.precision = precision;
  options.cuda_graphs = graphs;
  EpochTrainer trainer(model, sgd, options);
  for (int e = 0; e < epochs; ++e) trainer.train_epoch(train);
  return evaluate(model, val, 1000, true, precision);
}

// --- CUDA: skipped where this build or machine has no GPU -------------------------------

bool have_cuda() { return StepGraphs::compiled() && torch::cuda::is_available(); }

// Every weight of `model`, in one flat tensor.
torch::Tensor flat_weights(const torch::nn::Sequential& model) {
  std::vector<torch::Tensor> weights;
  for (const auto& p : model->parameters()) weights.push_back(p.detach().flatten());
  return torch::cat(weights);
}

// |a - b| / |b|, in the 2-norm.
double relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).norm().item<double>() / b.norm().item<double>();
}

// What the CUDA trainer tests compare, with and without graphs: setting 1 on the GPU from seed 9,
// Keras SGD, batches of 64, contiguous batches.
struct GpuTraining {
  GpuTraining(const torch::Device& gpu, bool graphs, bool carried_iterator = false)
      : model([&] {
          torch::manual_seed(9);
          auto m = build(models::image_architecture(1), {3, 32, 32}, 10);
          m->to(gpu);
          return m;
        }()),
        sgd(model->parameters(), 0.01, 0.9, true, 1e-6) {
    EpochOptions options = test_epoch_options(64);
    options.channels_last = false;
    options.cuda_graphs = graphs;
    options.carried_iterator = carried_iterator;
    trainer = std::make_unique<EpochTrainer>(model, sgd, options);
  }
  torch::nn::Sequential model;
  KerasSgd sgd;
  std::unique_ptr<EpochTrainer> trainer;
};

TEST(CudaTrainer, DefaultPrecisionAccuracyMatchesFp32) {
  if (!have_cuda()) GTEST_SKIP() << "no CUDA GPU in this build or machine";
  const torch::Device gpu(torch::kCUDA, 0);
  configure_backend(gpu, Precision::kFp32);
  const auto fp32 = short_run(gpu, Precision::kFp32, false, 20, 8192, 128);
  configure_backend(gpu, Precision::kBf16);
  const auto fast =
      short_run(gpu, resolve_precision(run::PrecisionChoice::kAuto, gpu), true, 20, 8192, 128);
  EXPECT_GT(fp32.acc, 0.3) << "the short run must learn for the comparison to mean anything";
  EXPECT_NEAR(fast.acc, fp32.acc, 0.05);
}

// A graph replays the eager step's kernels with the same Philox offsets for its random draws,
// so from the same seed both runs end with the same weights, up to the rounding differences of
// cuDNN's atomics.
// The reference protocol on a GPU: the carried iterator's short batch, which lands anywhere in
// a pass, replays from its own graph, and graphs train as eager steps do; its order lives on
// the GPU and comes back there from a checkpoint's CPU copy.
TEST(CudaTrainer, CarriedIteratorReplaysItsShortBatchAndRestoresOnTheGpu) {
  if (!have_cuda()) GTEST_SKIP() << "no CUDA GPU in this build or machine";
  const torch::Device gpu(torch::kCUDA, 0);
  configure_backend(gpu, Precision::kFp32);
  const std::int64_t n = 64 * 10 + 24;  // passes of 11 batches, epochs of 10 steps
  const auto data = pattern_tensors(n, 22, gpu);
  auto run = [&](bool graphs, int* captured) {
    GpuTraining t(gpu, graphs, /*carried_iterator=*/true);
    auto& sgd = t.sgd;
    auto& trainer = *t.trainer;
    for (int e = 0; e < 8; ++e) EXPECT_TRUE(std::isfinite(trainer.train_epoch(data).loss));
    EXPECT_EQ(sgd.iterations(), 8 * 10);
    EXPECT_TRUE(trainer.iterator_state().order.is_cuda());
    EXPECT_FALSE(trainer.iterator_state().batches.is_cuda());
    auto state = trainer.iterator_state();
    state.order = state.order.cpu();  // as a checkpoint holds it
    trainer.restore_iterator(state);
    EXPECT_TRUE(trainer.iterator_state().order.is_cuda());
    EXPECT_TRUE(std::isfinite(trainer.train_epoch(data).loss));
    *captured = trainer.graphs_captured();
    return flat_weights(t.model);
  };
  int eager_graphs = -1, graphs = -1;
  const auto eager = run(false, &eager_graphs);
  const auto replayed = run(true, &graphs);
  EXPECT_EQ(eager_graphs, 0);
  EXPECT_EQ(graphs, 2) << "one graph for batches of 64, one for the short 24";
  EXPECT_LT(relative_difference(replayed, eager), 1e-3);
}

TEST(CudaTrainer, GraphsReplayFullAndShortBatchesAndTrainLikeEagerSteps) {
  if (!have_cuda()) GTEST_SKIP() << "no CUDA GPU in this build or machine";
  const torch::Device gpu(torch::kCUDA, 0);
  configure_backend(gpu, Precision::kFp32);
  const std::int64_t n = 64 * 10 + 24;  // a short last batch in every epoch
  const auto data = pattern_tensors(n, 21, gpu);
  auto run = [&](bool graphs, int* captured) {
    GpuTraining t(gpu, graphs);
    auto& sgd = t.sgd;
    auto& trainer = *t.trainer;
    for (int e = 0; e < 6; ++e) {
      std::int64_t seen = 0;
      const auto metrics =
          trainer.train_epoch(data, [&](std::int64_t done, std::int64_t) { seen = done; });
      EXPECT_EQ(seen, n);
      EXPECT_TRUE(std::isfinite(metrics.loss));
    }
    EXPECT_EQ(sgd.iterations(), 6 * 11);
    *captured = trainer.graphs_captured();
    return flat_weights(t.model);
  };
  int eager_graphs = -1, graphs = -1;
  const auto eager = run(false, &eager_graphs);
  const auto replayed = run(true, &graphs);
  EXPECT_EQ(eager_graphs, 0);
  EXPECT_EQ(graphs, 2) << "one graph for batches of 64, one for the last 24";
  EXPECT_LT(relative_difference(replayed, eager), 1e-3);
}

// Graphs read the data through the addresses they were captured with: when the trainer is given
// other data, they are captured anew. The first data is then zeroed (still allocated, so a stale
// graph would read zeros rather than freed memory): a graph that kept reading it would train on
// blank images and end far from the eager run.
TEST(CudaTrainer, GraphsAreCapturedAnewWhenTheirTensorsMove) {
  if (!have_cuda()) GTEST_SKIP() << "no CUDA GPU in this build or machine";
  const torch::Device gpu(torch::kCUDA, 0);
  configure_backend(gpu, Precision::kFp32);
  auto run = [&](bool graphs) {
    auto first = pattern_tensors(64 * 6, 31, gpu);
    const auto second = pattern_tensors(64 * 6, 32, gpu);
    GpuTraining t(gpu, graphs);
    auto& sgd = t.sgd;
    auto& trainer = *t.trainer;
    trainer.train_epoch(first);
    EXPECT_EQ(trainer.graphs_captured(), graphs ? 1 : 0);
    first.images.zero_();
    for (int e = 0; e < 3; ++e) trainer.train_epoch(second);
    EXPECT_EQ(trainer.graphs_captured(), graphs ? 1 : 0);
    return flat_weights(t.model);
  };
  const auto eager = run(false);
  const auto replayed = run(true);
  EXPECT_LT(relative_difference(replayed, eager), 1e-3);
}

}  // namespace
}  // namespace helmholtz::train
