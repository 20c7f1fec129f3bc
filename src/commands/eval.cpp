// helmholtz eval: a run's kept weights on its test split coded at other levels.

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/sweep/grid.hpp"
#include "helmholtz/train/cross_eval.hpp"

namespace helmholtz::commands {

void register_eval(CLI::App& app) {
  struct Options {
    std::filesystem::path run_dir;
    std::string codec;
    std::string qualities, bitrates;
    std::string device;
    int threads = -1;
    bool skip_done = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate a run's kept weights (best.pt) on its test split coded at other levels (a model "
      "trained on clean data tested on compressed data, and the reverse); results go to "
      "cross_eval.csv and predictions/<level>.csv in the run folder, which `helmholtz report` "
      "draws as a matrix");
  auto& o = *options;
  cmd->add_option("RUN_DIR", o.run_dir, "The run folder, e.g. logs/cifar10/all-cnns/quality_5")
      ->required();
  cmd->add_option("--codec", o.codec,
                  "Codec of the test data (images: jpeg, webp, avif, jxl, j2k; audio: mp3, opus, "
                  "vorbis); default: the run's");
  cmd->add_option("-q,--quality", o.qualities,
                  "Images: the codec's qualities of the test data, e.g. 5 or 1,5,10,raw");
  cmd->add_option("--bitrate", o.bitrates,
                  "Audio: the codec's bitrates of the test data, e.g. 32 or 8,32,raw");
  cmd->add_option("--device", o.device, "auto, cpu, cuda or cuda:N (default: the run's)");
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all cores; default: the run's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--skip-done", o.skip_done,
                "Leave out the levels cross_eval.csv already holds for these weights");
  cmd->callback([options] {
    const auto& o = *options;
    if (o.qualities.empty() == o.bitrates.empty()) {
      throw core::UsageError(
          "eval: give the test levels with --quality (images) or --bitrate (audio), one of them");
    }
    train::CrossEvalRequest r;
    r.run_dir = o.run_dir;
    r.skip_done = o.skip_done;
    const bool audio = !o.bitrates.empty();
    const std::string& text = audio ? o.bitrates : o.qualities;
    if (o.codec.empty()) {
      r.levels = sweep::parse_unbound_levels(text, audio);
      r.run_codec = true;
    } else {
      const data::Codec codec = data::parse_codec(o.codec);
      if (data::is_audio(codec) != audio) {
        throw core::UsageError("--codec " + o.codec + " is an " +
                               (audio ? "image codec; --bitrate takes an audio codec"
                                      : "audio codec; --quality takes an image codec"));
      }
      r.levels = sweep::parse_levels(text, codec);
    }
    if (!o.device.empty()) r.device = o.device;
    if (o.threads >= 0) r.threads = o.threads;
    auto log = core::console_logger();
    const auto result = train::cross_evaluate(r, *log);
    std::printf("%-8s %-6s %8s %9s %13s %10s %10s\n", "codec", "level", "test_acc", "test_loss",
                "payload bits", "file bits", "dB");
    for (const auto& e : result.entries) {
      char db[32] = "n/a";
      if (e.distortion_db) std::snprintf(db, sizeof db, "%.2f", *e.distortion_db);
      std::printf("%-8s %-6s %8.4f %9.4f %13.1f %10.1f %10s\n", e.codec.c_str(), e.level.c_str(),
                  e.test_acc, e.test_loss, e.payload_bits_per_sample, e.bits_per_sample, db);
    }
    std::printf("wrote %s\n", result.file.string().c_str());
  });
}

}  // namespace helmholtz::commands
