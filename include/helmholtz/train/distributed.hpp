#pragma once
// Data-parallel training on torch.distributed's c10d: one process per device, each training on
// its shard of every global batch, their gradients averaged before each optimizer step, so that
// W processes take the same steps as one process on the whole batches (up to float rounding).
//
// The process group is Gloo (CPU tensors) or, in a CUDA build that found NCCL's headers, NCCL
// (CUDA tensors). Processes meet through a TCP store at the master's address and port (rank 0
// serves it), or through a file that all of them can reach. Where they learn their rank from is
// parsed once, at the edge, into a DistributedConfig (distributed_config_from_environment):
//   torchrun / torch.distributed.launch: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT
//   Slurm (a job step srun started): SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID, the
//                 first host of SLURM_STEP_NODELIST or SLURM_JOB_NODELIST, a port from
//                 SLURM_JOB_ID (MASTER_ADDR and MASTER_PORT, when set, win); a batch script or
//                 array task without srun is one process
//   neither:      one process (world_size 1), and every operation below does nothing.
//
// Every collective is called by all ranks in the same order. When another rank dies or stops
// answering, the call throws DistributedError (one line: this rank, the operation, the cause)
// at once or after the timeout, instead of hanging.

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"

namespace helmholtz::train {

// A collective failed: another rank died, hung past the timeout, or the processes could not
// meet. Its message is one line that names this rank, the operation and the cause.
class DistributedError : public core::Error {
 public:
  using core::Error::Error;
};

enum class DistributedBackend {
  kGloo,  // CPU tensors; TCP between the processes
  kNccl,  // CUDA tensors; CUDA builds with NCCL's headers only
};

std::string to_string(DistributedBackend backend);

// NCCL for a CUDA device where this build has it, else Gloo.
DistributedBackend backend_for(const torch::Device& device);

// Whether this build can make a process group of that backend (Gloo needs gloo's headers at
// build time: Debian's libgloo-dev; NCCL a CUDA build and nccl.h).
bool backend_compiled(DistributedBackend backend);

// Where the processes of a run learn who they are; set by field name.
struct DistributedConfig {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;  // the rank among the processes on this node (which GPU to take)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  DistributedBackend backend = DistributedBackend::kGloo;
  // How long a collective, or the meeting of all processes, may wait for the others.
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  // Not empty: meet through this file (c10d's FileStore, on a file system all ranks share; it
  // must not exist yet) instead of the TCP store at master_addr:master_port.
  std::filesystem::path store_file;
  std::string source = "none";  // "torchrun", "slurm" or "none": where the values came from

  bool distributed() const { return world_size > 1; }
};

// The GPU of this process: its local rank among the GPUs it sees (all of the node's under
// torchrun; one under `srun --gpus-per-task 1`, which is then GPU 0).
int gpu_of(const DistributedConfig& config);

// Looks up one environment variable (nullopt when unset); tests pass a map instead of the
// process's environment.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> process_environment(const std::string& name);

// The config from torchrun's or Slurm's variables (see the top of this file); one process when
// neither is set. Throws core::UsageError naming the variable when one is missing, not a
// number, or inconsistent (a rank outside the world, a port outside 1-65535, ...).
DistributedConfig distributed_config_from_environment(
    const EnvironmentLookup& env = process_environment);

// The first host of a Slurm node list: "node[01-03,07],gpu5" -> "node01".
std::string first_slurm_host(const std::string& node_list);

// The part of one global batch of `batch` samples that `rank` of `world` trains on: contiguous
// slices in rank order, sizes differing by at most one (the first batch % world ranks take one
// more), so that the ranks' slices, concatenated in rank order, are the global batch. A rank's
// slice may be empty when batch < world.
struct ShardRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end - begin; }
};
ShardRange shard_range(std::int64_t batch, int rank, int world);

// This rank's sample indices of each global batch of `order` (a permutation of the N samples,
// the same on every rank: the one-process epoch order), the global batches being consecutive
// slices of `batch` samples, the last one short: the same batches, in the same order, as one
// process takes, each cut by shard_range.
std::vector<torch::Tensor> shard_batches(const torch::Tensor& order, std::int64_t batch, int rank,
                                         int world);

// The process group of one run: made from a config (all ranks meet here, within the timeout),
// released when it goes out of scope. With world_size 1 nothing is made and every operation is
// a no-op, so the training loop can call them unconditionally.
class Distributed {
 public:
  explicit Distributed(const DistributedConfig& config);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return config_.rank; }
  int world_size() const { return config_.world_size; }
  bool is_main() const { return config_.rank == 0; }
  const DistributedConfig& config() const { return config_; }

  // Copies rank 0's parameters and buffers into every rank's module (after building it, and
  // after rank 0 alone has loaded a checkpoint).
  void broadcast_parameters(torch::nn::Module& module);
  // Rank 0's buffers alone (BatchNorm's running statistics, which each rank accumulates over
  // its own shards), before evaluating or saving.
  void broadcast_buffers(torch::nn::Module& module);

  // Replaces each parameter's gradient by the mean over the ranks, in a few flat buckets. Call
  // it after backward and before the optimizer step, on every rank, every step. With equal
  // shards the mean of the ranks' batch-mean gradients is the whole batch's; a gradient that
  // is not there (a parameter the step did not reach) counts as zeros and is made so.
  void average_gradients(torch::nn::Module& module);
  // The same for unequal shards (the short last batch): each rank's gradient, the mean over
  // its `local_samples`, is weighted by local_samples / global_samples before the sum, which
  // is then exactly the mean over the whole batch of `global_samples`. A rank with an empty
  // shard still calls it, with its gradients zeroed.
  void average_gradients(torch::nn::Module& module, std::int64_t local_samples,
                         std::int64_t global_samples);

  // Sums `tensor` over the ranks in place (metric sums: loss x samples, hits, counts).
  void all_reduce_sum(torch::Tensor& tensor);
  // Copies rank 0's tensor into every rank's (the epoch order, where ranks might disagree).
  void broadcast(torch::Tensor& tensor);
  // Waits until every rank has come here.
  void barrier();

 private:
  struct Group;
  // Sums `tensors` over the ranks in buckets, each rank's scaled by `scale` first.
  void all_reduce_in_buckets(std::vector<torch::Tensor> tensors, const char* what,
                             double scale = 1.0);
  void broadcast_each(const std::vector<torch::Tensor>& tensors, const char* what);

  DistributedConfig config_;
  std::unique_ptr<Group> group_;  // null with one process
};

}  // namespace helmholtz::train
