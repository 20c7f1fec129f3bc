#include "helmholtz/train/folder_data.hpp"

#include <numeric>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/report_json.hpp"

namespace helmholtz::train {
namespace {

// Loaders ahead of the training step: enough for every worker to be busy.
constexpr int kPrefetchBatches = 4;

TensorData streamed(data::LoaderFiles files, const std::vector<std::size_t>& positions,
                    const data::LoaderOptions& options, const torch::Device& device) {
  std::vector<std::int64_t> labels;
  labels.reserve(positions.size());
  for (const auto p : positions) labels.push_back(files.files[p].label);
  TensorData t;
  t.labels = torch::tensor(labels, torch::kInt64).to(device);
  t.stream = std::make_shared<StreamedSplit>();
  t.stream->loader = std::make_shared<data::FolderLoader>(std::move(files), options);
  t.stream->samples = positions;
  return t;
}

}  // namespace

std::vector<std::size_t> spread_evenly(const std::vector<std::size_t>& positions,
                                       std::int64_t count, const std::string& asked_by) {
  const auto size = static_cast<std::int64_t>(positions.size());
  if (count == 0) return positions;
  if (count > size) {
    throw core::UsageError(asked_by + " has only " + std::to_string(size) +
                           " images; give at most " + std::to_string(size));
  }
  std::vector<std::size_t> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    out.push_back(positions[static_cast<std::size_t>(i * size / count)]);
  }
  return out;
}

RunData prepare_folder_data(const run::RunSpec& s, const torch::Device& device, spdlog::logger& log,
                            DataParts parts) {
  const bool all = parts == DataParts::kAll;
  const auto& o = s.data;
  const data::ImageFolder folder = data::list_image_folder(o.data_dir);
  if (folder.id() != o.folder_id) {
    throw core::DataError("'" + folder.root.string() + "' changed after this run's settings were " +
                          "read (a file was added, removed or rewritten): run the command again");
  }
  const std::string name = "folder " + folder.root.filename().string();
  const auto& quality = o.codec_level().quality();
  const std::string level = o.codec_level().describe();
  const int threads = core::resolve_threads(s.runtime.threads);
  data::CodedFolderRequest request;
  request.cache_dir = o.cache_dir;
  request.quality = quality;
  request.subsampling = o.subsampling;
  request.threads = threads;
  request.progress = s.runtime.progress;
  const auto start = std::chrono::steady_clock::now();

  data::LoaderOptions eval;
  eval.mode = data::LoaderMode::kEval;
  eval.transform.crop = o.crop;
  eval.transform.resize = o.resize;
  eval.layout = s.runtime.channels_last ? data::PixelLayout::kHwc : data::PixelLayout::kChw;
  eval.batch_size = s.recipe.eval_batch_size;
  eval.workers = s.runtime.workers > 0 ? s.runtime.workers : threads;
  eval.prefetch = kPrefetchBatches;
  eval.seed = s.recipe.seed;
  data::LoaderOptions train = eval;
  train.mode = data::LoaderMode::kTrain;
  train.transform.flip = s.recipe.flip ? 0.5 : 0.0;
  train.batch_size = s.recipe.batch_size;

  RunData d;
  d.input = {3, o.crop, o.crop};
  d.num_classes = static_cast<int>(folder.classes.size());
  d.distortion_metric = "psnr";

  // val/ tests.
  const data::CodedSplit val = data::code_folder_split(folder, "val", request, &log);
  std::vector<std::size_t> test_positions(val.files.size());
  std::iota(test_positions.begin(), test_positions.end(), std::size_t{0});
  test_positions =
      spread_evenly(test_positions, o.val_size,
                    "--val-size " + std::to_string(o.val_size) + ": " + name + "'s val/ split");
  const data::FolderStats test_stats = data::folder_stats(val.files, test_positions);
  d.test = streamed(data::loader_files(val, quality), test_positions, eval, device);
  d.compression["test"] = data::to_json(test_stats);
  const data::HoldOut holdout = run::holdout(s);
  d.validation_data = holdout.enabled ? run::ValidationData::kHoldout : run::ValidationData::kTest;
  // The level's figures: of the training files, or of the test files when only they are used.
  data::FolderStats coded = test_stats;
  if (all) {
    // train/ trains, less the held-out files, which validate.
    const data::CodedSplit tr = data::code_folder_split(folder, "train", request, &log);
    std::vector<int> labels;
    labels.reserve(tr.files.size());
    for (const auto& f : tr.files) labels.push_back(f.label);
    std::vector<bool> held(tr.files.size(), false);
    const std::int64_t count = static_cast<std::int64_t>(tr.files.size());
    if (holdout.enabled) {
      held = data::choose_holdout(
          labels, holdout.count(count), holdout.seed,
          "--holdout-size " + std::to_string(holdout.size) + ": " + name + "'s train/ split");
    }
    std::vector<std::size_t> kept, validation;
    for (std::size_t i = 0; i < held.size(); ++i) (held[i] ? validation : kept).push_back(i);
    kept = spread_evenly(kept, o.train_size,
                         "--train-size " + std::to_string(o.train_size) + ": " + name +
                             "'s train/ split less its " + std::to_string(validation.size()) +
                             " held-out validation images");
    if (static_cast<std::int64_t>(kept.size()) < s.recipe.batch_size) {
      throw core::UsageError("--batch-size " + std::to_string(s.recipe.batch_size) + ": only " +
                             std::to_string(kept.size()) + " training images in " + name +
                             "; give a batch size of at most " + std::to_string(kept.size()) +
                             ", or more images");
    }
    auto files = data::loader_files(tr, quality);
    const data::FolderStats train_stats = data::folder_stats(tr.files, kept);
    coded = train_stats;
    d.train = streamed(files, kept, train, device);
    d.compression["train"] = data::to_json(train_stats);
    if (holdout.enabled) {
      const auto held_stats = data::folder_stats(tr.files, validation);
      d.validation = streamed(std::move(files), validation, eval, device);
      d.compression["validation"] = data::to_json(held_stats);
      log.info(
          "{} train / {} held out of train/ ({} classes): {:.1f} bytes/image at {}, {:.3f} "
          "bits/pixel, PSNR {}",
          kept.size(), validation.size(), folder.classes.size(), train_stats.mean_bytes, level,
          train_stats.bits_per_pixel,
          train_stats.mean_psnr ? fmt::format("{:.2f} dB", *train_stats.mean_psnr)
                                : std::string("n/a (raw)"));
    } else {
      d.validation = d.test;
    }
  }
  log.info(
      "{} test images of val/: {:.1f} bytes/image at {}, {:.3f} bits/pixel; {}x{} crops, "
      "{} decoding threads",
      test_stats.images, test_stats.mean_bytes, level, test_stats.bits_per_pixel, o.crop, o.crop,
      eval.workers);
  d.signal_bits_per_sample =
      coded.images == 0 ? 0.0 : coded.pixels * 24.0 / static_cast<double>(coded.images);
  d.bits_per_sample = coded.mean_bytes * 8.0;
  d.payload_bits_per_sample = coded.mean_payload_bytes * 8.0;
  if (o.codec_level().raw()) {
    d.bits_per_sample = d.signal_bits_per_sample;
    d.payload_bits_per_sample = d.signal_bits_per_sample;
  }
  d.distortion_db = coded.mean_psnr;
  d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return d;
}

}  // namespace helmholtz::train
