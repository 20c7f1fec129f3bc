#include "helmholtz/train/cross_eval.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/predictions.hpp"
#include "helmholtz/run/settings_file.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/run_data.hpp"
#include "helmholtz/train/setup.hpp"

namespace helmholtz::train {
namespace fs = std::filesystem;

CrossEvalResult cross_evaluate(const CrossEvalRequest& request, spdlog::logger& log) {
  const run::RunFolder folder(request.run_dir);
  std::error_code ec;
  if (!fs::is_regular_file(folder.summary(), ec)) {
    throw core::DataError("'" + request.run_dir.string() +
                          "' is not a run folder (no summary.json); give the folder of one run, "
                          "e.g. logs/cifar10/all-cnns/quality_5");
  }
  const auto summary = *folder.read_summary();
  if (!fs::is_regular_file(folder.best_weights(), ec)) {
    throw core::DataError("'" + folder.best_weights().string() +
                          "' does not exist: the run has not finished an epoch yet");
  }
  run::RunSpec spec = run::read_run_spec(folder.config());
  const auto differences = run::compare(summary.identity, run::identity(spec));
  if (!differences.empty()) {
    throw core::DataError(folder.config().string() + " no longer describes the run in " +
                          folder.summary().string() + " (" + run::describe(differences) +
                          "); restore it or train the run again");
  }
  const bool audio = spec.data.audio();
  std::vector<data::Level> levels;
  for (const auto& level : request.levels) {
    if (level.audio() != audio) {
      throw core::UsageError(std::string(audio ? "--quality" : "--bitrate") +
                             " does not apply to a run of --dataset " + spec.data.dataset +
                             " (use " + (audio ? "--bitrate" : "--quality") + ")");
    }
    levels.push_back(request.run_codec ? level.with_codec(spec.data.codec_level().codec_id())
                                       : level);
  }
  if (request.device) spec.runtime.device = *request.device;
  if (request.threads) spec.runtime.threads = *request.threads;
  spec.runtime.progress = false;
  const int weights_epoch = train::weights_epoch(folder.best_weights());

  CrossEvalResult result;
  result.file = folder.cross_eval();
  // One process per run folder: never beside a training process that may rewrite best.pt.
  run::RunFolder::Claim claim(folder);
  claim.keep();
  std::vector<run::CrossEvalEntry> table;
  if (fs::exists(result.file, ec)) table = run::read_cross_eval_csv(result.file);

  std::vector<data::Level> todo;
  for (const auto& level : levels) {
    const bool done = std::any_of(table.begin(), table.end(), [&](const run::CrossEvalEntry& e) {
      return e.codec == level.codec() && e.level == level.to_string() &&
             e.weights_epoch == weights_epoch;
    });
    if (request.skip_done && done) {
      ++result.skipped;
    } else {
      todo.push_back(level);
    }
  }
  if (todo.empty()) return result;

  const Backend backend = set_up_process(spec.runtime);
  std::optional<Training> t;
  for (const auto& level : todo) {
    run::RunSpec at = spec;
    at.data.level = level;
    const RunData d = prepare_run_data(at, backend.device, log, DataParts::kTestOnly);
    if (!t) {
      t.emplace(make_training(spec, d.input, d.num_classes, backend));
      load_weights(folder.best_weights(), t->model);
      if (spec.runtime.channels_last) use_channels_last(t->model);
    }
    PerSample outcome;
    const Metrics m = evaluate(t->model, d.test, t->eval_batch_size, t->channels_last,
                               t->precision, &outcome);
    run::write_predictions(folder.predictions(level.folder_name()),
                           predictions_of(d.test, outcome, weights_epoch, level.folder_name()));
    run::CrossEvalEntry e;
    e.codec = level.codec();
    e.level = level.to_string();
    e.weights_epoch = weights_epoch;
    e.test_acc = m.acc;
    e.test_loss = m.loss;
    e.test_samples = d.test.size();
    e.payload_bits_per_sample = d.payload_bits_per_sample;
    e.bits_per_sample = d.bits_per_sample;
    e.distortion_db = d.distortion_db;
    run::merge_cross_eval(table, e);
    core::write_file_atomic(result.file, run::cross_eval_csv(table));
    log.info("{}: kept weights (epoch {}) on {} test data: test_acc {:.4f}, test_loss {:.4f}",
             folder.dir().string(), weights_epoch,
             level.raw() ? level.describe()
                         : level.codec() + " " + level.option() + " " + level.to_string(),
             m.acc, m.loss);
    result.entries.push_back(e);
  }
  return result;
}

}  // namespace helmholtz::train
