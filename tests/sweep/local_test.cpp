// The local scheduler with a stand-in for the helmholtz binary (a shell script that records what
// it was given), so GPU slots can be checked on a machine without GPUs.

#include "helmholtz/sweep/local.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "helmholtz/core/logging.hpp"
#include "test_support.hpp"

namespace helmholtz::sweep {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

// Records "<config> <CUDA_VISIBLE_DEVICES> <start> <end>" per run; a config whose name holds
// "quality_1-" fails with exit 3.
fs::path write_fake_binary(const fs::path& dir) {
  const fs::path script = dir / "fake-helmholtz";
  std::ofstream(script) << "#!/bin/bash\n"
                           "config=$3\n"
                           "start=$(date +%s.%N)\n"
                           "sleep 0.5\n"
                           "echo \"$(basename \"$config\") ${CUDA_VISIBLE_DEVICES:-none} $start "
                           "$(date +%s.%N)\" >> '"
                        << (dir / "calls.txt").string()
                        << "'\n"
                           "[[ $config == *quality_1-* ]] && { echo 'bad run' >&2; exit 3; }\n"
                           "exit 0\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

struct Call {
  std::string gpu;
  double start = 0, end = 0;
};

std::map<std::string, Call> read_calls(const fs::path& file) {
  std::map<std::string, Call> calls;
  std::ifstream in(file);
  std::string config;
  Call c;
  while (in >> config >> c.gpu >> c.start >> c.end) calls[config] = c;
  return calls;
}

TEST(SweepLocal, PacksRunsOntoGpuSlotsAndKeepsGoingPastAFailure) {
  TempDir dir;
  run::RunSpec base;
  base.runtime.log_root = dir.path() / "logs";
  run::finalize(base, {});
  const auto cells = expand_grid(base, parse_levels("1,5,10,20,50,raw", false), {0}, {0});
  LocalOptions o;
  o.gpus = {3, 7};
  o.jobs_per_gpu = 2;
  o.binary = write_fake_binary(dir.path());
  o.sweep_dir = dir.path() / "sweep";
  const auto outcomes = run_local(cells, o, *core::console_logger());

  ASSERT_EQ(outcomes.size(), 6u);
  int failed = 0;
  for (const auto& out : outcomes) {
    if (out.id == "all-cnns-quality_1-seed_0") {
      EXPECT_EQ(out.status, Outcome::Status::kFailed);
      EXPECT_EQ(out.detail, "exit 3");
      std::ifstream log(out.log);
      const std::string text((std::istreambuf_iterator<char>(log)), {});
      EXPECT_NE(text.find("bad run"), std::string::npos) << text;
      ++failed;
    } else {
      EXPECT_EQ(out.status, Outcome::Status::kFinished) << out.id << " " << out.detail;
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_NE(outcome_table(outcomes).find("5 finished, 1 failed, 0 skipped"), std::string::npos)
      << outcome_table(outcomes);

  const auto calls = read_calls(dir.path() / "calls.txt");
  ASSERT_EQ(calls.size(), 6u);
  // Every run saw exactly one of the two GPUs, and no GPU ever held more than two at once.
  std::map<std::string, std::vector<Call>> by_gpu;
  for (const auto& [config, call] : calls) {
    EXPECT_TRUE(call.gpu == "3" || call.gpu == "7") << config << " got " << call.gpu;
    by_gpu[call.gpu].push_back(call);
  }
  EXPECT_EQ(by_gpu.size(), 2u);
  for (const auto& [gpu, list] : by_gpu) {
    for (const auto& a : list) {
      int overlapping = 0;
      for (const auto& b : list) overlapping += (b.start <= a.start && a.start < b.end) ? 1 : 0;
      EXPECT_LE(overlapping, 2) << "GPU " << gpu;
    }
  }
  // The cell configs name the cells' run folders.
  std::ifstream config(o.sweep_dir / "cells" / "all-cnns-quality_5-seed_0.toml");
  const std::string toml((std::istreambuf_iterator<char>(config)), {});
  EXPECT_NE(toml.find("quality = \"5\""), std::string::npos) << toml;
  EXPECT_NE(toml.find((base.runtime.log_root / "cifar10" / "all-cnns" / "quality_5").string()),
            std::string::npos)
      << toml;
}

TEST(SweepLocal, CpuJobsGetNoGpuAndFinishedCellsAreSkipped) {
  ::unsetenv("CUDA_VISIBLE_DEVICES");  // CPU slots pass the environment on as it is
  TempDir dir;
  run::RunSpec base;
  base.runtime.log_root = dir.path() / "logs";
  run::finalize(base, {});
  const auto cells = expand_grid(base, parse_levels("5,50,75", false), {0}, {0});
  // The third cell's folder holds a run of another lr: refused, never started.
  fs::create_directories(cells[2].run_dir);
  run::RunSpec other = cells[2].spec;
  other.recipe.lr = 0.5;
  run::Summary refused = testing::sample_summary(run::identity(other));
  refused.epochs_completed = 1;
  std::ofstream(cells[2].run_dir / "summary.json") << run::to_json(refused).dump();
  // The first cell finished before: its summary says so and its model exists.
  fs::create_directories(cells[0].run_dir);
  run::Summary finished = testing::sample_summary(run::identity(cells[0].spec));
  finished.epochs_requested = base.recipe.epochs;
  finished.epochs_completed = base.recipe.epochs;
  std::ofstream(cells[0].run_dir / "summary.json") << run::to_json(finished).dump();
  std::ofstream(cells[0].run_dir / "model.pt") << "weights";
  LocalOptions o;
  o.jobs = 2;
  o.binary = write_fake_binary(dir.path());
  o.sweep_dir = dir.path() / "sweep";
  const auto outcomes = run_local(cells, o, *core::console_logger());
  EXPECT_EQ(outcomes[0].status, Outcome::Status::kSkipped);
  EXPECT_EQ(outcomes[1].status, Outcome::Status::kFinished);
  EXPECT_EQ(outcomes[2].status, Outcome::Status::kRefused);
  EXPECT_NE(outcome_table(outcomes).find("1 refused"), std::string::npos)
      << outcome_table(outcomes);
  const auto calls = read_calls(dir.path() / "calls.txt");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls.begin()->second.gpu, "none");
}

}  // namespace
}  // namespace helmholtz::sweep
