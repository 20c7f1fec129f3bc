#include "helmholtz/train/run_data.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/audio_dataset.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/data/prepare.hpp"
#include "helmholtz/data/report_json.hpp"
#include "helmholtz/features/audio_features.hpp"
#include "helmholtz/train/folder_data.hpp"

namespace helmholtz::train {
namespace {

RunData prepare_images(const run::RunSpec& s, const torch::Device& device, spdlog::logger& log,
                       DataParts parts) {
  const bool all = parts == DataParts::kAll;
  const auto& o = s.data;
  const auto& quality = o.codec_level().quality();
  const std::string level = o.codec_level().describe();
  const auto quirks = run::quirks(s);
  const auto orientation = quirks.orientation();
  const data::HoldOut holdout = run::holdout(s);
  auto c = data::prepare_images(o.dataset, o.data_dir, o.train_size, o.val_size, quality,
                                o.subsampling, core::resolve_threads(s.runtime.threads),
                                orientation, o.storage_budget, o.cache_dir, &log, holdout, all);
  if (o.storage_budget > 0) {
    log.info(
        "--storage-budget {} bytes at {}: {:.1f} bytes per training image on "
        "average, so the first {} training images",
        o.storage_budget, level, c.budget_mean_bytes, c.dataset.train.count);
  }
  // A batch larger than the training set would quietly train smaller batches than asked.
  if (all && c.dataset.train.count < s.recipe.batch_size) {
    throw core::UsageError("--batch-size " + std::to_string(s.recipe.batch_size) + ": only " +
                           std::to_string(c.dataset.train.count) + " training images" +
                           (o.train_size > 0 || o.storage_budget > 0
                                ? " (after --train-size or --storage-budget)"
                                : std::string()) +
                           "; give a batch size of at most " +
                           std::to_string(c.dataset.train.count) + ", or more images");
  }
  if (orientation == data::Orientation::kTransposed) {
    log.info("--protocol reference: each image coded transposed, as the reference did");
  }
  for (const auto& [from_cache, file] : {std::pair{c.train_from_cache, c.train_cache_file},
                                         std::pair{c.test_from_cache, c.test_cache_file},
                                         std::pair{c.holdout_from_cache, c.holdout_cache_file}}) {
    if (!file.empty()) {
      log.info("decoded images {} cache {}", from_cache ? "read from" : "written to",
               file.string());
    }
  }
  std::vector<const data::CompressionStats*> splits = {&c.test};
  if (all) splits = {&c.train, &c.test};
  if (all && holdout.enabled) splits.push_back(&c.holdout_stats);
  for (const auto* s : splits) {
    log.info(
        "{} {} images at {}: {:.1f} bytes/image ({:.1f} payload; PNG {:.1f}), "
        "{:.3f} bits/pixel, PSNR {}",
        s == &c.train  ? "train"
        : s == &c.test ? "test"
                       : "validation (held out)",
        s->images, level, s->mean_bytes, s->mean_payload_bytes, s->mean_lossless_payload_bytes,
        s->bits_per_pixel,
        s->mean_psnr ? fmt::format("{:.2f} dB", *s->mean_psnr) : std::string("n/a (raw)"));
  }
  log.debug("loading and compression took {:.2f} s", c.seconds);
  RunData d;
  d.test = to_tensors(c.dataset.test, device);
  if (all) d.train = to_tensors(c.dataset.train, device);
  if (!all) {
    d.validation_data =
        holdout.enabled ? run::ValidationData::kHoldout : run::ValidationData::kTest;
  } else if (holdout.enabled) {
    d.validation = to_tensors(c.holdout, device);
    d.validation_data = run::ValidationData::kHoldout;
  } else {
    d.validation = d.test;
    d.validation_data = run::ValidationData::kTest;
  }
  d.input = {c.dataset.train.channels, c.dataset.train.height, c.dataset.train.width};
  d.num_classes = c.dataset.num_classes;
  d.compression = {{"train", data::to_json(c.train)}, {"test", data::to_json(c.test)}};
  if (holdout.enabled) d.compression["validation"] = data::to_json(c.holdout_stats);
  const auto info = data::image_dataset_info(o.dataset);
  d.signal_bits_per_sample = info.recorded_bits();
  // The level's bits: of the training images, or of the test images when only they are coded.
  const data::CompressionStats& coded = all ? c.train : c.test;
  d.bits_per_sample = coded.mean_bytes * 8.0;
  d.payload_bits_per_sample = coded.mean_payload_bytes * 8.0;
  d.lossless_bits_per_sample = coded.mean_lossless_bytes * 8.0;
  d.lossless_payload_bits_per_sample = coded.mean_lossless_payload_bytes * 8.0;
  // Raw spends the signal's bits as recorded, not the padding to the network's input.
  if (o.codec_level().raw()) {
    d.bits_per_sample = d.signal_bits_per_sample;
    d.payload_bits_per_sample = d.signal_bits_per_sample;
  }
  d.distortion_metric = "psnr";
  d.distortion_db = coded.mean_psnr;
  d.seconds = c.seconds;
  return d;
}

TensorData select(const features::AudioFeatures& f, const torch::Tensor& features,
                  const std::vector<std::size_t>& positions, const torch::Device& device) {
  std::vector<std::int64_t> index(positions.begin(), positions.end());
  std::vector<std::int64_t> labels;
  labels.reserve(positions.size());
  for (auto p : positions) labels.push_back(f.labels[p]);
  const auto idx = torch::tensor(index, torch::kInt64);
  TensorData t;
  t.images = features.index_select(0, idx).to(device);
  t.labels = torch::tensor(labels, torch::kInt64).to(device);
  return t;
}

RunData prepare_audio(const run::RunSpec& spec, const torch::Device& device, spdlog::logger& log) {
  const auto& o = spec.data;
  const int batch_size = spec.recipe.batch_size;
  features::AudioFeatureRequest request;
  request.data_dir = o.data_dir;
  request.instrument = o.instrument;
  request.bitrate = o.codec_level().bitrate();
  request.cache_dir = o.cache_dir;
  request.threads = spec.runtime.threads;
  request.device = device;
  request.progress = spec.runtime.progress;
  const auto f = features::prepare_audio_features(request, log);
  const auto& s = f.stats;
  if (!request.bitrate.raw) {
    std::string rates;
    for (int r : s.output_sample_rates) rates += (rates.empty() ? "" : ", ") + std::to_string(r);
    log.info(
        "{} at {} kbit/s: {:.0f} bytes/clip ({:.0f} payload; FLAC {:.0f}) ({:.1f} kbit/s "
        "achieved), coded at {} Hz, SNR {:.2f} dB, delay removed {:.1f} ms on average",
        codec::audio_codec_info(request.bitrate.codec).library, request.bitrate.kbps, s.mean_bytes,
        s.mean_payload_bytes, s.mean_lossless_payload_bytes, s.kbps, rates,
        s.mean_snr_db.value_or(0.0), s.mean_delay_seconds * 1000.0);
  }

  const run::Quirks quirks = run::quirks(spec);
  const auto per_class =
      data::split_reference(f.labels, static_cast<int>(f.classes.size()), o.split_seed);
  // Corrected: validation per class, the training part cut evenly to a multiple of the batch.
  // Reference: the cut from the end of the listing and Keras' validation_split, as it did.
  const auto split = quirks.keras_audio_split
                         ? data::split_keras(per_class, static_cast<std::size_t>(batch_size))
                         : per_class;
  const auto train_positions =
      quirks.keras_audio_split ? split.train
                               : cut_to_multiple(split.train, static_cast<std::size_t>(batch_size));
  const auto& eval_positions = o.eval == "test" ? split.test : split.validation;
  // The reference saved its features as float16 and trained on what it read back.
  const torch::Tensor features =
      quirks.float16_features ? f.features.to(torch::kHalf).to(torch::kFloat32) : f.features;
  if (quirks.keras_audio_split) {
    log.info(
        "--protocol reference: features rounded through float16; the 80% part cut to a "
        "multiple of {} from the end and split as Keras' validation_split = 0.25 "
        "(numpy seed {})",
        batch_size, data::kKerasShuffleSeed);
  }
  if (train_positions.empty() || eval_positions.empty()) {
    throw core::DataError(
        "the audio set in '" +
        (o.data_dir.empty() ? features::default_audio_data_dir() : o.data_dir).string() +
        "' is too small to split: " + std::to_string(split.train.size()) + " training and " +
        std::to_string(eval_positions.size()) + " " + o.eval + " clips; give each class at least " +
        "5 clips" +
        (quirks.keras_audio_split
             ? ", and under --protocol reference, which cuts the 80% training part to a "
               "multiple of the batch size, that part at least " +
                   std::to_string(batch_size) + " clips"
             : std::string()));
  }
  log.info("{} clips in {} classes: {} for training (of {}, cut to a multiple of {}), {} for {}",
           f.labels.size(), f.classes.size(), train_positions.size(),
           per_class.train.size() + (quirks.keras_audio_split ? per_class.validation.size() : 0),
           batch_size, eval_positions.size(), o.eval);

  RunData d;
  d.train = select(f, features, train_positions, device);
  d.validation = select(f, features, eval_positions, device);
  d.test = o.eval == "test" ? d.validation : select(f, features, split.test, device);
  d.validation_data =
      o.eval == "test" ? run::ValidationData::kTest : run::ValidationData::kValidation;
  d.input = {1, static_cast<int>(f.features.size(2)), static_cast<int>(f.features.size(3))};
  d.num_classes = static_cast<int>(f.classes.size());
  d.compression = {
      {"clips", data::to_json(s)}, {"from_cache", f.from_cache}, {"clip_samples", f.clip_samples}};
  d.bits_per_sample = s.mean_bytes * 8.0;
  d.payload_bits_per_sample = s.mean_payload_bytes * 8.0;
  d.lossless_bits_per_sample = s.mean_lossless_bytes * 8.0;
  d.lossless_payload_bits_per_sample = s.mean_lossless_payload_bytes * 8.0;
  d.signal_bits_per_sample = static_cast<double>(f.clip_samples) * 16.0;  // 16-bit mono PCM
  d.distortion_metric = "snr";
  d.distortion_db = s.mean_snr_db;
  d.seconds = f.seconds;
  return d;
}

}  // namespace

RunData prepare_run_data(const run::RunSpec& s, const torch::Device& device, spdlog::logger& log,
                         DataParts parts) {
  if (s.data.folder()) return prepare_folder_data(s, device, log, parts);
  return s.data.audio() ? prepare_audio(s, device, log) : prepare_images(s, device, log, parts);
}

std::vector<std::size_t> cut_to_multiple(const std::vector<std::size_t>& positions,
                                         std::size_t multiple) {
  const std::size_t n = positions.size();
  if (multiple == 0 || n < multiple) return positions;
  const std::size_t drop = n % multiple;
  std::vector<bool> dropped(n, false);
  for (std::size_t i = 0; i < drop; ++i) dropped[(2 * i + 1) * n / (2 * drop)] = true;
  std::vector<std::size_t> kept;
  kept.reserve(n - drop);
  for (std::size_t i = 0; i < n; ++i) {
    if (!dropped[i]) kept.push_back(positions[i]);
  }
  return kept;
}

}  // namespace helmholtz::train
