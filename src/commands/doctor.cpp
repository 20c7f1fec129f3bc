// helmholtz doctor: the device and its software, whether each fast path of training gives the
// plain path's answer here, and how fast one setting trains. The first thing to run on a new
// machine, a GPU's above all.

#include "helmholtz/train/doctor.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/setup.hpp"
#include "helmholtz/train/throughput.hpp"

namespace helmholtz::commands {
namespace {

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

void print_check(const train::CheckResult& c) {
  switch (c.status) {
    case train::CheckStatus::kOk:
      std::printf("ok    %-14s %s\n", c.name.c_str(), c.detail.c_str());
      break;
    case train::CheckStatus::kSkipped:
      std::printf("skip  %-14s %s\n", c.name.c_str(), c.detail.c_str());
      break;
    case train::CheckStatus::kFailed:
      std::printf("FAIL  %-14s %s; avoid with %s\n", c.name.c_str(), c.detail.c_str(),
                  c.avoid.c_str());
      break;
  }
  std::fflush(stdout);
}

}  // namespace

void register_doctor(CLI::App& app) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = std::make_shared<run::RunSpec>();
    std::int64_t images = 0;
    std::filesystem::path json;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "doctor",
      "Check this machine: the device, torch, CUDA and cuDNN versions; whether each fast path "
      "(CUDA graphs, bf16, augmentation on the device, channels-last, checkpoints across "
      "devices) gives the plain path's answer; one setting's training throughput. Exit 1 when "
      "a check fails");
  auto& o = *options;
  add_spec_options(*cmd, o.spec, [](const run::Field& f) {
    const std::string key = f.key;
    return key == "dataset" || key == "data-dir" || key == "crop" || key == "setting" ||
           key == "model" || key == "architecture" || key == "device" || key == "threads";
  });
  cmd->add_option("--images", o.images,
                  "Images per epoch of the throughput measurement (0: 512 on the CPU, 16384 "
                  "on a GPU)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--json", o.json, "Also write the results to this file as JSON");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    run::RunSpec& spec = *o.spec;
    finalize_image_spec(*cmd, spec, "doctor");
    const auto started = std::chrono::steady_clock::now();
    const auto backend = train::set_up_process(spec.runtime);
    const auto v = train::versions();
    std::printf("device  %s: %s\n", train::describe_device(backend.device).c_str(),
                train::device_name(backend.device).c_str());
    std::printf("torch   %s, CUDA %s, cuDNN %s\n", v.torch.c_str(), v.cuda.c_str(),
                v.cudnn.c_str());
    std::fflush(stdout);

    train::DoctorSetup setup;
    setup.spec = spec;
    setup.device = backend.device;
    const auto checks = train::run_checks(setup);
    int failed = 0;
    int skipped = 0;
    std::string failed_names;
    for (const auto& c : checks) {
      print_check(c);
      if (c.status == train::CheckStatus::kFailed) {
        ++failed;
        failed_names += (failed_names.empty() ? "" : ", ") + c.name;
      }
      if (c.status == train::CheckStatus::kSkipped) ++skipped;
    }

    // The throughput of the setting as a run would train it (train::set_up_process again: the
    // checks switched the backend for their comparisons).
    const auto run_backend = train::set_up_process(spec.runtime);
    const bool gpu = run_backend.device.is_cuda();
    const std::int64_t images = o.images > 0 ? o.images : (gpu ? 16384 : 512);
    const int epochs = gpu ? 2 : 1;
    const auto measured = train::measure_training(spec, run_backend, images, epochs, 5);
    const auto& arch = spec.recipe.architecture;
    std::printf("speed   %s, %s%s: %.1f training images/s (%lld images x %d epoch%s)\n",
                arch.name.c_str(), train::to_string(run_backend.precision).c_str(),
                measured.cuda_graphs ? ", CUDA graphs" : "", measured.train_images_per_second,
                static_cast<long long>(images), epochs, epochs == 1 ? "" : "s");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int applied = static_cast<int>(checks.size()) - skipped;
    if (failed == 0) {
      std::printf("all %d checks that apply passed (%d skipped) in %.0f s\n", applied, skipped,
                  seconds);
    }
    if (!o.json.empty()) {
      nlohmann::json j;
      j["device"] = backend.device.str();
      j["device_name"] = train::device_name(backend.device);
      j["torch"] = v.torch;
      j["cuda"] = v.cuda;
      j["cudnn"] = v.cudnn;
      j["checks"] = nlohmann::json::array();
      for (const auto& c : checks) {
        j["checks"].push_back({{"name", c.name},
                               {"status", train::to_string(c.status)},
                               {"detail", c.detail},
                               {"difference", optional_number(c.difference)},
                               {"tolerance", optional_number(c.tolerance)},
                               {"avoid", c.avoid}});
      }
      j["throughput"] = {{"setting", arch.setting},
                         {"model", arch.name},
                         {"images", images},
                         {"epochs", epochs},
                         {"images_per_second", measured.train_images_per_second},
                         {"precision", train::to_string(run_backend.precision)},
                         {"cuda_graphs", measured.cuda_graphs}};
      j["seconds"] = seconds;
      core::write_file_atomic(o.json, j.dump(2) + "\n");
    }
    if (failed > 0) {
      throw core::RunStopped("doctor: " + std::to_string(failed) + " of " +
                                 std::to_string(applied) + " checks failed (" + failed_names +
                                 "): each FAIL line names the option that avoids it",
                             core::kExitCheckFailed);
    }
  });
}

}  // namespace helmholtz::commands
