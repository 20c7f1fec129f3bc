#include "helmholtz/train/loop.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/train/augment.hpp"
#include "helmholtz/train/cuda_graphs.hpp"
#include "helmholtz/train/distributed.hpp"
#include "helmholtz/train/loss.hpp"
#include "helmholtz/train/smoothed_loss.hpp"

namespace helmholtz::train {

TensorData to_tensors(const data::ImageSet& set, const torch::Device& device) {
  TensorData out;
  auto pixels = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                                 {set.count, set.height, set.width, set.channels}, torch::kUInt8);
  out.images = pixels.permute({0, 3, 1, 2}).contiguous().to(device);
  // With one channel the permuted view is already contiguous, so on the CPU nothing above
  // copied: the tensor must own its pixels, not borrow the set's.
  if (out.images.data_ptr() == static_cast<const void*>(set.pixels.data())) {
    out.images = out.images.clone();
  }
  auto labels =
      torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {set.count}, torch::kUInt8);
  out.labels = labels.to(torch::kInt64).to(device);
  return out;
}

torch::Tensor batch_images(const data::Batch& batch, const torch::Device& device) {
  auto* pixels = const_cast<std::uint8_t*>(batch.pixels.data());
  const torch::Tensor view =
      batch.layout == data::PixelLayout::kHwc
          ? torch::from_blob(pixels, {batch.size, batch.height, batch.width, batch.channels},
                             torch::kUInt8)
                .permute({0, 3, 1, 2})
          : torch::from_blob(pixels, {batch.size, batch.channels, batch.height, batch.width},
                             torch::kUInt8);
  // A copy on every device: the loader reuses the batch's buffer.
  return view.to(device, torch::kUInt8, /*non_blocking=*/false, /*copy=*/true);
}

torch::Tensor to_unit_float(const torch::Tensor& images) {
  return images.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor model_input(const torch::Tensor& samples) {
  return samples.scalar_type() == torch::kUInt8 ? to_unit_float(samples)
                                                : samples.to(torch::kFloat32);
}

void use_channels_last(torch::nn::Sequential& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

namespace {

Metrics stopped() {
  Metrics m;
  m.stopped = true;
  return m;
}

torch::Tensor batch_layout(torch::Tensor x, bool channels_last) {
  return channels_last ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

// Eager batches of each size before its CUDA graph is captured.
constexpr int kGraphWarmup = 3;

}  // namespace

EpochTrainer::EpochTrainer(torch::nn::Sequential model, Optimizer& optimizer, EpochOptions options)
    : model_(std::move(model)), optimizer_(optimizer), options_(options) {
  const auto parameters = model_->parameters();
  if (options_.cuda_graphs && StepGraphs::compiled() && !parameters.empty() &&
      parameters.front().is_cuda()) {
    graphs_ = std::make_unique<StepGraphs>(parameters.front().device(), kGraphWarmup);
  }
}

EpochTrainer::~EpochTrainer() = default;

int EpochTrainer::graphs_captured() const { return graphs_ ? graphs_->captured() : 0; }

void EpochTrainer::set_distributed(Distributed* distributed) {
  distributed_ = distributed;
  if (!parallel()) return;
  if (options_.carried_iterator) {
    throw core::UsageError(
        "--protocol reference trains with the 2018 code's carried iterator, which runs in one "
        "process: train it without --processes (or with one task)");
  }
  // Rank 0's weights, whatever each rank built or read from a checkpoint.
  distributed_->broadcast_parameters(*model_);
  graphs_.reset();  // the all-reduce between backward and update cannot be captured
}

bool EpochTrainer::parallel() const {
  return distributed_ != nullptr && distributed_->world_size() > 1;
}

torch::Tensor& EpochTrainer::index_buffer(std::int64_t size, const torch::Device& device) {
  auto& buffer = index_buffers_[size];
  if (!buffer.defined()) {
    buffer = torch::zeros({size}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  }
  return buffer;
}

void EpochTrainer::step(const TensorData& data, const torch::Tensor& index, std::int64_t global) {
  if (index.size(0) == 0) {  // a global batch smaller than the ranks: this one has no samples
    learn({}, {}, global);
    return;
  }
  learn(augment(model_input(data.images.index_select(0, index)), options_.shift, options_.flip,
                options_.flip_axis),
        data.labels.index_select(0, index), global);
}

void EpochTrainer::learn(const torch::Tensor& input, const torch::Tensor& y, std::int64_t global) {
  // Captured steps must keep the gradient tensors where they are.
  if (graphs_) {
    optimizer_.zero_grad_in_place();
  } else {
    optimizer_.zero_grad();
  }
  if (!input.defined()) {
    distributed_->average_gradients(*model_, 0, global);
    optimizer_.update();
    return;
  }
  const auto x = batch_layout(input, options_.channels_last);
  torch::Tensor logits;
  torch::Tensor loss;
  {
    const AutocastGuard autocast(x.device().type(), options_.precision,
                                 /*cache=*/graphs_ == nullptr);
    logits = model_->forward(x);
    loss = smoothed_crossentropy(logits, y, options_.label_smoothing).mean();  // float32 too
  }
  loss.backward();
  if (parallel()) distributed_->average_gradients(*model_, x.size(0), global);
  optimizer_.update();
  torch::NoGradGuard no_grad;
  loss_sum_ += loss.detach().to(torch::kFloat64) * static_cast<double>(x.size(0));
  correct_ += logits.argmax(1).eq(y).sum();
}

Metrics EpochTrainer::train_epoch(const TensorData& data, const ProgressFn& progress,
                                  std::int64_t max_batches, const StopFn& stop) {
  if (data.streamed()) return train_streamed(data, progress, max_batches, stop);
  model_->train();
  const auto device = data.images.device();
  bind_step_tensors(data);
  struct SideStream {  // graphs run on their own stream, ordered with the caller's
    StepGraphs* graphs;
    explicit SideStream(StepGraphs* g) : graphs(g) {
      if (graphs) graphs->enter();
    }
    ~SideStream() {
      if (graphs) graphs->leave();
    }
  } side_stream(graphs_.get());

  const std::int64_t n = data.size();
  const auto on_device = torch::TensorOptions().device(device);
  loss_sum_.zero_();
  correct_.zero_();
  std::int64_t seen = 0;
  std::int64_t batches = 0;
  const std::int64_t batch = options_.batch_size;
  if (options_.carried_iterator) {
    const std::int64_t steps = steps_per_epoch(n);
    const std::int64_t per_pass = (n + batch - 1) / batch;
    const auto expected = static_cast<std::int64_t>(samples_per_epoch(n));
    for (std::int64_t s = 0; s < steps; ++s) {
      if (max_batches >= 0 && batches == max_batches) break;
      if (stop && stop()) return stopped();
      if (!carried_.order.defined() || carried_.order.size(0) != n || !carried_.batches.defined() ||
          carried_.batches.size(0) != per_pass || carried_.next >= per_pass) {
        carried_.order = torch::randperm(n, on_device.dtype(torch::kInt64));
        carried_.batches = torch::randperm(per_pass, torch::kInt64);  // the CPU's generator
        carried_.next = 0;
      }
      const std::int64_t k = carried_.batches[carried_.next].item<std::int64_t>();
      const std::int64_t begin = k * batch;
      const std::int64_t end = std::min(n, begin + batch);
      run_batch(data, carried_.order.slice(0, begin, end), end - begin);
      ++carried_.next;
      seen += end - begin;
      ++batches;
      if (progress) progress(seen, std::max(seen, expected));
    }
  } else {
    auto order = torch::randperm(n, on_device.dtype(torch::kInt64));
    // Every rank takes rank 0's order (augmentation draws make the ranks' generators differ).
    if (parallel()) distributed_->broadcast(order);
    for (std::int64_t begin = 0; begin < n; begin += batch) {
      if (max_batches >= 0 && batches == max_batches) break;
      if (stop && stop()) return stopped();
      const std::int64_t end = std::min(n, begin + batch);
      // This rank's part of the global batch (all of it in one process).
      const ShardRange r =
          parallel() ? shard_range(end - begin, distributed_->rank(), distributed_->world_size())
                     : ShardRange{0, end - begin};
      run_batch(data, order.slice(0, begin + r.begin, begin + r.end), end - begin);
      seen = end;
      ++batches;
      if (progress) progress(end, n);
    }
  }
  return epoch_metrics(seen);
}

Metrics EpochTrainer::train_streamed(const TensorData& data, const ProgressFn& progress,
                                     std::int64_t max_batches, const StopFn& stop) {
  if (options_.carried_iterator) {
    throw core::UsageError(
        "a streamed dataset trains in whole passes, not from a carried iterator");
  }
  model_->train();
  const auto device = data.device();
  bind_step_tensors(data);
  loss_sum_.zero_();
  correct_.zero_();
  const std::int64_t n = data.size();
  const std::int64_t batch = options_.batch_size;
  const int rank = parallel() ? distributed_->rank() : 0;
  const int world = parallel() ? distributed_->world_size() : 1;
  // The epoch's order, rank 0's on every rank; this rank's files are its share of each global
  // batch, in order, so that its loader cuts them into batches of its share of a full batch.
  auto order = torch::randperm(n, torch::kInt64);
  if (parallel()) distributed_->broadcast(order);
  const std::vector<torch::Tensor> shards = shard_batches(order, batch, rank, world);
  std::vector<std::size_t> mine;
  mine.reserve(static_cast<std::size_t>(n / world + batch));
  for (const auto& shard : shards) {
    const auto* position = shard.data_ptr<std::int64_t>();
    for (std::int64_t k = 0; k < shard.size(0); ++k) {
      mine.push_back(data.stream->samples[static_cast<std::size_t>(position[k])]);
    }
  }
  const ShardRange full = shard_range(batch, rank, world);
  data::FolderLoader& loader = *data.stream->loader;
  loader.start_epoch(optimizer_.iterations(), std::move(mine),
                     static_cast<int>(std::max<std::int64_t>(1, full.end - full.begin)));
  data::Batch b;
  std::int64_t seen = 0;
  std::int64_t batches = 0;
  for (const auto& shard : shards) {
    if (max_batches >= 0 && batches == max_batches) break;
    if (stop && stop()) return stopped();
    const std::int64_t begin = batches * batch;
    const std::int64_t end = std::min(n, begin + batch);
    if (shard.size(0) > 0) {
      if (!loader.next(&b) || b.size != shard.size(0)) {
        throw core::RunError("the folder loader's batch " + std::to_string(batches) +
                             " does not match the epoch's order (internal)");
      }
      learn(model_input(batch_images(b, device)), torch::tensor(b.labels, torch::kInt64).to(device),
            end - begin);
    } else {
      learn({}, {}, end - begin);
    }
    optimizer_.count_step();
    seen = end;
    ++batches;
    if (progress) progress(end, n);
  }
  return epoch_metrics(seen);
}

Metrics EpochTrainer::epoch_metrics(std::int64_t seen) {
  if (seen == 0) return {};
  if (parallel()) {
    // The ranks' sums of the whole epoch; BatchNorm's statistics are rank 0's, so that every
    // rank validates (and rank 0 saves) the same network.
    auto sums = torch::stack(
        {loss_sum_.to(torch::kCPU, torch::kFloat64), correct_.to(torch::kCPU, torch::kFloat64)});
    distributed_->all_reduce_sum(sums);
    distributed_->broadcast_buffers(*model_);
    return {sums[0].item<double>() / static_cast<double>(seen),
            sums[1].item<double>() / static_cast<double>(seen)};
  }
  return {loss_sum_.item<double>() / static_cast<double>(seen),
          static_cast<double>(correct_.item<std::int64_t>()) / static_cast<double>(seen)};
}

void EpochTrainer::bind_step_tensors(const TensorData& data) {
  // A captured graph reads and writes these tensors through the addresses it was captured
  // with: the data, the metric sums and the batch-index buffers. Whenever one of them is
  // allocated anew (other data, or the data on another device), the graphs are dropped in the
  // same place, so that no replay can write into memory that was freed.
  const auto device = data.device();
  bool moved = false;
  if (!loss_sum_.defined() || loss_sum_.device() != device) {
    const auto on_device = torch::TensorOptions().device(device);
    loss_sum_ = torch::zeros({}, on_device.dtype(torch::kFloat64));
    correct_ = torch::zeros({}, on_device.dtype(torch::kInt64));
    index_buffers_.clear();
    moved = true;
  }
  if (!graphs_) return;
  if (data.streamed()) {  // a graph gathers from one tensor; streamed batches are new tensors
    graphs_.reset();
    return;
  }
  if (moved || !graph_data_.images.is_same(data.images) ||
      !graph_data_.labels.is_same(data.labels)) {
    graphs_->reset();
    graph_data_ = data;
  }
}

void EpochTrainer::run_batch(const TensorData& data, const torch::Tensor& index,
                             std::int64_t global) {
  if (graphs_) {
    auto& buffer = index_buffer(index.size(0), data.images.device());
    buffer.copy_(index);
    graphs_->run(index.size(0), [&] { step(data, buffer, global); });
  } else {
    step(data, index, global);
  }
  optimizer_.count_step();
}

std::int64_t EpochTrainer::steps_per_epoch(std::int64_t n) const {
  const std::int64_t batch = options_.batch_size;
  if (n <= 0) return 0;
  return options_.carried_iterator ? std::max<std::int64_t>(1, n / batch) : (n + batch - 1) / batch;
}

double EpochTrainer::samples_per_epoch(std::int64_t n) const {
  if (!options_.carried_iterator || n <= 0) return static_cast<double>(n);
  const std::int64_t batch = options_.batch_size;
  const std::int64_t per_pass = (n + batch - 1) / batch;
  return static_cast<double>(steps_per_epoch(n)) * static_cast<double>(n) /
         static_cast<double>(per_pass);
}

EpochTrainer::IteratorState EpochTrainer::iterator_state() const { return carried_; }

void EpochTrainer::restore_iterator(const IteratorState& state) {
  carried_ = {};
  if (!state.order.defined() || !state.batches.defined()) return;
  carried_.next = state.next;
  carried_.batches = state.batches.to(torch::kCPU, torch::kInt64);
  carried_.order = state.order.to(torch::kInt64);
  const auto parameters = model_->parameters();
  if (!parameters.empty()) carried_.order = carried_.order.to(parameters.front().device());
}

Metrics evaluate(torch::nn::Sequential& model, const TensorData& data, int batch_size,
                 bool channels_last, Precision precision, PerSample* per_sample) {
  c10::InferenceMode inference;
  const auto device = data.device();
  const AutocastGuard autocast(device.type(), precision);
  model->eval();
  const std::int64_t n = data.size();
  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  std::vector<torch::Tensor> predicted, p_true;
  // The batches in the split's order: slices of its tensor, or the loader's (centre crops).
  std::int64_t begin = 0;
  data::Batch streamed;
  if (data.streamed()) data.stream->loader->start_epoch(0, data.stream->samples, batch_size);
  const auto next_batch = [&](torch::Tensor* images) {
    if (data.streamed()) {
      if (!data.stream->loader->next(&streamed)) return false;
      *images = batch_images(streamed, device);
      return true;
    }
    if (begin >= n) return false;
    *images = data.images.slice(0, begin, std::min<std::int64_t>(n, begin + batch_size));
    return true;
  };
  torch::Tensor images;
  while (next_batch(&images)) {
    const std::int64_t end = begin + images.size(0);
    const auto x = batch_layout(model_input(images), channels_last);
    const auto y = data.labels.slice(0, begin, end);
    begin = end;
    const auto logits = model->forward(x).to(torch::kFloat32);
    loss_sum += keras_crossentropy(logits, y).sum().to(torch::kFloat64);
    const auto classes = logits.argmax(1);
    correct += classes.eq(y).sum();
    if (per_sample != nullptr) {
      predicted.push_back(classes.to(torch::kCPU));
      p_true.push_back(
          torch::softmax(logits, 1).gather(1, y.unsqueeze(1)).squeeze(1).to(torch::kCPU));
    }
  }
  model->train();
  if (per_sample != nullptr) {
    per_sample->predicted = n == 0 ? torch::empty({0}, torch::kInt64) : torch::cat(predicted);
    per_sample->p_true = n == 0 ? torch::empty({0}, torch::kFloat32) : torch::cat(p_true);
  }
  if (n == 0) return {};
  return {loss_sum.item<double>() / static_cast<double>(n),
          static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n)};
}

run::Predictions predictions_of(const TensorData& data, const PerSample& outcome, int weights_epoch,
                                const std::string& level_folder) {
  run::Predictions p;
  p.weights_epoch = weights_epoch;
  p.level = level_folder;
  const auto labels = data.labels.to(torch::kCPU).to(torch::kInt32).contiguous();
  const auto predicted = outcome.predicted.to(torch::kInt32).contiguous();
  const auto p_true = outcome.p_true.to(torch::kFloat32).contiguous();
  const auto n = static_cast<std::size_t>(labels.numel());
  p.label.assign(labels.data_ptr<std::int32_t>(), labels.data_ptr<std::int32_t>() + n);
  p.predicted.assign(predicted.data_ptr<std::int32_t>(), predicted.data_ptr<std::int32_t>() + n);
  p.p_true.assign(p_true.data_ptr<float>(), p_true.data_ptr<float>() + n);
  return p;
}

}  // namespace helmholtz::train
