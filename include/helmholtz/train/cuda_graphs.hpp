#pragma once
// Replays the training step from CUDA graphs: small CNNs on 32x32 images are bound by kernel
// launches, and one graph launch replaces the ~100 launches of a step (gather, augmentation,
// forward, backward, optimizer update, metric sums).
//
// Shapes are fixed inside a graph, so there is one graph per batch size (the full batch and the
// epoch's short last batch), all sharing one memory pool. A batch size is run eagerly for its
// first `warmup` batches (cuDNN picks its algorithms, autograd and the allocator settle), then
// captured once and replayed from then on. Everything runs on one side stream, as capture
// requires; enter()/leave() order it after and before the caller's stream.
//
// The step must read its inputs from tensors that stay where they are (static buffers) and
// must not wait on the host. Compiled only against a LibTorch with CUDA (HELMHOLTZ_WITH_CUDA);
// elsewhere `compiled()` is false and the constructor throws.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace helmholtz::train {

class StepGraphs {
 public:
  static bool compiled();

  StepGraphs(const torch::Device& device, int warmup);
  ~StepGraphs();
  StepGraphs(const StepGraphs&) = delete;
  StepGraphs& operator=(const StepGraphs&) = delete;

  // Switch the current CUDA stream to the side stream (after the caller's pending work), and
  // back (the caller's stream then waits for everything done on the side stream).
  void enter();
  void leave();

  // One batch of `size`: runs `step` eagerly, or captures it, or replays its graph.
  // Returns true when the batch ran from a graph. A failed capture throws core::RunError.
  bool run(std::int64_t size, const std::function<void()>& step);

  // Drops every graph (the step's static inputs moved); batch sizes warm up again.
  void reset();

  // Graphs captured so far.
  int captured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace helmholtz::train
