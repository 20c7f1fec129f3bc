// Data-parallel training: the configuration from torchrun's and Slurm's variables, the shards of
// a global batch, and two processes on this machine (this test binary run again, as rank 0 and
// rank 1 of a Gloo group, each running the test again) that train the tiny network on their halves
// of each global batch and end with the weights of one process trained on the whole batches. A rank
// that dies or hangs mid-training gives the other a one-line DistributedError, not a hang.

#include "helmholtz/train/distributed.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "helmholtz/models/architecture_file.hpp"
#include "helmholtz/train/network.hpp"
#include "test_support.hpp"

extern char** environ;

namespace helmholtz::train {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// The configuration

EnvironmentLookup lookup(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// The message of the core::UsageError that parsing `values` throws ("" when none).
std::string usage_error(const std::map<std::string, std::string>& values) {
  try {
    distributed_config_from_environment(lookup(values));
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(DistributedConfig, NothingSetIsOneProcess) {
  const auto c = distributed_config_from_environment(lookup({}));
  EXPECT_EQ(c.world_size, 1);
  EXPECT_EQ(c.rank, 0);
  EXPECT_FALSE(c.distributed());
  EXPECT_EQ(c.source, "none");
}

TEST(DistributedConfig, ReadsTorchrunsVariables) {
  const auto c = distributed_config_from_environment(lookup({{"RANK", "3"},
                                                             {"WORLD_SIZE", "4"},
                                                             {"LOCAL_RANK", "1"},
                                                             {"MASTER_ADDR", "node7"},
                                                             {"MASTER_PORT", "29511"},
                                                             {"SLURM_PROCID", "0"}}));
  EXPECT_EQ(c.source, "torchrun");  // torchrun under srun: its own variables win
  EXPECT_EQ(c.rank, 3);
  EXPECT_EQ(c.world_size, 4);
  EXPECT_EQ(c.local_rank, 1);
  EXPECT_EQ(c.master_addr, "node7");
  EXPECT_EQ(c.master_port, 29511);
  EXPECT_TRUE(c.distributed());
}

TEST(DistributedConfig, ReadsSlurmsVariables) {
  const auto c = distributed_config_from_environment(lookup({{"SLURM_PROCID", "5"},
                                                             {"SLURM_NTASKS", "8"},
                                                             {"SLURM_STEP_NUM_TASKS", "8"},
                                                             {"SLURM_LOCALID", "1"},
                                                             {"SLURM_JOB_NODELIST", "gpu[03-06]"},
                                                             {"SLURM_JOB_ID", "123456"}}));
  EXPECT_EQ(c.source, "slurm");
  EXPECT_EQ(c.rank, 5);
  EXPECT_EQ(c.world_size, 8);
  EXPECT_EQ(c.local_rank, 1);
  EXPECT_EQ(c.master_addr, "gpu03");
  EXPECT_EQ(c.master_port, 10000 + 123456 % 20000);
  // The step's node list and task count before the job's; MASTER_* before both.
  const auto step = distributed_config_from_environment(lookup({{"SLURM_PROCID", "1"},
                                                                {"SLURM_NTASKS", "8"},
                                                                {"SLURM_STEP_NUM_TASKS", "2"},
                                                                {"SLURM_STEP_NODELIST", "b[7,9]"},
                                                                {"SLURM_JOB_NODELIST", "a1"},
                                                                {"SLURM_JOB_ID", "1"},
                                                                {"MASTER_PORT", "4000"}}));
  EXPECT_EQ(step.world_size, 2);
  EXPECT_EQ(step.master_addr, "b7");
  EXPECT_EQ(step.master_port, 4000);
  // One task of an array job, or a batch script of a job of several tasks that runs
  // helmholtz without srun: one process, nothing else needed.
  EXPECT_FALSE(
      distributed_config_from_environment(lookup({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}))
          .distributed());
  EXPECT_FALSE(
      distributed_config_from_environment(lookup({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}}))
          .distributed());
  EXPECT_FALSE(distributed_config_from_environment(lookup({{"SLURM_PROCID", "0"}})).distributed());
}

TEST(DistributedConfig, NamesTheVariableThatIsMissingOrWrong) {
  EXPECT_NE(usage_error({{"RANK", "0"}}).find("WORLD_SIZE is not set"), std::string::npos);
  EXPECT_NE(usage_error({{"WORLD_SIZE", "2"}}).find("RANK is not set"), std::string::npos);
  EXPECT_NE(usage_error({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("RANK=2 is not below"),
            std::string::npos);
  EXPECT_NE(usage_error({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).find("RANK='x'"), std::string::npos);
  EXPECT_NE(usage_error({{"RANK", "0"}, {"WORLD_SIZE", "0"}}).find("WORLD_SIZE is 0"),
            std::string::npos);
  EXPECT_NE(usage_error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}})
                .find("MASTER_ADDR is not set"),
            std::string::npos);
  EXPECT_NE(usage_error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}})
                .find("MASTER_PORT is not set"),
            std::string::npos);
  EXPECT_NE(
      usage_error(
          {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}})
          .find("MASTER_PORT=70000 is not a port"),
      std::string::npos);
  EXPECT_NE(usage_error({{"SLURM_PROCID", "2"}, {"SLURM_STEP_NUM_TASKS", "2"}})
                .find("SLURM_PROCID=2 is not below SLURM_STEP_NUM_TASKS=2"),
            std::string::npos);
  EXPECT_NE(
      usage_error({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"SLURM_JOB_ID", "1"}})
          .find("SLURM_JOB_NODELIST"),
      std::string::npos);
  EXPECT_NE(usage_error({{"SLURM_PROCID", "0"},
                         {"SLURM_STEP_NUM_TASKS", "2"},
                         {"SLURM_JOB_NODELIST", "a"}})
                .find("SLURM_JOB_ID is not set"),
            std::string::npos);
}

TEST(DistributedConfig, FirstHostOfASlurmNodeList) {
  EXPECT_EQ(first_slurm_host("node01"), "node01");
  EXPECT_EQ(first_slurm_host("node[01-03]"), "node01");
  EXPECT_EQ(first_slurm_host("node[07,01-03],gpu5"), "node07");
  EXPECT_EQ(first_slurm_host("gpu5,node[01-03]"), "gpu5");
  EXPECT_EQ(first_slurm_host("rack[2-3]-n[10-12]"), "rack2-n10");
  EXPECT_THROW(first_slurm_host("node[01-03"), core::UsageError);
}

// ---------------------------------------------------------------------------------------------
// The shards

TEST(DistributedShards, RanksTogetherTakeEachGlobalBatchInOrder) {
  for (int world : {1, 2, 3, 5}) {
    for (std::int64_t batch : {1, 4, 7, 8}) {
      const auto order = torch::randperm(23, torch::kInt64);
      std::vector<std::vector<torch::Tensor>> per_rank;
      for (int r = 0; r < world; ++r) per_rank.push_back(shard_batches(order, batch, r, world));
      const std::size_t steps = static_cast<std::size_t>((23 + batch - 1) / batch);
      for (std::size_t k = 0; k < steps; ++k) {
        std::vector<torch::Tensor> parts;
        std::int64_t smallest = batch, largest = 0;
        for (int r = 0; r < world; ++r) {
          ASSERT_EQ(per_rank[r].size(), steps);
          parts.push_back(per_rank[r][k]);
          smallest = std::min(smallest, per_rank[r][k].size(0));
          largest = std::max(largest, per_rank[r][k].size(0));
        }
        const auto begin = static_cast<std::int64_t>(k) * batch;
        EXPECT_TRUE(torch::equal(torch::cat(parts), order.slice(0, begin, begin + batch)))
            << "world " << world << " batch " << batch << " step " << k;
        EXPECT_LE(largest - smallest, 1);
      }
    }
  }
  EXPECT_EQ(shard_range(3, 0, 2).size(), 2);
  EXPECT_EQ(shard_range(3, 1, 2).size(), 1);
  EXPECT_EQ(shard_range(1, 2, 4).size(), 0);
}

TEST(Distributed, OneProcessDoesNothing) {
  Distributed alone(DistributedConfig{});
  EXPECT_TRUE(alone.is_main());
  torch::nn::Linear layer(2, 2);
  layer->forward(torch::ones({1, 2})).sum().backward();
  const auto grad = layer->weight.grad().clone();
  alone.average_gradients(*layer);
  alone.broadcast_parameters(*layer);
  auto sum = torch::ones({3});
  alone.all_reduce_sum(sum);
  alone.barrier();
  EXPECT_TRUE(torch::equal(layer->weight.grad(), grad));
  EXPECT_TRUE(torch::equal(sum, torch::ones({3})));
}

// ---------------------------------------------------------------------------------------------
// Two processes: the experiment that both the ranks and the one-process reference run

constexpr std::int64_t kSamples = 43;  // five global batches of 8, then one of 3 (shards 2 + 1)
constexpr std::int64_t kBatch = 8;
constexpr int kEpochs = 2;
constexpr double kLearningRate = 0.1;

constexpr const char* kRoleVariable = "HELMHOLTZ_TEST_DISTRIBUTED_ROLE";
constexpr const char* kOutVariable = "HELMHOLTZ_TEST_DISTRIBUTED_OUT";
constexpr const char* kTimeoutVariable = "HELMHOLTZ_TEST_DISTRIBUTED_TIMEOUT_MS";
constexpr const char* kStoreVariable = "HELMHOLTZ_TEST_DISTRIBUTED_STORE";

// A rank's model starts from its own seed: only broadcast_parameters makes them agree.
torch::nn::Sequential tiny_network(std::uint64_t seed) {
  torch::manual_seed(seed);
  return build(models::read_architecture_file(testing::tiny_architecture()), {3, 8, 8}, 10);
}

struct Samples {
  torch::Tensor x;  // float [N, 3, 8, 8]
  torch::Tensor y;  // int64 [N]
};

Samples samples() {
  torch::manual_seed(7);
  return {torch::randn({kSamples, 3, 8, 8}), torch::randint(0, 10, {kSamples}, torch::kInt64)};
}

// Every rank draws the same epoch order (the one process's).
torch::Tensor epoch_order(int epoch) {
  torch::manual_seed(100 + epoch);
  return torch::randperm(kSamples, torch::kInt64);
}

torch::optim::SGD sgd(torch::nn::Sequential& model) {
  return torch::optim::SGD(model->parameters(),
                           torch::optim::SGDOptions(kLearningRate).momentum(0.9));
}

torch::Tensor flat_weights(torch::nn::Sequential& model) {
  std::vector<torch::Tensor> flat;
  for (const auto& p : model->parameters()) flat.push_back(p.detach().reshape({-1}));
  return torch::cat(flat);
}

struct Trained {
  torch::Tensor weights;
  torch::Tensor metrics;  // float64 [2]: sum of batch loss x batch size, hits
};

// One process on the whole batches, from rank 0's initial weights.
Trained train_alone() {
  auto model = tiny_network(1000);
  const Samples data = samples();
  auto optimizer = sgd(model);
  auto metrics = torch::zeros({2}, torch::kFloat64);
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    const auto order = epoch_order(epoch);
    for (std::int64_t begin = 0; begin < kSamples; begin += kBatch) {
      const auto index = order.slice(0, begin, begin + kBatch);
      optimizer.zero_grad();
      const auto logits = model->forward(data.x.index_select(0, index));
      const auto y = data.y.index_select(0, index);
      const auto loss = torch::nn::functional::cross_entropy(logits, y);
      loss.backward();
      optimizer.step();
      metrics[0] += loss.item<double>() * static_cast<double>(index.size(0));
      metrics[1] += logits.argmax(1).eq(y).sum().item<double>();
    }
  }
  return {flat_weights(model), metrics};
}

// What a rank does (in a child process): the same training on its shards with averaged
// gradients. Role "equivalence" trains to the end; "dies" and "hangs" make rank 1 exit or stop
// answering at the fourth step, and rank 0 then reports the error it got.
void run_rank(const std::string& role, const std::filesystem::path& out) {
  at::set_num_threads(1);
  DistributedConfig config = distributed_config_from_environment();
  if (const char* ms = std::getenv(kTimeoutVariable)) {
    config.timeout = std::chrono::milliseconds(std::atol(ms));
  }
  if (const char* store = std::getenv(kStoreVariable)) config.store_file = store;
  const int rank = config.rank;
  std::ofstream report(out / ("rank" + std::to_string(rank) + ".txt"));
  const auto start = Clock::now();
  try {
    Distributed dist(config);
    auto model = tiny_network(1000 + static_cast<std::uint64_t>(rank));
    dist.broadcast_parameters(*model);
    const Samples data = samples();
    auto optimizer = sgd(model);
    auto metrics = torch::zeros({2}, torch::kFloat64);
    int step = 0;
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      const auto order = epoch_order(epoch);
      const auto batches = shard_batches(order, kBatch, rank, dist.world_size());
      for (std::size_t k = 0; k < batches.size(); ++k) {
        if (++step == 4 && rank == 1 && role == "dies") _exit(3);
        if (step == 4 && rank == 1 && role == "hangs")
          std::this_thread::sleep_for(std::chrono::minutes(1));
        const auto& index = batches[k];
        const std::int64_t global =
            std::min(kBatch, kSamples - static_cast<std::int64_t>(k) * kBatch);
        optimizer.zero_grad();
        if (index.size(0) > 0) {
          const auto logits = model->forward(data.x.index_select(0, index));
          const auto y = data.y.index_select(0, index);
          const auto loss = torch::nn::functional::cross_entropy(logits, y);
          loss.backward();
          metrics[0] += loss.item<double>() * static_cast<double>(index.size(0));
          metrics[1] += logits.argmax(1).eq(y).sum().item<double>();
        }
        dist.average_gradients(*model, index.size(0), global);
        optimizer.step();
      }
    }
    dist.all_reduce_sum(metrics);
    dist.barrier();
    torch::save(std::vector<torch::Tensor>{flat_weights(model), metrics},
                (out / ("rank" + std::to_string(rank) + ".pt")).string());
    report << "finished\n";
  } catch (const DistributedError& e) {
    report << "error\n" << e.what() << "\n";
  }
  report << std::chrono::duration<double>(Clock::now() - start).count() << "\n";
}

// In a rank's process (the test that started it, run again with its role in the environment):
// runs that rank and returns true.
bool ran_as_rank() {
  const char* role = std::getenv(kRoleVariable);
  const char* out = std::getenv(kOutVariable);
  if (role == nullptr || out == nullptr) return false;
  run_rank(role, out);
  return true;
}

// A TCP port that was free a moment ago on the loopback interface.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// Both ranks, each this test binary running the current test again in the role (see
// ran_as_rank), its output in out/rankN.log; waits at most
// `limit` (or, with `until_rank0`, until rank 0 has exited) and kills whatever still runs then.
// Returns each rank's exit status (-1: killed).
std::vector<int> run_ranks(const std::string& role, const std::filesystem::path& out,
                           std::chrono::seconds limit,
                           const std::map<std::string, std::string>& extra = {},
                           bool until_rank0 = false) {
  const int world = 2;
  const std::string port = std::to_string(free_port());
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world; ++rank) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const auto eq = entry.find('=');
      if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                             "SLURM_PROCID", "GLOO_SOCKET_IFNAME", "GTEST_OUTPUT"}) {
      env.erase(name);
    }
    env["RANK"] = std::to_string(rank);
    env["WORLD_SIZE"] = std::to_string(world);
    env["MASTER_ADDR"] = "127.0.0.1";
    env["MASTER_PORT"] = port;
    env["OMP_NUM_THREADS"] = "1";
    env[kRoleVariable] = role;
    env[kOutVariable] = out.string();
    for (const auto& [k, v] : extra) env[k] = v;
    std::vector<std::string> entries;
    for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string self = "/proc/self/exe";
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string filter =
        std::string("--gtest_filter=") + test->test_suite_name() + "." + test->name();
    std::vector<char*> argv{self.data(), filter.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (out / ("rank" + std::to_string(rank) + ".log")).string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ADD_FAILURE() << "posix_spawn: " << rc;
      pid = -1;
    }
    pids.push_back(pid);
  }
  std::vector<int> status(pids.size(), -1);
  std::vector<bool> done(pids.size(), false);
  const auto deadline = Clock::now() + limit;
  for (std::size_t left = pids.size(); left > 0;) {
    left = 0;
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (done[i] || pids[i] <= 0) continue;
      int s = 0;
      if (waitpid(pids[i], &s, WNOHANG) == pids[i]) {
        done[i] = true;
        status[i] = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
      } else {
        ++left;
      }
    }
    if (left == 0) break;
    if (Clock::now() > deadline || (until_rank0 && done[0])) {
      for (std::size_t i = 0; i < pids.size(); ++i) {
        if (!done[i] && pids[i] > 0) {
          kill(pids[i], SIGKILL);
          waitpid(pids[i], nullptr, 0);
        }
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status;
}

std::string rank_log(const std::filesystem::path& out, int rank) {
  return testing::read_text(out / ("rank" + std::to_string(rank) + ".log"));
}

TEST(Distributed, TwoRanksOnHalfBatchesEndWithTheWeightsOfOneProcessOnWholeBatches) {
  if (ran_as_rank()) return;
  if (!backend_compiled(DistributedBackend::kGloo)) GTEST_SKIP() << "built without Gloo";
  testing::TempDir dir;
  const auto status = run_ranks("equivalence", dir.path(), std::chrono::seconds(60));
  for (int rank = 0; rank < 2; ++rank) {
    ASSERT_EQ(status[rank], 0) << "rank " << rank << ":\n" << rank_log(dir.path(), rank);
    ASSERT_EQ(testing::read_text(dir.path() / ("rank" + std::to_string(rank) + ".txt"))
                  .rfind("finished\n", 0),
              0u)
        << testing::read_text(dir.path() / ("rank" + std::to_string(rank) + ".txt"));
  }
  const Trained alone = train_alone();
  auto untrained = tiny_network(1000);
  const auto initial = flat_weights(untrained);
  for (int rank = 0; rank < 2; ++rank) {
    std::vector<torch::Tensor> saved;
    torch::load(saved, (dir.path() / ("rank" + std::to_string(rank) + ".pt")).string());
    ASSERT_EQ(saved.size(), 2u);
    const double difference = (saved[0] - alone.weights).abs().max().item<double>();
    std::cout << "rank " << rank << ": largest weight difference from one process " << difference
              << " (weights moved by up to " << (alone.weights - initial).abs().max().item<double>()
              << ")\n";
    RecordProperty("max_weight_difference_rank" + std::to_string(rank), std::to_string(difference));
    EXPECT_LE(difference, 1e-5) << "rank " << rank;
    // Training moved the weights: the comparison is not of two untouched copies.
    EXPECT_GT((alone.weights - initial).abs().max().item<double>(), 1e-3);
    // The metric sums over the ranks are the one process's.
    EXPECT_NEAR(saved[1][0].item<double>(), alone.metrics[0].item<double>(), 1e-4);
    EXPECT_EQ(saved[1][1].item<double>(), alone.metrics[1].item<double>());
  }
}

// Rank 1 alone, with nobody serving the store: an error that says the processes did not meet.
TEST(Distributed, ProcessesThatNeverMeetGiveAnErrorAfterTheTimeout) {
  if (!backend_compiled(DistributedBackend::kGloo)) GTEST_SKIP() << "built without Gloo";
  DistributedConfig config;
  config.rank = 1;
  config.world_size = 2;
  config.master_port = free_port();
  // (c10d's client retries its connection with pauses of a second until less than one is left:
  // with 3 s it gives up after about 2.)
  config.timeout = std::chrono::milliseconds(3000);
  const auto start = Clock::now();
  try {
    Distributed alone(config);
    ADD_FAILURE() << "made a group of 2 alone";
  } catch (const DistributedError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("rank 1 of 2"), std::string::npos) << message;
    EXPECT_NE(message.find("did not all meet at 127.0.0.1:"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GT(seconds, 1.0);  // it waited for the others, retrying
  EXPECT_LT(seconds, 10.0);
}

// The surviving rank's report: its lines and the seconds it took.
struct Report {
  std::string state;
  std::string message;
  double seconds = 0;
};

Report rank_report(const std::filesystem::path& out, int rank) {
  std::ifstream in(out / ("rank" + std::to_string(rank) + ".txt"));
  Report r;
  std::getline(in, r.state);
  if (r.state == "error") std::getline(in, r.message);
  in >> r.seconds;
  return r;
}

TEST(Distributed, ARankThatDiesGivesTheOtherAOneLineError) {
  if (ran_as_rank()) return;
  if (!backend_compiled(DistributedBackend::kGloo)) GTEST_SKIP() << "built without Gloo";
  testing::TempDir dir;
  // Meeting through a file here (the TCP store in the other tests).
  const auto status =
      run_ranks("dies", dir.path(), std::chrono::seconds(60),
                {{kTimeoutVariable, "20000"}, {kStoreVariable, (dir.path() / "store").string()}});
  EXPECT_EQ(status[1], 3) << rank_log(dir.path(), 1);
  ASSERT_EQ(status[0], 0) << rank_log(dir.path(), 0);
  const Report r = rank_report(dir.path(), 0);
  EXPECT_EQ(r.state, "error") << rank_log(dir.path(), 0);
  EXPECT_NE(r.message.find("rank 0 of 2"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("averaging the gradients failed"), std::string::npos) << r.message;
  EXPECT_LT(r.seconds, 20.0);
  std::cout << "rank 0 after " << r.seconds << " s: " << r.message << "\n";
}

TEST(Distributed, ARankThatHangsGivesTheOtherAnErrorAfterTheTimeout) {
  if (ran_as_rank()) return;
  if (!backend_compiled(DistributedBackend::kGloo)) GTEST_SKIP() << "built without Gloo";
  testing::TempDir dir;
  // Rank 1 sleeps for a minute; rank 0 gives up after its 2 s timeout and the test kills rank 1.
  const auto status =
      run_ranks("hangs", dir.path(), std::chrono::seconds(15), {{kTimeoutVariable, "2000"}}, true);
  ASSERT_EQ(status[0], 0) << rank_log(dir.path(), 0);
  const Report r = rank_report(dir.path(), 0);
  EXPECT_EQ(r.state, "error") << rank_log(dir.path(), 0);
  EXPECT_NE(r.message.find("rank 0 of 2"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("within 2 s"), std::string::npos) << r.message;
  EXPECT_LT(r.seconds, 12.0);
  std::cout << "rank 0 after " << r.seconds << " s: " << r.message << "\n";
}

}  // namespace
}  // namespace helmholtz::train
