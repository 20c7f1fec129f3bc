#include "helmholtz/train/cuda_graphs.hpp"

#include <map>
#include <optional>
#include <string>

#include "helmholtz/core/error.hpp"

#ifdef HELMHOLTZ_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace helmholtz::train {

#ifdef HELMHOLTZ_WITH_CUDA

struct StepGraphs::Impl {
  struct Slot {
    int eager_runs = 0;
    std::unique_ptr<at::cuda::CUDAGraph> graph;
  };

  Impl(const torch::Device& device, int warmup)
      : device_index(device.index() < 0 ? c10::cuda::current_device() : device.index()),
        warmup(warmup),
        side(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device_index)) {}

  c10::DeviceIndex device_index;
  int warmup;
  c10::cuda::CUDAStream side;
  std::optional<c10::cuda::CUDAStream> caller;
  std::map<std::int64_t, Slot> slots;
  std::optional<c10::cuda::MempoolId_t> pool;
};

bool StepGraphs::compiled() { return true; }

StepGraphs::StepGraphs(const torch::Device& device, int warmup) {
  if (!device.is_cuda()) {
    throw core::RunError("CUDA graphs need a CUDA device, not " + device.str());
  }
  impl_ = std::make_unique<Impl>(device, warmup);
}

StepGraphs::~StepGraphs() {
  if (impl_ && impl_->caller) leave();
}

void StepGraphs::enter() {
  auto& i = *impl_;
  if (i.caller) return;
  i.caller = c10::cuda::getCurrentCUDAStream(i.device_index);
  at::cuda::CUDAEvent ready;
  ready.record(*i.caller);
  ready.block(i.side);
  c10::cuda::setCurrentCUDAStream(i.side);
}

void StepGraphs::leave() {
  auto& i = *impl_;
  if (!i.caller) return;
  at::cuda::CUDAEvent done;
  done.record(i.side);
  done.block(*i.caller);
  c10::cuda::setCurrentCUDAStream(*i.caller);
  i.caller.reset();
}

bool StepGraphs::run(std::int64_t size, const std::function<void()>& step) {
  auto& i = *impl_;
  // Capture and replay use the current device's current stream: make that the run's device
  // (whose current stream enter() made the side stream), whatever device is current.
  const c10::cuda::CUDAGuard guard(i.device_index);
  auto& slot = i.slots[size];
  if (slot.graph) {
    slot.graph->replay();
    return true;
  }
  if (slot.eager_runs < i.warmup) {
    step();
    ++slot.eager_runs;
    return false;
  }
  // Capture records the step without running it; the replay below then runs it.
  i.side.synchronize();
  auto graph = std::make_unique<at::cuda::CUDAGraph>();
  try {
    if (i.pool) {
      graph->capture_begin(*i.pool);
    } else {
      graph->capture_begin();
    }
    step();
    graph->capture_end();
  } catch (const std::exception& e) {
    try {
      graph->capture_end();
    } catch (const std::exception&) {
      // the capture is already over; the first error is the one to report
    }
    throw core::RunError(std::string("capturing the training step as a CUDA graph failed: ") +
                         e.what() + " (rerun with --no-cuda-graphs; add --resume to continue)");
  }
  if (!i.pool) i.pool = graph->pool();
  slot.graph = std::move(graph);
  slot.graph->replay();
  return true;
}

void StepGraphs::reset() {
  auto& i = *impl_;
  const c10::cuda::CUDAGuard guard(i.device_index);
  i.side.synchronize();
  i.slots.clear();
  i.pool.reset();
}

int StepGraphs::captured() const {
  int n = 0;
  for (const auto& [size, slot] : impl_->slots) n += slot.graph ? 1 : 0;
  return n;
}

#else  // a LibTorch without CUDA: no graphs

struct StepGraphs::Impl {};

bool StepGraphs::compiled() { return false; }

StepGraphs::StepGraphs(const torch::Device& device, int) {
  throw core::RunError("CUDA graphs are not compiled into this build (its LibTorch has no "
                       "CUDA), so they cannot run on " +
                       device.str());
}

StepGraphs::~StepGraphs() = default;
void StepGraphs::enter() {}
void StepGraphs::leave() {}
bool StepGraphs::run(std::int64_t, const std::function<void()>& step) {
  step();
  return false;
}
void StepGraphs::reset() {}
int StepGraphs::captured() const { return 0; }

#endif

}  // namespace helmholtz::train
