// helmholtz bench: throughput of the image codecs, the audio stage and training, for comparison
// with the peers in scripts/ (Pillow, the lame encoder, PyTorch Python) measured in the same run.
// `bench loader` runs its peer (scripts/bench_loader_peer.py, torchvision) itself.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/features/audio_features.hpp"
#include "helmholtz/report/plots.hpp"
#include "helmholtz/sweep/grid.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/setup.hpp"
#include "helmholtz/train/throughput.hpp"

namespace helmholtz::commands {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The run spec's fields named in `keys`, bound on `cmd` with `spec`'s values as defaults.
void add_spec_fields(CLI::App& cmd, const std::shared_ptr<run::RunSpec>& spec,
                     std::initializer_list<const char*> keys) {
  const std::vector<std::string> wanted(keys.begin(), keys.end());
  add_spec_options(cmd, spec, [wanted](const run::Field& f) {
    return std::find(wanted.begin(), wanted.end(), f.key) != wanted.end();
  });
}

// The fastest of `repeat` passes of what the Pillow peers time: each image encoded and decoded
// in memory, over `threads` threads. The figures (payload, PSNR, the PNG reference) are not part
// of it: they come from one untimed compress_images.
double time_round_trips(const data::ImageSet& images, const data::Quality& quality,
                        codec::Subsampling subsampling, int threads, int repeat) {
  const std::size_t n = static_cast<std::size_t>(images.count);
  double best = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    core::parallel_for(n, threads, [&](int, std::size_t begin, std::size_t end) {
      const auto coder = codec::make_image_coder(quality.codec, quality.value, subsampling);
      std::vector<std::uint8_t> decoded(images.image_bytes());
      for (std::size_t i = begin; i < end; ++i) {
        const auto* image = images.image(static_cast<std::int64_t>(i));
        const auto bytes = coder->encode(image, images.width, images.height, images.channels);
        coder->decode(bytes.data(), bytes.size(), decoded.data(), images.width, images.height,
                      images.channels);
      }
    });
    const double seconds = seconds_since(start);
    if (r == 0 || seconds < best) best = seconds;
  }
  return best;
}

void register_bench_jpeg(CLI::App& bench) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = [] {
      auto s = std::make_shared<run::RunSpec>();
      s->data.dataset = "fashion-mnist";
      s->data.level = data::Quality::parse("50");
      return s;
    }();
    std::int64_t images = 10000;
    int repeat = 3;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "jpeg",
      "JPEG encode+decode round trips per second over all cores, on a dataset's first "
      "training images");
  auto& o = *options;
  add_spec_fields(*cmd, o.spec, {"dataset", "data-dir", "quality", "subsampling", "threads"});
  cmd->add_option("--images", o.images, "Images per pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--repeat", o.repeat, "Timed passes (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    const run::DataSpec& d = o.spec->data;
    if (d.audio())
      throw core::UsageError("bench jpeg takes an image dataset (cifar10, fashion-mnist)");
    run::finalize(*o.spec, given_fields(*cmd));
    auto dataset = data::load_image_dataset(d.dataset, d.data_dir);
    dataset.train.keep_first(o.images, "bench jpeg --images " + std::to_string(o.images) + ": " +
                                           d.dataset + "'s training split");
    const auto& quality = d.codec_level().quality();
    const int threads = core::resolve_threads(o.spec->runtime.threads);
    const double best_seconds =
        time_round_trips(dataset.train, quality, d.subsampling, threads, o.repeat);
    data::ImageSet copy = dataset.train;
    const data::CompressionStats stats =
        data::compress_images(copy, quality, d.subsampling, threads);
    const double rate = static_cast<double>(stats.images) / best_seconds;
    if (o.json) {
      nlohmann::json j = {{"dataset", d.dataset},           {"quality", quality.to_string()},
                          {"images", stats.images},         {"threads", threads},
                          {"mean_bytes", stats.mean_bytes}, {"round_trips_per_second", rate}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf(
          "jpeg %s q%s: %lld images x %d, %d threads: %.0f round trips/s (%.1f bytes/image)\n",
          d.dataset.c_str(), quality.to_string().c_str(), static_cast<long long>(stats.images),
          o.repeat, threads, rate, stats.mean_bytes);
    }
  });
}

// The level each codec is timed at when --quality is not given: the middle of its scale (JPEG
// XL's 50 is distance ~4.6; JPEG 2000 a 30 dB PSNR target, near the others' PSNR at their 50).
int bench_quality(codec::ImageCodec c) { return c == codec::ImageCodec::kJ2k ? 30 : 50; }

void register_bench_codec(CLI::App& bench) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = [] {
      auto s = std::make_shared<run::RunSpec>();
      s->data.dataset = "fashion-mnist";
      return s;
    }();
    std::string codecs;  // empty: every codec this build has
    int quality = -1;    // -1: bench_quality of each codec
    std::int64_t images = 2000;
    int repeat = 3;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "codec",
      "Encode+decode round trips per second of each image codec over all cores, on a dataset's "
      "first training images (scripts/bench-codecs.sh sets Pillow beside it)");
  auto& o = *options;
  add_spec_fields(*cmd, o.spec, {"dataset", "data-dir", "subsampling", "threads"});
  cmd->add_option("--codecs", o.codecs,
                  "Codecs, comma-separated (default: every codec of this build: " +
                      codec::built_image_codec_names() + ")");
  cmd->add_option("--quality", o.quality,
                  "One level for every codec, in each one's own scale (default: 50; JPEG 2000 "
                  "30 dB)");
  cmd->add_option("--images", o.images, "Images per pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--repeat", o.repeat, "Timed passes (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output: one JSON line per codec");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    run::RunSpec& spec = *o.spec;
    if (spec.data.audio()) {
      throw core::UsageError("bench codec takes an image dataset (cifar10, fashion-mnist)");
    }
    spec.data.level = run::default_quality();
    run::finalize(spec, given_fields(*cmd));
    std::vector<codec::ImageCodec> codecs;
    for (const auto& c : sweep::parse_codecs(
             o.codecs.empty() ? codec::built_image_codec_names() : o.codecs, false)) {
      codecs.push_back(std::get<codec::ImageCodec>(c));
    }
    auto dataset = data::load_image_dataset(spec.data.dataset, spec.data.data_dir);
    dataset.train.keep_first(o.images, "bench codec --images " + std::to_string(o.images) + ": " +
                                           spec.data.dataset + "'s training split");
    const int threads = core::resolve_threads(spec.runtime.threads);
    for (const auto c : codecs) {
      const data::Quality quality =
          data::Quality::parse(std::to_string(o.quality >= 0 ? o.quality : bench_quality(c)), c);
      const double best_seconds =
          time_round_trips(dataset.train, quality, spec.data.subsampling, threads, o.repeat);
      const auto& train = dataset.train;
      const std::size_t n = static_cast<std::size_t>(train.count);
      data::ImageSet copy = train;
      const data::CompressionStats stats =
          data::compress_images(copy, quality, spec.data.subsampling, threads);
      const double rate = static_cast<double>(n) / best_seconds;
      if (o.json) {
        nlohmann::json j = {{"codec", codec::to_string(c)},
                            {"library", codec::image_codec_version(c)},
                            {"dataset", spec.data.dataset},
                            {"quality", quality.value},
                            {"images", stats.images},
                            {"threads", threads},
                            {"mean_bytes", stats.mean_bytes},
                            {"mean_payload_bytes", stats.mean_payload_bytes},
                            {"mean_psnr", stats.mean_psnr.value_or(0.0)},
                            {"round_trips_per_second", rate},
                            {"round_trips_per_second_per_thread", rate / threads}};
        std::printf("%s\n", j.dump().c_str());
      } else {
        std::printf(
            "%-5s %s q%d: %lld images x %d, %d threads: %.0f round trips/s (%.1f bytes, "
            "%.1f payload, PSNR %.2f dB)\n",
            codec::to_string(c).c_str(), spec.data.dataset.c_str(), quality.value,
            static_cast<long long>(stats.images), o.repeat, threads, rate, stats.mean_bytes,
            stats.mean_payload_bytes, stats.mean_psnr.value_or(0.0));
      }
    }
  });
}

void register_bench_train(CLI::App& bench) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = std::make_shared<run::RunSpec>();
    std::int64_t images = 2048;
    int epochs = 2;
    int warmup_steps = 5;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "train",
      "Training and evaluation samples per second of one network and recipe on generated "
      "uint8 images of the dataset's shape, the data pipeline included (permutation, batch "
      "gather, augmentation, forward, backward, update), with the training run's own set-up");
  auto& o = *options;
  // The recipe and runtime of a run (and --dataset for the input shape and the recipe's
  // defaults), so the benchmark trains exactly what `train` would.
  add_spec_options(*cmd, o.spec, [](const run::Field& f) {
    const std::string key = f.key;
    // A folder dataset's shape: its folder (the classes) and the crop.
    return key == "dataset" || key == "data-dir" || key == "crop" || key == "resize" ||
           (f.part != run::Part::kData && key != "epochs" && key != "log-root" && key != "log-dir");
  });
  cmd->add_option("--images", o.images, "Images per epoch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Timed epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup-steps", o.warmup_steps,
                  "Untimed training steps first (on CUDA, 3 run eagerly, then the graph is "
                  "captured)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    run::RunSpec& spec = *o.spec;
    finalize_image_spec(*cmd, spec, "bench train");
    const auto backend = train::set_up_process(spec.runtime);
    const auto& device = backend.device;
    const auto measured =
        train::measure_training(spec, backend, o.images, o.epochs, o.warmup_steps);
    const double train_rate = measured.train_images_per_second;
    const double eval_rate = measured.eval_images_per_second;
    const auto& arch = spec.recipe.architecture;
    const bool graphs = measured.cuda_graphs;
    if (o.json) {
      nlohmann::json j = {{"setting", arch.setting},
                          {"name", arch.name},
                          {"dataset", spec.data.dataset},
                          {"identity", run::identity_json(run::identity(spec))},
                          {"device", train::describe_device(device)},
                          {"device_name", train::device_name(device)},
                          {"threads", backend.threads},
                          {"precision", train::to_string(backend.precision)},
                          {"channels_last", spec.runtime.channels_last},
                          {"cuda_graphs", graphs},
                          {"batch_size", spec.recipe.batch_size},
                          {"images", o.images},
                          {"epochs", o.epochs},
                          {"parameters", measured.parameters},
                          {"train_images_per_second", train_rate},
                          {"eval_images_per_second", eval_rate}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s %-20s on %s (%s), %s%s: train %.1f images/s, eval %.1f images/s\n",
                  arch.setting >= 0 ? ("setting " + std::to_string(arch.setting)).c_str()
                                    : arch.file.string().c_str(),
                  arch.name.c_str(), train::describe_device(device).c_str(),
                  train::device_name(device).c_str(), train::to_string(backend.precision).c_str(),
                  graphs ? ", CUDA graphs" : "", train_rate, eval_rate);
    }
  });
}

void register_bench_audio(CLI::App& bench) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = [] {
      auto s = std::make_shared<run::RunSpec>();
      s->data.dataset = data::kAudioEffects;
      s->data.level = data::Bitrate::parse("32");
      s->data.instrument = "all";
      s->runtime.device = "cpu";
      return s;
    }();
    int repeat = 3;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "audio",
      "Clips per second of the whole audio stage (read, MP3 encode + decode, resample, align, "
      "mel spectrogram) over all cores, without the feature cache");
  auto& o = *options;
  // Where the STFTs run is --device (default cpu); --data-dir is required (e.g. from
  // `helmholtz synth audio-effects`).
  add_spec_fields(*cmd, o.spec, {"data-dir", "bitrate", "instrument", "threads", "device"});
  cmd->add_option("--repeat", o.repeat, "Timed passes (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    const run::RunSpec& spec = *o.spec;
    if (spec.data.data_dir.empty()) {
      throw core::UsageError(
          "bench audio needs --data-dir: an audio-effects folder (make one "
          "with `helmholtz synth audio-effects --out DIR`)");
    }
    run::finalize(*o.spec, given_fields(*cmd));
    const int threads = core::resolve_threads(spec.runtime.threads);
    at::set_num_threads(threads);
    features::AudioFeatureRequest request;
    request.data_dir = spec.data.data_dir;
    request.instrument = spec.data.instrument;
    request.bitrate = spec.data.codec_level().bitrate();
    request.cache_dir.clear();  // measure the work, not the cache
    request.threads = threads;
    request.device = train::resolve_device(spec.runtime.device);
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

// scripts/bench_loader_peer.py beside the binary's source tree (build/helmholtz ->
// scripts/), else under the working folder; "" when neither exists.
std::string find_loader_peer() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "scripts/bench_loader_peer.py");
  candidates.push_back(fs::current_path(ec) / "scripts/bench_loader_peer.py");
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  return "";
}

// Runs the peer and returns its JSON line; throws core::RunError when it fails.
nlohmann::json run_loader_peer(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw core::RunError("cannot start the loader peer: " + command);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  const auto last = output.find_last_of('{');
  if (status != 0 || last == std::string::npos) {
    throw core::RunError("the loader peer failed (" + command + "):\n" + output +
                         "\nleave it out with --no-peer");
  }
  return nlohmann::json::parse(output.substr(last));
}

void register_bench_loader(CLI::App& bench) {
  struct Options {
    std::shared_ptr<run::RunSpec> spec = [] {
      auto s = std::make_shared<run::RunSpec>();
      s->data.dataset = data::kFolderDataset;
      return s;
    }();
    int workers = 1;
    std::int64_t images = 2000;
    int size = 224;
    int resize = 256;
    int batch_size = 64;
    int repeat = 2;
    std::string transform = "train";
    std::string split = "train";
    std::string python = "/usr/bin/python3";
    std::string peer;  // empty: find_loader_peer()
    bool no_peer = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "loader",
      "Images per second of the streaming folder loader (read, decode, crop, resize, batch) and, "
      "in the same run, of torchvision's ImageFolder + DataLoader with as many workers and the "
      "same transforms (scripts/bench_loader_peer.py)");
  auto& o = *options;
  // --quality/--codec read the coded cache of that level (coded first when missing); without
  // --quality, the originals.
  add_spec_fields(*cmd, o.spec, {"data-dir", "quality", "codec", "subsampling", "cache-dir"});
  cmd->add_option("--workers", o.workers, "Decoding threads (ours) and DataLoader workers")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--images", o.images, "Images per epoch (the split's first)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--size", o.size, "Crop size")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--resize", o.resize, "Evaluation: the shorter side before the centre crop")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "Batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--repeat", o.repeat, "Timed epochs (the fastest counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--transform", o.transform,
                  "train (RandomResizedCrop + flip) or eval (Resize + CenterCrop)")
      ->check(CLI::IsMember({"train", "eval"}))
      ->capture_default_str();
  cmd->add_option("--split", o.split, "train or val")
      ->check(CLI::IsMember({"train", "val"}))
      ->capture_default_str();
  cmd->add_option("--python", o.python, "The peer's Python")->capture_default_str();
  cmd->add_option("--peer", o.peer, "The peer script (default: scripts/bench_loader_peer.py)");
  cmd->add_flag("--no-peer", o.no_peer, "Measure our loader only");
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    const run::DataSpec& d = o.spec->data;
    const run::Given given = given_fields(*cmd);
    if (given.count("codec") != 0 && given.count("quality") == 0) {
      throw core::UsageError("bench loader: --codec reads a coded level; give its --quality too");
    }
    const auto folder = data::list_image_folder(d.data_dir);
    data::LoaderFiles files;
    std::filesystem::path peer_root;
    std::string level = "originals";
    if (given.count("quality") != 0 && d.level) {
      const data::Level l = d.level->with_codec(d.codec ? *d.codec : d.level->codec_id());
      data::CodedFolderRequest request;
      request.cache_dir = d.cache_dir;
      request.quality = l.quality();
      request.subsampling = d.subsampling;
      request.verify_checksums = false;
      auto log = core::console_logger();
      const auto split = data::code_folder_split(folder, o.split, request, log.get());
      const std::string ext = data::coded_extension(request.quality.codec);
      if (!request.quality.raw && !o.no_peer && ext != "jpg" && ext != "webp") {
        throw core::UsageError("bench loader: torchvision's ImageFolder reads no ." + ext +
                               " files (JPEG and WebP only among the codecs); add --no-peer");
      }
      files = data::loader_files(split, request.quality);
      peer_root = request.quality.raw ? split.original_dir : split.level_dir;
      level = l.codec() + " " + request.quality.to_string();
    } else {
      files = data::loader_files(folder.split(o.split));
      peer_root = folder.split(o.split).dir;
    }
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(o.images, files.files.size()));
    files.files.resize(n);

    data::LoaderOptions lo;
    lo.mode = o.transform == "train" ? data::LoaderMode::kTrain : data::LoaderMode::kEval;
    lo.transform.crop = o.size;
    lo.transform.resize = o.resize;
    lo.batch_size = o.batch_size;
    lo.workers = o.workers;
    lo.prefetch = 2 * o.workers;  // as the DataLoader's prefetch_factor 2 per worker
    double best = 0;
    {
      data::FolderLoader loader(std::move(files), lo);
      std::mt19937_64 rng(0);
      for (int r = 0; r < o.repeat; ++r) {
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
        const auto start = Clock::now();
        loader.start_epoch(r, std::move(order));
        data::Batch batch;
        std::size_t count = 0;
        while (loader.next(&batch)) count += static_cast<std::size_t>(batch.size);
        const double seconds = seconds_since(start);
        if (count != n) throw core::RunError("bench loader: an epoch gave a wrong image count");
        if (r == 0 || seconds < best) best = seconds;
      }
    }
    const double ours = static_cast<double>(n) / best;

    nlohmann::json peer;
    if (!o.no_peer) {
      const std::string script = o.peer.empty() ? find_loader_peer() : o.peer;
      if (script.empty()) {
        throw core::UsageError(
            "bench loader: scripts/bench_loader_peer.py not found; give --peer PATH or "
            "--no-peer");
      }
      const std::string command =
          report::shell_quote(o.python) + " " + report::shell_quote(script) + " --root " +
          report::shell_quote(peer_root.string()) + " --workers " + std::to_string(o.workers) +
          " --images " + std::to_string(n) + " --size " + std::to_string(o.size) + " --resize " +
          std::to_string(o.resize) + " --batch-size " + std::to_string(o.batch_size) +
          " --repeat " + std::to_string(o.repeat) + " --transform " + o.transform + " --json 2>&1";
      peer = run_loader_peer(command);
    }
    const double theirs = peer.is_null() ? 0.0 : peer.value("images_per_second", 0.0);
    if (o.json) {
      nlohmann::json j = {{"data_dir", folder.root.string()},
                          {"split", o.split},
                          {"level", level},
                          {"transform", o.transform},
                          {"images", n},
                          {"size", o.size},
                          {"batch_size", o.batch_size},
                          {"workers", o.workers},
                          {"images_per_second", ours},
                          {"images_per_second_per_worker", ours / o.workers}};
      if (!peer.is_null()) {
        j["peer"] = peer.value("peer", "");
        j["peer_images_per_second"] = theirs;
        j["peer_images_per_second_per_worker"] = theirs / o.workers;
        j["ratio"] = theirs > 0 ? ours / theirs : 0.0;
      }
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("loader %s, %s %s, %zu images at %d px, %d workers, fastest of %d epochs\n",
                  folder.root.string().c_str(), o.split.c_str(), level.c_str(), n, o.size,
                  o.workers, o.repeat);
      std::printf("  helmholtz:   %8.1f images/s (%.1f per worker)\n", ours, ours / o.workers);
      if (!peer.is_null()) {
        std::printf("  torchvision: %8.1f images/s (%.1f per worker; %s)\n", theirs,
                    theirs / o.workers, peer.value("peer", std::string()).c_str());
        std::printf("  ratio:       %8.2fx\n", theirs > 0 ? ours / theirs : 0.0);
      }
    }
  });
}

}  // namespace

void register_bench(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Throughput benchmarks (not tests)");
  bench->require_subcommand(1);
  register_bench_jpeg(*bench);
  register_bench_codec(*bench);
  register_bench_train(*bench);
  register_bench_audio(*bench);
  register_bench_loader(*bench);
}

}  // namespace helmholtz::commands
