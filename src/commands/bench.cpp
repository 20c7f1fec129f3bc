// helmholtz bench: throughput of the JPEG stage, the audio stage and training, for comparison
// with the peers in scripts/ (Pillow, the lame encoder, PyTorch Python) measured in the same run.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/features/audio_features.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/precision.hpp"

namespace helmholtz::commands {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void register_bench_jpeg(CLI::App& bench) {
  struct Options {
    std::string dataset = "fashion-mnist";
    std::filesystem::path data_dir;
    std::string quality = "50";
    std::int64_t images = 10000;
    int repeat = 3;
    int threads = 0;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "jpeg",
      "JPEG encode+decode round trips per second over all cores, on a dataset's first "
      "training images");
  auto& o = *options;
  add_image_data_options(*cmd, o.dataset, o.data_dir, o.quality);
  cmd->add_option("--images", o.images, "Images per pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--repeat", o.repeat, "Timed passes (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([options] {
    const auto& o = *options;
    auto dataset = data::load_image_dataset(o.dataset, o.data_dir);
    dataset.train.truncate(o.images);
    const auto quality = data::Quality::parse(o.quality);
    const int threads = core::resolve_threads(o.threads);
    double best_seconds = 0;
    data::CompressionStats stats;
    for (int r = 0; r < o.repeat; ++r) {  // the fastest pass counts, as in the Pillow peer
      data::ImageSet copy = dataset.train;
      const auto start = Clock::now();
      stats = data::compress_images(copy, quality, codec::Subsampling::k420, threads);
      const double seconds = seconds_since(start);
      if (r == 0 || seconds < best_seconds) best_seconds = seconds;
    }
    const double rate = static_cast<double>(stats.images) / best_seconds;
    if (o.json) {
      nlohmann::json j = {{"dataset", o.dataset},           {"quality", quality.to_string()},
                          {"images", stats.images},         {"threads", threads},
                          {"mean_bytes", stats.mean_bytes}, {"round_trips_per_second", rate}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf(
          "jpeg %s q%s: %lld images x %d, %d threads: %.0f round trips/s (%.1f bytes/image)\n",
          o.dataset.c_str(), quality.to_string().c_str(), static_cast<long long>(stats.images),
          o.repeat, threads, rate, stats.mean_bytes);
    }
  });
}

void register_bench_train(CLI::App& bench) {
  struct Options {
    int setting = 0;
    std::int64_t images = 2048;
    int channels = 3;
    int epochs = 2;
    int warmup_steps = 5;
    int batch_size = 128;
    int eval_batch_size = 1000;
    int threads = 0;
    std::string device = "auto";
    std::string precision = "auto";
    bool channels_last = true;
    bool cuda_graphs = true;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "train",
      "Training and evaluation images per second for one setting on generated 32x32 uint8 "
      "images, the data pipeline included (permutation, batch gather, augmentation, forward, "
      "backward, update), with the training run's own code");
  auto& o = *options;
  cmd->add_option("-s,--setting", o.setting, "Architecture 0..5")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();
  cmd->add_option("--images", o.images, "Images per epoch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--channels", o.channels, "1 or 3")
      ->check(CLI::IsMember({1, 3}))
      ->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Timed epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup-steps", o.warmup_steps,
                  "Untimed training steps first (on CUDA, 3 run eagerly, then the graph is "
                  "captured)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "Batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--eval-batch-size", o.eval_batch_size, "Evaluation batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", o.device, "auto, cpu, cuda, cuda:N")->capture_default_str();
  cmd->add_option("--precision", o.precision, "auto, fp32 or bf16 (as for train)")
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}))
      ->capture_default_str();
  cmd->add_flag("--channels-last,!--no-channels-last", o.channels_last,
                "NHWC memory layout for weights and batches (default on)");
  cmd->add_flag("--cuda-graphs,!--no-cuda-graphs", o.cuda_graphs,
                "On CUDA, replay steps from CUDA graphs (default on)");
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([options] {
    const auto& o = *options;
    const int threads = core::resolve_threads(o.threads);
    at::set_num_threads(threads);
    const auto device = train::resolve_device(o.device);
    const auto precision = train::resolve_precision(o.precision, device);
    train::configure_backend(device, precision);
    torch::manual_seed(0);
    const auto& arch = models::image_architecture(o.setting);
    auto model = models::build(arch, {o.channels, 32, 32}, 10);
    model->to(device);
    if (o.channels_last) train::use_channels_last(model);
    train::KerasSgd optimizer(model->parameters(), 0.01, 0.9, true, 1e-6);
    const auto images = data::make_pattern_images(o.images, 32, 32, o.channels, 10, 0);
    const auto tensors = train::to_tensors(images, device);
    const train::EpochOptions epoch_options{o.batch_size,    0.1,       true,
                                            o.channels_last, precision, o.cuda_graphs};
    train::EpochTrainer trainer(model, optimizer, epoch_options);
    const auto synchronize = [&] {
      if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
    };
    if (o.warmup_steps > 0) {
      trainer.train_epoch(tensors, nullptr, o.warmup_steps);
      train::evaluate(model, tensors, o.eval_batch_size, o.channels_last, precision);
    }
    synchronize();
    auto start = Clock::now();
    train::Metrics last;
    for (int e = 0; e < o.epochs; ++e) last = trainer.train_epoch(tensors);
    synchronize();
    const double train_rate = static_cast<double>(o.images) * o.epochs / seconds_since(start);
    if (!std::isfinite(last.loss)) {
      throw core::RunError("bench train: the training loss is " + std::to_string(last.loss));
    }
    start = Clock::now();
    train::evaluate(model, tensors, o.eval_batch_size, o.channels_last, precision);
    synchronize();
    const double eval_rate = static_cast<double>(o.images) / seconds_since(start);
    const auto parameters = models::count_parameters(*model);
    if (o.json) {
      nlohmann::json j = {{"setting", o.setting},
                          {"name", arch.name},
                          {"device", train::describe_device(device)},
                          {"device_name", train::device_name(device)},
                          {"threads", threads},
                          {"precision", train::to_string(precision)},
                          {"channels_last", o.channels_last},
                          {"cuda_graphs", trainer.graphs_captured() > 0},
                          {"batch_size", o.batch_size},
                          {"images", o.images},
                          {"epochs", o.epochs},
                          {"parameters", parameters},
                          {"train_images_per_second", train_rate},
                          {"eval_images_per_second", eval_rate}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("setting %d %-20s on %s (%s), %s%s: train %.1f images/s, eval %.1f images/s\n",
                  o.setting, arch.name.c_str(), train::describe_device(device).c_str(),
                  train::device_name(device).c_str(), train::to_string(precision).c_str(),
                  trainer.graphs_captured() > 0 ? ", CUDA graphs" : "", train_rate, eval_rate);
    }
  });
}

void register_bench_audio(CLI::App& bench) {
  struct Options {
    std::filesystem::path data_dir;
    std::string bitrate = "32";
    std::string instrument = "all";
    int repeat = 3;
    int threads = 0;
    std::string device = "cpu";
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "audio",
      "Clips per second of the whole audio stage (read, MP3 encode + decode, resample, align, "
      "mel spectrogram) over all cores, without the feature cache");
  auto& o = *options;
  cmd->add_option("--data-dir", o.data_dir, "Audio-effects folder (e.g. from `helmholtz synth`)")
      ->required();
  cmd->add_option("-b,--bitrate", o.bitrate, "MP3 bitrate in kbit/s, or raw")
      ->check(bitrate_validator())
      ->capture_default_str();
  cmd->add_option("--instrument", o.instrument, "guitar, bass or all")
      ->check(CLI::IsMember({"guitar", "bass", "all"}))
      ->capture_default_str();
  cmd->add_option("--repeat", o.repeat, "Timed passes (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", o.device, "Where the STFTs run: cpu, cuda, cuda:N")
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([options] {
    const auto& o = *options;
    const int threads = core::resolve_threads(o.threads);
    at::set_num_threads(threads);
    features::AudioFeatureRequest request;
    request.data_dir = o.data_dir;
    request.instrument = o.instrument;
    request.bitrate = data::Bitrate::parse(o.bitrate);
    request.cache_dir.clear();  // measure the work, not the cache
    request.threads = threads;
    request.device = train::resolve_device(o.device);
    request.progress = false;
    auto log = core::console_logger();
    double best = 0;
    features::AudioFeatures f;
    for (int r = 0; r < o.repeat; ++r) {
      f = features::prepare_audio_features(request, *log);
      if (r == 0 || f.seconds < best) best = f.seconds;
    }
    const double rate = static_cast<double>(f.stats.clips) / best;
    if (o.json) {
      nlohmann::json j = {{"bitrate", request.bitrate.to_string()},
                          {"clips", f.stats.clips},
                          {"threads", threads},
                          {"device", train::describe_device(request.device)},
                          {"seconds", best},
                          {"clips_per_second", rate}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("audio %s kbit/s: %lld clips x %d, %d threads: %.1f clips/s\n",
                  request.bitrate.to_string().c_str(), static_cast<long long>(f.stats.clips),
                  o.repeat, threads, rate);
    }
  });
}

}  // namespace

void register_bench(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Throughput benchmarks (not tests)");
  bench->require_subcommand(1);
  register_bench_jpeg(*bench);
  register_bench_train(*bench);
  register_bench_audio(*bench);
}

}  // namespace helmholtz::commands
