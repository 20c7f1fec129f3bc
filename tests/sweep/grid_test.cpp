// A sweep's grid and its Slurm script, without running anything.

#include "helmholtz/sweep/grid.hpp"

#include <gtest/gtest.h>

#include "helmholtz/core/error.hpp"
#include "helmholtz/sweep/slurm.hpp"
#include "test_support.hpp"

namespace helmholtz::sweep {
namespace {

TEST(SweepGrid, ParsesNumbersAndRanges) {
  EXPECT_EQ(parse_numbers("0-2,5", "--settings"), (std::vector<std::int64_t>{0, 1, 2, 5}));
  EXPECT_EQ(parse_numbers("3, 1,3", "--seeds"), (std::vector<std::int64_t>{3, 1}));
  for (const char* bad : {"2-1", "a", "", "1,,2", "-3"}) {
    const auto message =
        testing::error_message_of<core::UsageError>([&] { parse_numbers(bad, "--settings"); });
    EXPECT_NE(message.find("--settings"), std::string::npos) << bad << ": " << message;
  }
}

TEST(SweepGrid, ChecksLevelsAsQualitiesOrBitrates) {
  const auto texts = [](const std::vector<data::Level>& levels) {
    std::vector<std::string> out;
    for (const auto& l : levels) out.push_back(l.describe());
    return out;
  };
  EXPECT_EQ(texts(parse_levels("5,raw,5,100", false)),
            (std::vector<std::string>{"quality 5", "quality raw", "quality 100"}));
  EXPECT_EQ(texts(parse_levels("8,32,raw", true)),
            (std::vector<std::string>{"bitrate 8", "bitrate 32", "bitrate raw"}));
  auto message = testing::error_message_of<core::UsageError>([] { parse_levels("0,5", false); });
  EXPECT_NE(message.find("--qualities"), std::string::npos) << message;
  message = testing::error_message_of<core::UsageError>([] { parse_levels("33", true); });
  EXPECT_NE(message.find("--bitrates"), std::string::npos) << message;
  EXPECT_EQ(default_levels("cifar10"), "1,5,10,15,20,25,50,75,100");
  EXPECT_EQ(default_levels("audio-effects"), "8,16,32,64,96,128,160");
}

TEST(SweepGrid, OneCellPerLevelSettingAndSeedWithItsOwnFolder) {
  run::RunSpec base;
  base.runtime.log_root = "runs";
  run::finalize(base, {});
  const auto cells = expand_grid(base, parse_levels("5,raw", false), {0, 2}, {0, 1});
  ASSERT_EQ(cells.size(), 8u);
  EXPECT_EQ(cells[0].id, "all-cnns-quality_5-seed_0");
  EXPECT_EQ(cells[0].run_dir, std::filesystem::path("runs/cifar10/all-cnns/quality_5"));
  EXPECT_EQ(cells[1].id, "all-cnns-quality_raw-seed_0");
  EXPECT_EQ(cells[2].spec.recipe.setting, 2);
  EXPECT_EQ(cells[2].spec.recipe.architecture.name, "all-cnnsx2");
  EXPECT_EQ(cells[7].id, cells[3].id.substr(0, cells[3].id.size() - 1) + "1");
  EXPECT_EQ(cells[7].run_dir.filename(), "seed_1");
  EXPECT_EQ(cells[7].spec.runtime.log_dir, cells[7].run_dir);
  for (const auto& c : cells) EXPECT_EQ(cells[0].spec.recipe.epochs, c.spec.recipe.epochs);
  // Every folder differs.
  for (std::size_t i = 0; i < cells.size(); ++i) {
    for (std::size_t j = i + 1; j < cells.size(); ++j)
      EXPECT_NE(cells[i].run_dir, cells[j].run_dir);
  }
  EXPECT_EQ(cell_status(cells[0]).state, run::FolderState::kFresh);

  // The reference protocol's cells have folders and cell files of their own, so that both
  // protocols sweep side by side into one log root.
  run::RunSpec reference = base;
  reference.recipe.protocol = run::Protocol::kReference;
  const auto ref_cells = expand_grid(reference, parse_levels("5", false), {0}, {0});
  ASSERT_EQ(ref_cells.size(), 1u);
  EXPECT_EQ(ref_cells[0].id, "all-cnns-reference-quality_5-seed_0");
  EXPECT_EQ(ref_cells[0].run_dir,
            std::filesystem::path("runs/cifar10/all-cnns-reference/quality_5"));
}

TEST(SweepSlurm, ScriptMapsArrayTasksToCells) {
  SlurmSweep sweep;
  sweep.script = "/s/slurm/sweep.sbatch";
  sweep.cells_file = "/s/slurm/cells.txt";
  sweep.log_dir = "/s/slurm/logs";
  sweep.tasks = 4;
  SlurmOptions o;
  o.job_name = "helmholtz-cifar10";
  o.gpus_per_task = 1;
  o.cpus_per_task = 8;
  o.max_running = 2;
  o.partition = "gpu";
  o.time = "04:00:00";
  o.account = "lab";
  o.sbatch_args = {"--constraint=h100"};
  o.binary = "/opt/helmholtz/bin/helmholtz";
  o.workdir = "/home/me/study";
  const auto script = sbatch_script(sweep, o);
  for (const char* line :
       {"#SBATCH --array=0-3%2\n", "#SBATCH --output=/s/slurm/logs/%A_%a.out\n",
        "#SBATCH --gres=gpu:1\n", "#SBATCH --cpus-per-task=8\n", "#SBATCH --partition=gpu\n",
        "#SBATCH --time=04:00:00\n", "#SBATCH --account=lab\n", "#SBATCH --constraint=h100\n",
        "#SBATCH --chdir=/home/me/study\n", "#SBATCH --job-name=helmholtz-cifar10\n",
        "$((SLURM_ARRAY_TASK_ID + 1))p", "'/opt/helmholtz/bin/helmholtz' train --config"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  EXPECT_EQ(script.find("--processes"), std::string::npos) << script;
  EXPECT_NE(script.find("--threads \"${SLURM_CPUS_PER_TASK:-0}\""), std::string::npos) << script;
  // Four GPUs per run: one process per GPU, each with a quarter of the task's CPUs.
  o.gpus_per_task = 4;
  const auto four = sbatch_script(sweep, o);
  EXPECT_NE(four.find("#SBATCH --gres=gpu:4\n"), std::string::npos) << four;
  EXPECT_NE(four.find("--resume --no-progress --processes 4 --threads "
                      "\"$(( ${SLURM_CPUS_PER_TASK:-0} / 4 ))\" &"),
            std::string::npos)
      << four;
  o.gpus_per_task = 0;
  o.max_running = 0;
  const auto cpu = sbatch_script(sweep, o);
  EXPECT_EQ(cpu.find("--gres"), std::string::npos);
  EXPECT_NE(cpu.find("#SBATCH --array=0-3\n"), std::string::npos);
}

}  // namespace
}  // namespace helmholtz::sweep
