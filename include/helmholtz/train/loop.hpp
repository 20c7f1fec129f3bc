#pragma once
// One epoch of training and one evaluation pass.
// A built-in dataset is one tensor [N, C, H, W] on the training device (uint8 pixels or float32
// mel features). Each epoch draws its permutation there, and each step gathers its batch by
// index, augments it, runs forward, backward and the optimizer update, and adds its loss and hits
// to sums on the device: nothing loops over samples on the host, and the host reads the device
// once per epoch. On CUDA the step is replayed from CUDA graphs (see cuda_graphs.hpp).
// A folder dataset streams: its loader's worker threads decode, crop and flip the epoch's files
// a few batches ahead (data/folder_loader.hpp), and each step copies its batch to the device.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/run/predictions.hpp"
#include "helmholtz/train/augment.hpp"
#include "helmholtz/train/optimizer.hpp"
#include "helmholtz/train/precision.hpp"

namespace helmholtz::train {

// A split of a folder dataset, streamed from its files.
struct StreamedSplit {
  std::shared_ptr<data::FolderLoader> loader;  // a training or an evaluation loader
  std::vector<std::size_t> samples;            // the split's files, as indices into the loader's
};

struct TensorData {
  torch::Tensor images;  // uint8 pixels or float32 features, [N, C, H, W]; undefined if streamed
  torch::Tensor labels;  // int64 [N] on the training device (streamed: of stream->samples)
  std::shared_ptr<StreamedSplit> stream;  // set for a folder dataset's split
  std::int64_t size() const {
    return images.defined() ? images.size(0) : labels.defined() ? labels.size(0) : 0;
  }
  bool streamed() const { return stream != nullptr; }
  torch::Device device() const { return images.defined() ? images.device() : labels.device(); }
};

// A loader's batch as uint8 [N, 3, H, W] on `device` (channels-last strides when the batch is
// HWC), owning its memory.
torch::Tensor batch_images(const data::Batch& batch, const torch::Device& device);

// Copies an ImageSet (HWC bytes) into a TensorData on `device`; the result owns its memory.
TensorData to_tensors(const data::ImageSet& set, const torch::Device& device);

struct Metrics {
  double loss = 0;       // mean softmax cross-entropy
  double acc = 0;        // fraction correct
  bool stopped = false;  // the epoch was cut short by a stop request: not a whole epoch
};

// Filled by field name (train::epoch_options does it from a run spec): the user-provided
// constructor makes it no aggregate, so `EpochOptions{128, 0.1, true, true}`, where two
// adjacent bools could swap unnoticed, does not compile.
struct EpochOptions {
  EpochOptions() {}  // NOLINT(modernize-use-equals-default): = default would keep it an aggregate
  int batch_size = 128;
  double shift = 0.1;
  bool flip = true;
  FlipAxis flip_axis = FlipAxis::kHorizontal;
  // The reference protocol, as Keras 2.1's fit_generator(steps_per_epoch = N // batch) ran its
  // ImageDataGenerator iterator (a Sequence, through an OrderedEnqueuer with shuffle): an epoch
  // is floor(N / batch) steps (at least one) of one iterator carried on across epochs. Each of
  // its passes cuts a fresh random order of the N samples into ceil(N / batch) batches, the
  // last one short, and visits the batches in a random order, so the short batch turns up
  // anywhere in a pass, inside an epoch. Off: an epoch is one whole pass in a fresh order, the
  // short batch last.
  bool carried_iterator = false;
  bool channels_last = false;  // feed batches as NHWC (use with use_channels_last on the model)
  Precision precision = Precision::kFp32;
  // Replay steps from CUDA graphs where the model is on a GPU (CUDA builds only).
  bool cuda_graphs = false;
  // The training loss's label smoothing (train/smoothed_loss.hpp); evaluation is unsmoothed.
  double label_smoothing = 0.0;
};

// Stores the model's 4-d weights channels-last (NHWC), the layout oneDNN and cuDNN prefer.
void use_channels_last(torch::nn::Sequential& model);

// Called after each batch with (images done, images in the epoch).
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;
// Asked before each step: true stops the epoch there (a signal asked the run to stop).
using StopFn = std::function<bool()>;

class StepGraphs;
class Distributed;

// Trains one model with one optimizer, epoch after epoch. It keeps what the steps reuse: the
// metric sums, the batch-index buffers and, on CUDA, the captured graphs.
class EpochTrainer {
 public:
  EpochTrainer(torch::nn::Sequential model, Optimizer& optimizer, EpochOptions options);
  ~EpochTrainer();
  EpochTrainer(const EpochTrainer&) = delete;
  EpochTrainer& operator=(const EpochTrainer&) = delete;

  // One epoch: a pass over `data` in a fresh random order (torch's RNG), the last batch maybe
  // short (a streamed split: the loader crops and flips, the shift and flip options do not
  // apply, and its draws are keyed by the optimizer's step count at the epoch's start, which a
  // checkpoint keeps); or, with carried_iterator, the next floor(N / batch) batches of the carried
  // iterator. With max_batches >= 0, stops after that many batches (warm-up in benchmarks);
  // the metrics are then over the samples seen. When `stop` says so before a step, returns
  // at once with `stopped` set (the model and iterator have moved on: reload a checkpoint).
  Metrics train_epoch(const TensorData& data, const ProgressFn& progress = nullptr,
                      std::int64_t max_batches = -1, const StopFn& stop = nullptr);

  // The optimizer steps of an epoch over `n` samples: ceil(n / batch), or with
  // carried_iterator floor(n / batch) (at least 1); and the samples it sees on average (n, or
  // those steps' share of a pass of ceil(n / batch) batches).
  std::int64_t steps_per_epoch(std::int64_t n) const;
  double samples_per_epoch(std::int64_t n) const;

  // Where the carried iterator stands: the current pass's sample order and batch order
  // (undefined before the first step: the next step draws them) and how many of its batches
  // are done (a pass that is done draws new ones at the next step). A checkpoint keeps it, so
  // that a resumed run continues the same pass.
  struct IteratorState {
    torch::Tensor order;    // int64 [N], on the training device: sample positions
    torch::Tensor batches;  // int64 [ceil(N / batch)], on the CPU: batch k of the pass
    std::int64_t next = 0;  // batches of the pass done
  };
  IteratorState iterator_state() const;
  // Puts the order on the model's device; an order of another size than the data is redrawn.
  void restore_iterator(const IteratorState& state);

  // Data-parallel training (train/distributed.hpp): every rank draws rank 0's epoch order,
  // takes rank 0's weights (broadcast here, whatever each rank built or read from a checkpoint),
  // trains its shard of each global batch of options.batch_size (shard_range), and the ranks
  // average their gradients before each update, so that the weights are those of one process
  // on the whole batches; the epoch's metrics are summed over the ranks, and BatchNorm's
  // running statistics are rank 0's after each epoch. CUDA graphs are off (the all-reduce is
  // not captured). The reference protocol's carried iterator is refused (core::UsageError).
  // Not owned; null or one process: no-op.
  void set_distributed(Distributed* distributed);

  // Whether steps replay from CUDA graphs (decided at construction from the options, the
  // model's device and the build), and how many graphs were captured so far.
  bool uses_cuda_graphs() const { return graphs_ != nullptr; }
  int graphs_captured() const;

 private:
  // `index`: this rank's samples of a global batch of `global` samples (all of it in one
  // process).
  void step(const TensorData& data, const torch::Tensor& index, std::int64_t global);
  // Forward, backward (the gradients averaged over the ranks) and update on `x` (the network's
  // input) and labels `y`, this rank's part of a global batch of `global` samples; undefined
  // x: this rank has no samples of the batch.
  void learn(const torch::Tensor& x, const torch::Tensor& y, std::int64_t global);
  Metrics train_streamed(const TensorData& data, const ProgressFn& progress,
                         std::int64_t max_batches, const StopFn& stop);
  // The epoch's loss and accuracy over the `seen` samples (summed over the ranks).
  Metrics epoch_metrics(std::int64_t seen);
  void run_batch(const TensorData& data, const torch::Tensor& index, std::int64_t global);
  bool parallel() const;
  // (Re)allocates the metric sums on the data's device and drops the CUDA graphs when any
  // tensor they were captured with has changed (see loop.cpp).
  void bind_step_tensors(const TensorData& data);
  torch::Tensor& index_buffer(std::int64_t size, const torch::Device& device);

  torch::nn::Sequential model_;
  Optimizer& optimizer_;
  EpochOptions options_;
  torch::Tensor loss_sum_;  // float64, sum of batch-mean loss x batch size
  torch::Tensor correct_;   // int64
  std::map<std::int64_t, torch::Tensor> index_buffers_;  // one per batch size (static inputs)
  IteratorState carried_;                                // carried_iterator: the pass in progress
  std::unique_ptr<StepGraphs> graphs_;
  TensorData graph_data_;  // the data the graphs read (through its addresses)
  Distributed* distributed_ = nullptr;
};

// Each sample's outcome of an evaluation, on the CPU: the class predicted (int64 [N]) and the
// softmax probability of the true class (float32 [N]).
struct PerSample {
  torch::Tensor predicted;
  torch::Tensor p_true;
};

// Loss and accuracy over `data` in eval mode (no dropout), without gradients, in batches of
// `batch_size`, at `precision` (autocast as in training). With `per_sample`, also each sample's
// outcome (the predictions files).
Metrics evaluate(torch::nn::Sequential& model, const TensorData& data, int batch_size,
                 bool channels_last = false, Precision precision = Precision::kFp32,
                 PerSample* per_sample = nullptr);

// The predictions file's rows (run/predictions.hpp) from an evaluation's per-sample outcomes.
run::Predictions predictions_of(const TensorData& data, const PerSample& outcome, int weights_epoch,
                                const std::string& level_folder);

// uint8 [N, C, H, W] -> float in [0, 1].
torch::Tensor to_unit_float(const torch::Tensor& images);

// What the network sees: uint8 pixels scaled to [0, 1]; float features as they are.
torch::Tensor model_input(const torch::Tensor& samples);

}  // namespace helmholtz::train
