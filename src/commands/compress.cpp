// helmholtz compress: the codec stage alone, with its figures; nothing is trained.
//   images: the --codec round trip of both splits at --quality: bytes, payload, bits per
//           pixel, PSNR (the slow codecs' decoded images then sit in the cache)
//   folder: both splits of an ImageFolder tree (--data-dir) coded file by file into the coded
//           cache (data/coded_folder.hpp), or read back from its manifests
//   audio:  the --codec round trip of every clip at --bitrate (and the mel features, which go
//           to the feature cache so that a later `train` starts at once): bytes, kbit/s, the
//           codec's output rate, SNR, delay removed

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/prepare.hpp"
#include "helmholtz/data/report_json.hpp"
#include "helmholtz/features/audio_features.hpp"

namespace helmholtz::commands {
namespace {

struct Options {
  std::shared_ptr<run::RunSpec> spec = [] {
    auto s = std::make_shared<run::RunSpec>();
    s->data.level = run::default_quality();  // images; audio must give --bitrate
    return s;
  }();
  bool json = false;
};

void compress_images(const Options& o) {
  const run::DataSpec& d = o.spec->data;
  const auto& level = d.codec_level();
  const auto& quality = level.quality();
  const int threads = core::resolve_threads(o.spec->runtime.threads);
  const auto subsampling = codec::to_string(d.subsampling);
  const auto orientation = run::quirks(*o.spec).orientation();
  const bool transposed = orientation == data::Orientation::kTransposed;
  auto log = core::console_logger();
  const auto prepared = data::prepare_images(
      d.dataset, d.data_dir, d.train_size, d.val_size, quality, d.subsampling, threads, orientation,
      d.storage_budget, d.cache_dir, log.get(), run::holdout(*o.spec));
  const auto& train = prepared.train;
  const auto& test = prepared.test;
  const double seconds = prepared.compress_seconds;
  const double rate = static_cast<double>(train.images + test.images) / seconds;
  if (o.json) {
    nlohmann::json j;
    j["dataset"] = d.dataset;
    j["codec"] = level.codec();
    j["codec_version"] =
        level.raw() ? nlohmann::json(nullptr) : nlohmann::json(level.codec_version());
    j["quality"] = quality.to_string();
    if (level.codec() == "jpeg") j["subsampling"] = subsampling;
    j["from_cache"] = prepared.train_from_cache && prepared.test_from_cache;
    j["protocol"] = run::to_string(o.spec->recipe.protocol);
    j["threads"] = threads;
    j["seconds"] = seconds;
    j["images_per_second"] = quality.raw ? nlohmann::json(nullptr) : nlohmann::json(rate);
    if (d.storage_budget > 0) j["storage_budget"] = d.storage_budget;
    j["train"] = data::to_json(train);
    j["test"] = data::to_json(test);
    if (prepared.holdout.count > 0) j["validation"] = data::to_json(prepared.holdout_stats);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (quality.raw) {
    std::printf("%s, raw (no codec)\n", d.dataset.c_str());
  } else {
    const std::string how =
        level.codec() == "jpeg" ? subsampling + " subsampling for colour" : level.codec_version();
    const bool cached = prepared.train_from_cache && prepared.test_from_cache;
    std::printf("%s at %s, %s%s, %d threads: %s\n", d.dataset.c_str(), level.describe().c_str(),
                how.c_str(), transposed ? "; coded transposed, --protocol reference" : "", threads,
                cached ? "decoded images from the cache"
                       : (std::to_string(static_cast<long long>(rate)) + " images/s").c_str());
  }
  std::printf("%-6s %8s %12s %14s %11s %10s %19s\n", "split", "images", "bytes/image",
              "payload bytes", "bits/pixel", "PSNR (dB)", "PNG bytes (payload)");
  std::vector<std::pair<const char*, data::CompressionStats>> splits = {{"train", train},
                                                                        {"test", test}};
  // The validation images held out of the training split (corrected protocol).
  if (prepared.holdout.count > 0) splits.emplace_back("valid.", prepared.holdout_stats);
  for (const auto& [name, s] : splits) {
    char psnr[32] = "n/a";
    if (s.mean_psnr) std::snprintf(psnr, sizeof psnr, "%.2f", *s.mean_psnr);
    char png[40];
    std::snprintf(png, sizeof png, "%.1f (%.1f)", s.mean_lossless_bytes,
                  s.mean_lossless_payload_bytes);
    std::printf("%-6s %8lld %12.1f %14.1f %11.3f %10s %19s\n", name,
                static_cast<long long>(s.images), s.mean_bytes, s.mean_payload_bytes,
                s.bits_per_pixel, psnr, png);
  }
}

nlohmann::json to_json(const data::CodedSplit& s) {
  nlohmann::json j = data::to_json(s.stats);
  j["from_cache"] = s.from_cache;
  j["coded"] = s.coded;
  j["resumed"] = s.resumed;
  j["recoded"] = s.recoded;
  j["level_dir"] = s.level_dir.string();
  j["manifest"] = s.manifest.string();
  return j;
}

// `compress --dataset folder`: the run spec's data options that mean something for a folder,
// checked as finalize() checks them for the built-in image sets (finalize itself wants a
// dataset a network can be planned for).
void compress_folder(const Options& o, const run::Given& given) {
  const run::DataSpec& d = o.spec->data;
  for (const char* key : {"bitrate", "instrument", "eval", "train-size", "val-size", "holdout-size",
                          "split-seed", "storage-budget", "protocol"}) {
    if (given.count(key) != 0) {
      throw core::UsageError("--" + std::string(key) +
                             " does not apply to --dataset folder (it codes every file of "
                             "train/ and val/); leave it out");
    }
  }
  if (given.count("quality") == 0 || !d.level) {
    throw core::UsageError(
        "--dataset folder needs --quality Q: the level in the codec's scale "
        "(JPEG 1..100), or raw");
  }
  const data::Level level = d.level->with_codec(d.codec ? *d.codec : d.level->codec_id());
  if (given.count("subsampling") != 0 && level.codec() != "jpeg") {
    throw core::UsageError("--subsampling applies to --codec jpeg, not " + level.codec());
  }
  data::CodedFolderRequest request;
  request.cache_dir = d.cache_dir;
  request.quality = level.quality();
  request.subsampling = d.subsampling;
  request.threads = core::resolve_threads(o.spec->runtime.threads);
  request.progress = !o.json;
  auto log = core::console_logger();
  const auto folder = data::list_image_folder(d.data_dir);
  std::vector<data::CodedSplit> splits;
  for (const auto& name : data::folder_split_names()) {
    splits.push_back(data::code_folder_split(folder, name, request, log.get()));
  }
  const bool cached = std::all_of(splits.begin(), splits.end(),
                                  [](const data::CodedSplit& s) { return s.from_cache; });
  std::int64_t coded = 0;
  double seconds = 0;
  for (const auto& s : splits) {
    coded += s.coded;
    seconds += s.seconds;
  }
  const std::string subsampling = codec::to_string(d.subsampling);
  const auto cache = d.cache_dir / "folders" / folder.key;
  if (o.json) {
    nlohmann::json j;
    j["dataset"] = data::kFolderDataset;
    j["data_dir"] = folder.root.string();
    j["dataset_key"] = folder.key;
    j["classes"] = folder.classes;
    j["codec"] = level.codec();
    j["codec_version"] =
        level.raw() ? nlohmann::json(nullptr) : nlohmann::json(level.codec_version());
    j["quality"] = level.to_string();
    if (level.codec() == "jpeg" && !level.raw()) j["subsampling"] = subsampling;
    j["from_cache"] = cached;
    j["threads"] = request.threads;
    j["seconds"] = seconds;
    j["cache_dir"] = cache.string();
    for (const auto& s : splits) j[s.split] = to_json(s);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  const std::string how = level.raw() ? "raw (no codec)"
                          : level.codec() == "jpeg"
                              ? level.describe() + ", " + subsampling + " subsampling for colour"
                              : level.describe() + ", " + level.codec_version();
  char done[96];
  if (cached) {
    std::snprintf(done, sizeof done, "from cache");
  } else {
    std::snprintf(done, sizeof done, "coded %lld file%s in %.1f s", static_cast<long long>(coded),
                  coded == 1 ? "" : "s", seconds);
  }
  std::printf("folder %s (%zu classes) at %s, %d threads: %s\n", folder.root.string().c_str(),
              folder.classes.size(), how.c_str(), request.threads, done);
  std::printf("%-6s %8s %12s %14s %11s %10s  %s\n", "split", "images", "bytes/image",
              "payload bytes", "bits/pixel", "PSNR (dB)", "cache");
  for (const auto& s : splits) {
    char psnr[32] = "n/a";
    if (s.stats.mean_psnr) std::snprintf(psnr, sizeof psnr, "%.2f", *s.stats.mean_psnr);
    const std::string source =
        s.from_cache ? "from cache"
                     : "coded " + std::to_string(s.coded) +
                           (s.recoded > 0 ? " (" + std::to_string(s.recoded) + " recoded)" : "");
    std::printf("%-6s %8lld %12.1f %14.1f %11.3f %10s  %s\n", s.split.c_str(),
                static_cast<long long>(s.stats.images), s.stats.mean_bytes,
                s.stats.mean_payload_bytes, s.stats.bits_per_pixel, psnr, source.c_str());
  }
  std::printf("coded files and manifests in %s\n", cache.string().c_str());
}

void compress_audio(const Options& o) {
  const run::DataSpec& d = o.spec->data;
  features::AudioFeatureRequest request;
  request.data_dir = d.data_dir;
  request.instrument = d.instrument;
  request.bitrate = d.codec_level().bitrate();
  request.cache_dir = d.cache_dir;
  request.threads = o.spec->runtime.threads;
  request.progress = !o.json;
  auto log = core::console_logger();
  const auto f = features::prepare_audio_features(request, *log);
  const auto& s = f.stats;
  if (o.json) {
    nlohmann::json j;
    j["dataset"] = d.dataset;
    j["codec"] = d.codec_level().codec();
    j["codec_version"] = request.bitrate.raw ? nlohmann::json(nullptr)
                                             : nlohmann::json(d.codec_level().codec_version());
    j["bitrate"] = request.bitrate.to_string();
    j["instrument"] = request.instrument;
    j["threads"] = core::resolve_threads(o.spec->runtime.threads);
    j["from_cache"] = f.from_cache;
    j["cache_file"] = f.cache_file.string();
    j["seconds"] = f.seconds;
    j["clips_per_second"] = f.from_cache ? nlohmann::json(nullptr)
                                         : nlohmann::json(static_cast<double>(s.clips) / f.seconds);
    j["features_shape"] = f.features.sizes().vec();
    j["clips"] = data::to_json(s);
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::string rates;
  for (int r : s.output_sample_rates) rates += (rates.empty() ? "" : ", ") + std::to_string(r);
  char snr[32] = "n/a (raw)";
  if (s.mean_snr_db) std::snprintf(snr, sizeof snr, "%.2f dB", *s.mean_snr_db);
  std::printf("%s at %s%s\n", d.dataset.c_str(), d.codec_level().describe().c_str(),
              request.bitrate.raw ? " (no codec)" : " kbit/s");
  std::printf("  clips                 %lld (%.1f s of audio)\n", static_cast<long long>(s.clips),
              s.seconds_of_audio);
  const std::string coded_label =
      std::string(request.bitrate.raw ? "PCM"
                                      : codec::audio_codec_display_name(request.bitrate.codec)) +
      " bytes per clip";
  std::printf("  %-22s%.1f (payload %.1f)\n", coded_label.c_str(), s.mean_bytes,
              s.mean_payload_bytes);
  std::printf("  FLAC bytes per clip   %.1f (payload %.1f), the lossless reference\n",
              s.mean_lossless_bytes, s.mean_lossless_payload_bytes);
  std::printf("  bitrate achieved      %.2f kbit/s\n", s.kbps);
  std::printf("  output sample rate    %s Hz\n", rates.c_str());
  std::printf("  SNR (decoded vs in)   %s\n", snr);
  std::printf("  delay removed         %.1f ms mean, %.1f ms max\n", s.mean_delay_seconds * 1000,
              s.max_delay_seconds * 1000);
  std::printf("  features              %lld x %lld x %lld per clip%s\n",
              static_cast<long long>(f.features.size(1)),
              static_cast<long long>(f.features.size(2)),
              static_cast<long long>(f.features.size(3)), f.from_cache ? ", from the cache" : "");
}

}  // namespace

void register_compress(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compress",
      "Pass a dataset through a codec (--codec) and print its figures, nothing trained: bytes, "
      "payload bytes, bits per pixel and PSNR per split (images); bytes, kbit/s, output rate, "
      "SNR and delay removed (audio, whose features then sit in the cache)");
  auto& o = *options;
  // The data part of the run spec, the protocol (the reference coded images transposed) and
  // the thread count.
  add_spec_options(*cmd, o.spec, [](const run::Field& f) {
    const std::string key = f.key;
    return data_field(f) || key == "protocol" || key == "threads";
  });
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([cmd, options] {
    const auto& o = *options;
    if (data::is_folder_dataset(o.spec->data.dataset)) {
      compress_folder(o, given_fields(*cmd));
      return;
    }
    // The same checks as `train`: options of the other kind of dataset are refused, audio
    // needs a bitrate.
    run::finalize(*o.spec, given_fields(*cmd));
    if (o.spec->data.audio()) {
      compress_audio(o);
    } else {
      compress_images(o);
    }
  });
}

}  // namespace helmholtz::commands
