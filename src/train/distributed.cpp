#include "helmholtz/train/distributed.hpp"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>

// c10d's process groups are compiled into libtorch_cpu (Gloo) and libtorch_cuda (NCCL); their
// headers hide each one behind the macro its build defined. Gloo's headers are not part of
// Debian's libtorch-dev but of libgloo-dev: without them this build has no process group, and
// making one says so.
#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && \
    __has_include(<gloo/context.h>)
#define USE_C10D_GLOO 1
#define HELMHOLTZ_HAS_GLOO 1
#endif
#if defined(HELMHOLTZ_WITH_CUDA) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>) && __has_include(<nccl.h>)
#define USE_C10D_NCCL 1
#define HELMHOLTZ_HAS_NCCL 1
#endif

#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef HELMHOLTZ_HAS_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef HELMHOLTZ_HAS_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "helmholtz/core/spdlog.hpp"

namespace helmholtz::train {

// Helpers in a named namespace: the CUDA syntax check (tests/cuda/cuda_syntax_check.sh)
// compiles this file in one translation unit with the other CUDA-only sources.
namespace distributed_detail {

// Gradient buckets of about this size: few enough collectives per step that their latency does
// not dominate a small network, small enough not to double a large one's memory at once.
constexpr std::int64_t kBucketBytes = std::int64_t{25} << 20;

// Slurm jobs without MASTER_PORT meet on this port plus the job id modulo kSlurmPortSpan: below
// Linux's ephemeral ports (32768 on), the same for every task of the job.
constexpr int kSlurmPortBase = 10000;
constexpr int kSlurmPortSpan = 20000;

// One line from any exception c10d or Gloo throws: c10::Error without its backtrace, line
// breaks joined.
std::string one_line(const std::exception& e) {
  std::string text;
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
    text = c10_error->what_without_backtrace();
  } else {
    text = e.what();
  }
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (!out.empty() && out.back() != ';') out += "; ";
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

int parse_int(const std::string& name, const std::string& value) {
  std::size_t used = 0;
  long number = 0;
  try {
    number = std::stol(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || number < 0 || number > 1000000000) {
    throw core::UsageError("the environment variable " + name + "='" + value +
                           "' is not a whole number >= 0: set it as torchrun or srun would");
  }
  return static_cast<int>(number);
}

int required_int(const EnvironmentLookup& env, const std::string& name, const std::string& why) {
  const auto value = env(name);
  if (!value) throw core::UsageError("the environment variable " + name + " is not set: " + why);
  return parse_int(name, *value);
}

std::optional<int> optional_int(const EnvironmentLookup& env, const std::string& name) {
  const auto value = env(name);
  if (!value) return std::nullopt;
  return parse_int(name, *value);
}

}  // namespace distributed_detail

using distributed_detail::one_line;

std::string to_string(DistributedBackend backend) {
  return backend == DistributedBackend::kNccl ? "nccl" : "gloo";
}

bool backend_compiled(DistributedBackend backend) {
  switch (backend) {
    case DistributedBackend::kGloo:
#ifdef HELMHOLTZ_HAS_GLOO
      return true;
#else
      return false;
#endif
    case DistributedBackend::kNccl:
#ifdef HELMHOLTZ_HAS_NCCL
      return true;
#else
      return false;
#endif
  }
  return false;
}

DistributedBackend backend_for(const torch::Device& device) {
  if (device.is_cuda() && backend_compiled(DistributedBackend::kNccl)) {
    return DistributedBackend::kNccl;
  }
  return DistributedBackend::kGloo;
}

int gpu_of(const DistributedConfig& config) {
  const auto gpus = static_cast<int>(torch::cuda::device_count());
  return gpus > 0 ? config.local_rank % gpus : 0;
}

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string first_slurm_host(const std::string& node_list) {
  // The first entry: up to the first comma outside brackets.
  std::string entry;
  int depth = 0;
  for (char c : node_list) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) break;
    entry += c;
  }
  // Each bracket group becomes its first value: "[01-03,07]" -> "01".
  std::string host;
  for (std::size_t i = 0; i < entry.size(); ++i) {
    if (entry[i] != '[') {
      host += entry[i];
      continue;
    }
    const std::size_t close = entry.find(']', i);
    if (close == std::string::npos) {
      throw core::UsageError("the Slurm node list '" + node_list +
                             "' has an unclosed '[': expected a form such as node[01-03,07]");
    }
    const std::string group = entry.substr(i + 1, close - i - 1);
    const std::string first = group.substr(0, group.find_first_of(",-"));
    if (first.empty()) {
      throw core::UsageError("the Slurm node list '" + node_list +
                             "' has an empty range: expected a form such as node[01-03,07]");
    }
    host += first;
    i = close;
  }
  return host;
}

DistributedConfig distributed_config_from_environment(const EnvironmentLookup& env) {
  using distributed_detail::optional_int;
  using distributed_detail::required_int;
  DistributedConfig c;
  const bool torchrun = env("RANK").has_value() || env("WORLD_SIZE").has_value();
  // Slurm's ranks are those of a job step that srun started (SLURM_STEP_NUM_TASKS): a batch
  // script, an array task or a job step of one task that runs helmholtz directly is one process,
  // whatever the job holds.
  const bool slurm =
      !torchrun && env("SLURM_PROCID").has_value() && env("SLURM_STEP_NUM_TASKS").has_value();
  if (torchrun) {
    c.source = "torchrun";
    const std::string why =
        "torchrun sets RANK and WORLD_SIZE together; set both, or neither "
        "for one process";
    c.rank = required_int(env, "RANK", why);
    c.world_size = required_int(env, "WORLD_SIZE", why);
    c.local_rank = optional_int(env, "LOCAL_RANK").value_or(0);
  } else if (slurm) {
    c.source = "slurm";
    c.rank = required_int(env, "SLURM_PROCID", "");
    // A job step (srun) may run fewer tasks than the job holds.
    c.world_size = required_int(env, "SLURM_STEP_NUM_TASKS", "");
    c.local_rank = optional_int(env, "SLURM_LOCALID").value_or(0);
  } else {
    return c;  // one process
  }
  const std::string world_variable = torchrun ? "WORLD_SIZE" : "SLURM_STEP_NUM_TASKS";
  const std::string rank_variable = torchrun ? "RANK" : "SLURM_PROCID";
  if (c.world_size < 1) {
    throw core::UsageError("the environment variable " + world_variable +
                           " is 0: a run needs at least one process");
  }
  if (c.rank >= c.world_size) {
    throw core::UsageError("the environment variable " + rank_variable + "=" +
                           std::to_string(c.rank) + " is not below " + world_variable + "=" +
                           std::to_string(c.world_size) + ": ranks run from 0 to world size - 1");
  }
  if (c.world_size == 1) return c;

  if (const auto addr = env("MASTER_ADDR"); addr && !addr->empty()) {
    c.master_addr = *addr;
  } else if (torchrun) {
    throw core::UsageError("the environment variable MASTER_ADDR is not set: with WORLD_SIZE=" +
                           std::to_string(c.world_size) +
                           " every process needs rank 0's host name or address");
  } else {
    auto nodes = env("SLURM_STEP_NODELIST");
    if (!nodes || nodes->empty()) nodes = env("SLURM_JOB_NODELIST");
    if (!nodes || nodes->empty()) {
      throw core::UsageError(
          "neither SLURM_STEP_NODELIST nor SLURM_JOB_NODELIST is set, nor "
          "MASTER_ADDR: set MASTER_ADDR to rank 0's host");
    }
    c.master_addr = first_slurm_host(*nodes);
  }
  if (const auto port = optional_int(env, "MASTER_PORT")) {
    c.master_port = *port;
    if (c.master_port < 1 || c.master_port > 65535) {
      throw core::UsageError("the environment variable MASTER_PORT=" + std::to_string(*port) +
                             " is not a port (1-65535)");
    }
  } else if (torchrun) {
    throw core::UsageError("the environment variable MASTER_PORT is not set: with WORLD_SIZE=" +
                           std::to_string(c.world_size) +
                           " every process needs the port where rank 0 listens");
  } else {
    const int job = required_int(env, "SLURM_JOB_ID",
                                 "the port the tasks meet on is derived from it; or set "
                                 "MASTER_PORT");
    c.master_port = distributed_detail::kSlurmPortBase + job % distributed_detail::kSlurmPortSpan;
  }
  return c;
}

ShardRange shard_range(std::int64_t batch, int rank, int world) {
  TORCH_CHECK(world >= 1 && rank >= 0 && rank < world, "shard_range: rank ", rank, " of ", world);
  TORCH_CHECK(batch >= 0, "shard_range: batch ", batch);
  const std::int64_t base = batch / world;
  const std::int64_t extra = batch % world;
  ShardRange r;
  r.begin = rank * base + std::min<std::int64_t>(rank, extra);
  r.end = r.begin + base + (rank < extra ? 1 : 0);
  return r;
}

std::vector<torch::Tensor> shard_batches(const torch::Tensor& order, std::int64_t batch, int rank,
                                         int world) {
  TORCH_CHECK(order.dim() == 1, "shard_batches: the order must be one-dimensional");
  TORCH_CHECK(batch >= 1, "shard_batches: batch ", batch);
  const std::int64_t n = order.size(0);
  std::vector<torch::Tensor> out;
  out.reserve(static_cast<std::size_t>((n + batch - 1) / batch));
  for (std::int64_t begin = 0; begin < n; begin += batch) {
    const std::int64_t end = std::min(n, begin + batch);
    const ShardRange r = shard_range(end - begin, rank, world);
    out.push_back(order.slice(0, begin + r.begin, begin + r.end));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The process group

#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
struct Distributed::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};
#else
struct Distributed::Group {};
#endif

namespace distributed_detail {

std::string who(const DistributedConfig& c) {
  return "distributed training (rank " + std::to_string(c.rank) + " of " +
         std::to_string(c.world_size) + ", " + to_string(c.backend) + ")";
}

std::string seconds(std::chrono::milliseconds t) {
  return fmt::format("{:g} s", static_cast<double>(t.count()) / 1000.0);
}

// A peer that has died closes its sockets; writing to one must not kill this process with
// SIGPIPE before the collective can report it. Only the default disposition is replaced.
void ignore_sigpipe() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
  }
}

}  // namespace distributed_detail

Distributed::Distributed(const DistributedConfig& config) : config_(config) {
  using distributed_detail::who;
  if (config_.world_size < 1 || config_.rank < 0 || config_.rank >= config_.world_size) {
    throw core::UsageError(who(config_) + ": the rank must be in [0, world size)");
  }
  if (!config_.distributed()) return;
  if (config_.timeout.count() <= 0) {
    throw core::UsageError(who(config_) + ": the timeout must be positive");
  }
  if (!backend_compiled(config_.backend)) {
    throw core::UsageError(
        who(config_) + ": this build has no " + to_string(config_.backend) + " process group (" +
        (config_.backend == DistributedBackend::kGloo
             ? std::string("gloo's headers were not found at build time: install libgloo-dev "
                           "and configure again")
             : std::string("it needs a CUDA LibTorch and nccl.h at build time; use gloo")) +
        ")");
  }
#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
  distributed_detail::ignore_sigpipe();
  const std::string meeting =
      config_.store_file.empty()
          ? "at " + config_.master_addr + ":" + std::to_string(config_.master_port)
          : "through the file '" + config_.store_file.string() + "'";
  auto group = std::make_unique<Group>();
  try {
    if (config_.store_file.empty()) {
      c10d::TCPStoreOptions options;
      options.port = static_cast<std::uint16_t>(config_.master_port);
      options.isServer = config_.rank == 0;
      options.numWorkers = static_cast<std::size_t>(config_.world_size);
      options.waitWorkers = true;
      options.timeout = config_.timeout;
      group->store = c10::make_intrusive<c10d::TCPStore>(config_.master_addr, options);
    } else {
      group->store =
          c10::make_intrusive<c10d::FileStore>(config_.store_file.string(), config_.world_size);
    }
    group->store->setTimeout(config_.timeout);
    if (config_.backend == DistributedBackend::kGloo) {
#ifdef HELMHOLTZ_HAS_GLOO
      auto options = c10d::ProcessGroupGloo::Options::create(config_.timeout);
      // Loopback when the processes meet on this machine; else the interface GLOO_SOCKET_IFNAME
      // names, or the one this host's name resolves to (as torch.distributed chooses).
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      const bool loopback = config_.master_addr == "localhost" ||
                            config_.master_addr.rfind("127.", 0) == 0 ||
                            config_.master_addr == "::1";
      if (interface != nullptr && *interface != '\0') {
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      } else if (loopback) {
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else {
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      options->threads = 2;
      group->group = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, config_.rank,
                                                                 config_.world_size, options);
#endif
    } else {
#ifdef HELMHOLTZ_HAS_NCCL
      // Without blocking waits, NCCL's collectives ignore the timeout and a dead peer hangs
      // the others; with them, wait() throws after it. The user's own setting wins.
      setenv("NCCL_BLOCKING_WAIT", "1", /*overwrite=*/0);
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = config_.timeout;
      group->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(group->store, config_.rank,
                                                                 config_.world_size, options);
#endif
    }
  } catch (const std::exception& e) {
    throw DistributedError(
        who(config_) + ": the " + std::to_string(config_.world_size) +
        " processes did not all meet " + meeting + " within " +
        distributed_detail::seconds(config_.timeout) + ": " + one_line(e) +
        " (are all of them started, under Slurm each by srun, with the same MASTER_ADDR and "
        "MASTER_PORT, and is the port free?)");
  }
  group_ = std::move(group);
#endif
}

Distributed::~Distributed() = default;

namespace distributed_detail {

#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
// Waits for a collective; a failure becomes one DistributedError line.
void wait_for(const c10::intrusive_ptr<c10d::Work>& work, const DistributedConfig& c,
              const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw DistributedError(who(c) + ": " + what + " failed: " + one_line(e) +
                           " (another process of the run died, or did not answer within " +
                           seconds(c.timeout) + "; see its log)");
  }
}
#endif

// Where the backend's collectives take their tensors: Gloo here the host's, NCCL this rank's
// GPU. A tensor elsewhere (a GPU's gradients under Gloo, a host metric under NCCL) goes through
// a copy there and back.
torch::Device collective_device(const DistributedConfig& c) {
  return c.backend == DistributedBackend::kNccl ? torch::Device(torch::kCUDA, gpu_of(c))
                                                : torch::Device(torch::kCPU);
}

// Buckets of tensors of one dtype and device, each up to kBucketBytes (a larger tensor alone).
std::vector<std::vector<torch::Tensor>> buckets_of(const std::vector<torch::Tensor>& tensors) {
  std::map<std::tuple<int, int, int>, std::vector<std::vector<torch::Tensor>>> by_kind;
  std::map<std::tuple<int, int, int>, std::int64_t> filled;
  std::vector<std::tuple<int, int, int>> kinds;  // first-seen order, the same on every rank
  for (const auto& t : tensors) {
    const auto kind =
        std::make_tuple(static_cast<int>(t.scalar_type()), static_cast<int>(t.device().type()),
                        static_cast<int>(t.device().index()));
    auto& list = by_kind[kind];
    if (list.empty()) kinds.push_back(kind);
    const std::int64_t bytes = t.numel() * static_cast<std::int64_t>(t.element_size());
    if (list.empty() || filled[kind] + bytes > kBucketBytes) {
      list.emplace_back();
      filled[kind] = 0;
    }
    list.back().push_back(t);
    filled[kind] += bytes;
  }
  std::vector<std::vector<torch::Tensor>> out;
  for (const auto& kind : kinds) {
    for (auto& bucket : by_kind[kind]) out.push_back(std::move(bucket));
  }
  return out;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& bucket) {
  std::vector<torch::Tensor> flat;
  flat.reserve(bucket.size());
  for (const auto& t : bucket) flat.push_back(t.reshape({-1}));
  return torch::cat(flat);
}

void unflatten_into(const torch::Tensor& flat, const std::vector<torch::Tensor>& bucket) {
  std::int64_t offset = 0;
  for (const auto& t : bucket) {
    const std::int64_t n = t.numel();
    t.copy_(flat.slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

}  // namespace distributed_detail

void Distributed::all_reduce_in_buckets(std::vector<torch::Tensor> tensors, const char* what,
                                        double scale) {
#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
  using namespace distributed_detail;
  torch::NoGradGuard no_grad;
  struct Pending {
    std::vector<torch::Tensor> bucket;
    torch::Tensor flat;
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Pending> pending;
  for (auto& bucket : buckets_of(tensors)) {
    Pending p;
    p.flat = flatten(bucket);  // a copy: scaling it leaves the tensors as they are until unflatten
    if (scale != 1.0) p.flat.mul_(scale);
    p.flat = p.flat.to(collective_device(config_));
    std::vector<torch::Tensor> io{p.flat};
    try {
      p.work = group_->group->allreduce(io);
    } catch (const std::exception& e) {
      throw DistributedError(who(config_) + ": " + what + " failed: " + one_line(e));
    }
    p.bucket = std::move(bucket);
    pending.push_back(std::move(p));
  }
  for (auto& p : pending) {
    wait_for(p.work, config_, what);
    unflatten_into(p.flat, p.bucket);
  }
#else
  (void)tensors;
  (void)what;
  (void)scale;
#endif
}

void Distributed::broadcast_each(const std::vector<torch::Tensor>& tensors, const char* what) {
#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
  using namespace distributed_detail;
  torch::NoGradGuard no_grad;
  for (auto& bucket : buckets_of(tensors)) {
    auto flat = flatten(bucket).to(collective_device(config_));
    std::vector<torch::Tensor> io{flat};
    c10::intrusive_ptr<c10d::Work> work;
    try {
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      work = group_->group->broadcast(io, options);
    } catch (const std::exception& e) {
      throw DistributedError(who(config_) + ": " + what + " failed: " + one_line(e));
    }
    wait_for(work, config_, what);
    unflatten_into(flat, bucket);
  }
#else
  (void)tensors;
  (void)what;
#endif
}

void Distributed::broadcast_parameters(torch::nn::Module& module) {
  if (!group_) return;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p);
  for (const auto& b : module.buffers()) tensors.push_back(b);
  broadcast_each(tensors, "broadcasting rank 0's parameters");
}

void Distributed::broadcast_buffers(torch::nn::Module& module) {
  if (!group_) return;
  const auto buffers = module.buffers();
  broadcast_each({buffers.begin(), buffers.end()}, "broadcasting rank 0's buffers");
}

void Distributed::average_gradients(torch::nn::Module& module) {
  if (!group_) return;
  average_gradients(module, 1, config_.world_size);
}

void Distributed::average_gradients(torch::nn::Module& module, std::int64_t local_samples,
                                    std::int64_t global_samples) {
  if (!group_) return;
  TORCH_CHECK(global_samples > 0 && local_samples >= 0 && local_samples <= global_samples,
              "average_gradients: ", local_samples, " of ", global_samples, " samples");
  torch::NoGradGuard no_grad;
  const double weight = static_cast<double>(local_samples) / static_cast<double>(global_samples);
  std::vector<torch::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.mutable_grad());
  }
  // Each rank's share scales its bucket once, not each gradient.
  all_reduce_in_buckets(std::move(grads), "averaging the gradients", weight);
}

void Distributed::all_reduce_sum(torch::Tensor& tensor) {
  if (!group_) return;
  all_reduce_in_buckets({tensor}, "summing a metric over the ranks");
}

void Distributed::broadcast(torch::Tensor& tensor) {
  if (!group_) return;
  broadcast_each({tensor}, "broadcasting from rank 0");
}

void Distributed::barrier() {
  if (!group_) return;
#if defined(HELMHOLTZ_HAS_GLOO) || defined(HELMHOLTZ_HAS_NCCL)
  using namespace distributed_detail;
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group_->group->barrier();
  } catch (const std::exception& e) {
    throw DistributedError(who(config_) + ": the barrier failed: " + one_line(e));
  }
  wait_for(work, config_, "the barrier");
#endif
}

}  // namespace helmholtz::train
