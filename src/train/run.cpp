#include "helmholtz/train/run.hpp"

#include <chrono>
#include <cmath>
#include <functional>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/core/progress.hpp"
#include "helmholtz/core/stop_signals.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/predictions.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/distributed.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/run_data.hpp"
#include "helmholtz/train/setup.hpp"

namespace helmholtz::train {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The first epoch whose training loss is NaN or infinite, 0 when none is.
int first_nonfinite_epoch(const std::vector<run::EpochRecord>& history) {
  for (const auto& r : history) {
    if (!std::isfinite(r.loss)) return r.epoch;
  }
  return 0;
}

run::Summary make_summary(const run::RunSpec& s, const Training& t, const RunData& prepared,
                          const TrainState& state, const Backend& backend, run::RunStatus status,
                          int stop_signal) {
  const auto& arch = s.recipe.architecture;
  const auto& level = s.data.codec_level();
  run::Summary m;
  m.version = HELMHOLTZ_VERSION;
  m.identity = run::identity(s);
  m.dataset = s.data.label();
  m.model = arch.name;
  m.setting = arch.setting;
  m.level_option = level.option();
  m.level = level.to_string();
  m.codec = level.raw() ? "" : level.codec();
  m.seed = s.recipe.seed;
  m.protocol = s.recipe.protocol;
  m.optimizer = run::to_string(s.recipe.optimizer);
  m.parameters = t.parameters;
  m.device = backend.device.str();
  m.device_name = device_name(backend.device);
  m.precision = to_string(backend.precision);
  m.channels_last = s.runtime.channels_last;
  m.cuda_graphs = t.trainer->uses_cuda_graphs();
  m.train_samples = prepared.train.size();
  m.storage_budget = s.data.storage_budget;
  m.train_steps_per_epoch = t.trainer->steps_per_epoch(prepared.train.size());
  m.validation_data = prepared.validation_data;
  m.validation_samples = prepared.validation.size();
  m.test_samples = prepared.test.size();
  m.num_classes = prepared.num_classes;
  m.epochs_requested = s.recipe.epochs;
  m.epochs_completed = state.epoch;
  m.patience = s.recipe.patience;
  m.finished = status == run::RunStatus::kFinished;
  m.status = status;
  const int nonfinite = first_nonfinite_epoch(state.history);
  if (nonfinite > 0) m.diverged_epoch = nonfinite;
  if (stop_signal != 0) m.stop_signal = core::signal_name(stop_signal);
  if (!state.history.empty()) {
    m.best_val_acc = state.best_val_acc;
    m.best_epoch = state.best_epoch;
    m.mean_top10_val_acc = run::mean_top_val_acc(state.history, 10);
  }
  m.convergence_epoch = run::convergence_epoch(state.history);
  m.bits_per_sample = prepared.bits_per_sample;
  m.payload_bits_per_sample = prepared.payload_bits_per_sample;
  m.lossless_bits_per_sample = prepared.lossless_bits_per_sample;
  m.lossless_payload_bits_per_sample = prepared.lossless_payload_bits_per_sample;
  m.signal_bits_per_sample = prepared.signal_bits_per_sample;
  m.distortion_metric = prepared.distortion_metric;
  m.distortion_db = prepared.distortion_db;
  m.compression = prepared.compression;
  const double samples = t.trainer->samples_per_epoch(prepared.train.size()) * state.epoch;
  m.train_samples_per_second = state.train_seconds > 0 ? samples / state.train_seconds : 0.0;
  m.wall_seconds = state.wall_seconds;
  return m;
}

// Whether --patience has ended the run before its last epoch: that many epochs since the best.
bool patience_ended(const run::RunSpec& s, const TrainState& state) {
  return s.recipe.patience > 0 && state.epoch > 0 &&
         state.epoch - state.best_epoch >= s.recipe.patience && state.epoch < s.recipe.epochs;
}

// best.pt may be of an epoch after the checkpoint resumed from (the process died between the
// two writes, or resuming fell back a generation): the weights of the checkpoint's best epoch
// are then the generation before it, best.pt.prev.
void reconcile_best_weights(const run::RunFolder& folder, const TrainState& state,
                            spdlog::logger& log) {
  std::error_code ec;
  if (!fs::exists(folder.best_weights(), ec)) return;
  try {
    const int best = weights_epoch(folder.best_weights());
    if (best <= state.epoch) return;
    if (fs::exists(folder.previous_best_weights(), ec) &&
        weights_epoch(folder.previous_best_weights()) == state.best_epoch) {
      fs::rename(folder.previous_best_weights(), folder.best_weights(), ec);
      if (!ec) {
        log.info("best.pt was of epoch {}, after the checkpoint; restored best.pt.prev (epoch {})",
                 best, state.best_epoch);
        return;
      }
    }
    log.warn(
        "'{}' holds epoch {}, after the checkpoint's epoch {}, and no earlier generation "
        "of epoch {} is there; it is replaced at the next epoch better than {:.4f}",
        folder.best_weights().string(), best, state.epoch, state.best_epoch, state.best_val_acc);
  } catch (const core::DataError& e) {
    log.warn("{}; it is replaced at the next epoch better than {:.4f}", e.what(),
             state.best_val_acc);
  }
}

// What every rank of a run makes of an epoch's record, the same on all of them (their stop
// decisions must agree): the history, the best epoch, and whether the run diverged or
// --patience has ended it.
struct EpochOutcome {
  bool best = false;  // the best validation accuracy so far
  bool diverged = false;
  bool stopped_early = false;
};

EpochOutcome take_epoch(const run::RunSpec& s, TrainState& state, const run::EpochRecord& record) {
  EpochOutcome o;
  state.history.push_back(record);
  state.epoch = record.epoch;
  if (record.val_acc > state.best_val_acc) {
    state.best_val_acc = record.val_acc;
    state.best_epoch = record.epoch;
    o.best = true;
  }
  o.diverged = s.runtime.stop_on_divergence && !std::isfinite(record.loss);
  o.stopped_early = !o.diverged && patience_ended(s, state);
  return o;
}

// What rank 0 tells the other ranks of a run, once it has read the folder's state.
enum class RankOrder : std::int64_t { kTrain = 0, kResume = 1, kNothing = 2, kRefused = 3 };

void tell_ranks(Distributed* d, RankOrder order) {
  if (d == nullptr || d->world_size() < 2) return;
  auto t = torch::tensor({static_cast<std::int64_t>(order)}, torch::kInt64);
  d->broadcast(t);
}

RankOrder hear_rank0(Distributed& d) {
  auto t = torch::tensor({std::int64_t{-1}}, torch::kInt64);
  d.broadcast(t);
  return static_cast<RankOrder>(t.item<std::int64_t>());
}

// Whether any rank asks to stop (a signal there, or a decision all ranks share): every rank
// asks at the same points (each step and each epoch's end), so the answer is the same
// everywhere. `signalled` becomes true when a signal on some rank is among the reasons.
bool agreed_stop(Distributed* d, bool shared_reason, bool& signalled) {
  const bool local_signal = core::stop_requested();
  if (d == nullptr || d->world_size() < 2) {
    signalled = signalled || local_signal;
    return shared_reason || local_signal;
  }
  auto t = torch::tensor({shared_reason ? 1.0 : 0.0, local_signal ? 1.0 : 0.0}, torch::kFloat64);
  d->all_reduce_sum(t);
  if (t[1].item<double>() > 0) signalled = true;
  return t[0].item<double>() > 0 || t[1].item<double>() > 0;
}

// A rank other than 0: trains its shards beside rank 0 and writes nothing.
RunResult follow_training(const run::RunSpec& s, Distributed& d) {
  auto log = core::console_logger();
  log->set_level(spdlog::level::warn);  // rank 0 speaks for the run
  const run::RunFolder folder(run::run_directory(s));
  RunResult result;
  result.run_dir = folder.dir();
  const core::StopSignals stop_signals;
  const RankOrder order = hear_rank0(d);
  if (order == RankOrder::kNothing) {
    result.already_finished = true;
    return result;
  }
  if (order == RankOrder::kRefused) {
    throw core::RunStopped("rank " + std::to_string(d.rank()) + ": rank 0 did not start the run " +
                               "(its message says why)",
                           core::kExitError);
  }
  const Backend backend = set_up_process(s.runtime);
  const RunData prepared = prepare_run_data(s, backend.device, *log);
  Training t = make_training(s, prepared.input, prepared.num_classes, backend);
  TrainState state;
  if (order == RankOrder::kResume) {
    const CheckpointFiles checkpoints{folder.checkpoint(), folder.previous_checkpoint()};
    Resumed resumed = resume_from(checkpoints, t.model, *t.optimizer, backend.device,
                                  run::identity_line(run::identity(s)));
    state = std::move(resumed.state);
    if (s.runtime.channels_last) use_channels_last(t.model);
    t.trainer->restore_iterator(state.iterator);
  }
  t.trainer->set_distributed(&d);
  bool diverged = false;
  bool stopped_early = false;
  bool signalled = false;
  FitHooks hooks;
  hooks.stop = [&] { return agreed_stop(&d, diverged || stopped_early, signalled); };
  hooks.epoch_done = [&](const run::EpochRecord& record, double) {
    const EpochOutcome o = take_epoch(s, state, record);
    diverged = o.diverged;
    stopped_early = o.stopped_early;
  };
  stopped_early = patience_ended(s, state);
  if (!stopped_early) {
    fit(t, prepared.train, prepared.validation, state.epoch + 1, s.recipe.epochs, hooks);
  }
  if (diverged) throw core::RunStopped("", core::kExitDiverged);
  if (signalled) throw core::RunStopped("", core::kExitInterrupted);
  return result;
}

}  // namespace

RunResult run_training(const run::RunSpec& s, bool resume, Distributed* distributed) {
  if (distributed != nullptr && distributed->world_size() > 1 && !distributed->is_main()) {
    run::validate(s);
    return follow_training(s, *distributed);
  }
  const auto session_start = Clock::now();
  run::validate(s);
  auto log = core::console_logger();
  const run::RunFolder folder(run::run_directory(s));
  const run::Identity identity = run::identity(s);
  const std::string identity_line = run::identity_line(identity);
  RunResult result;
  result.run_dir = folder.dir();
  // Until rank 0 has told the others what to do, any way out tells them to do nothing.
  bool told = false;
  const auto tell = [&](RankOrder order) {
    tell_ranks(distributed, order);
    told = true;
  };
  struct TellOnExit {
    const std::function<void()> f;
    ~TellOnExit() { f(); }
  } tell_on_exit{[&] {
    if (told) return;
    try {
      tell_ranks(distributed, RankOrder::kRefused);
    } catch (...) {  // the others are gone already; rank 0's own error is the message
    }
  }};

  // One process per run folder: the lock is taken before anything in it is read or written. A
  // folder made here and left holding nothing but the lock (the data failed to load, ...) is
  // removed again. Its state is read from summary.json before anything else is loaded.
  run::RunFolder::Claim claim(folder);
  // From here a signal asks for a clean stop at the next step instead of killing the process.
  const core::StopSignals stop_signals;
  const run::FolderStatus status = folder.status(identity, s.recipe.epochs);
  bool resuming = status.state == run::FolderState::kInterrupted;
  switch (status.state) {
    case run::FolderState::kMismatch:
    case run::FolderState::kOldSchema:
      throw core::UsageError(folder.refusal(status, s.recipe.epochs));
    case run::FolderState::kFinished:
      log->info("{}: already finished ({} epochs); nothing to train", folder.dir().string(),
                status.epochs_completed);
      result.already_finished = true;
      result.summary = folder.read_summary().value_or(run::Summary{});
      tell(RankOrder::kNothing);
      return result;
    case run::FolderState::kInterrupted:
      if (!resume) throw core::UsageError(folder.refusal(status, s.recipe.epochs));
      break;
    case run::FolderState::kDiverged:
      if (!(resume && !s.runtime.stop_on_divergence)) {
        log->error("{}", folder.refusal(status, s.recipe.epochs));
        throw core::RunStopped("", core::kExitDiverged);
      }
      resuming = true;
      break;
    case run::FolderState::kFresh:
      if (resume) log->info("{}: nothing to resume, starting a new run", folder.dir().string());
      break;
  }

  // A stop asked for before training started: nothing is written, nothing was trained.
  const auto stop_if_asked = [&] {
    if (!core::stop_requested()) return;
    log->warn("{}: {} before training started; nothing was trained in this session",
              folder.dir().string(), core::signal_name(core::stop_signal()));
    throw core::RunStopped("", core::kExitInterrupted);
  };
  stop_if_asked();
  tell(resuming ? RankOrder::kResume : RankOrder::kTrain);
  const Backend backend = set_up_process(s.runtime);
  const RunData prepared = prepare_run_data(s, backend.device, *log);

  Training t = make_training(s, prepared.input, prepared.num_classes, backend);
  TrainState state;
  state.identity = identity_line;
  const CheckpointFiles checkpoints{folder.checkpoint(), folder.previous_checkpoint()};
  if (resuming) {
    // The checkpoint's identity is compared before its weights are read.
    Resumed resumed =
        resume_from(checkpoints, t.model, *t.optimizer, backend.device, identity_line);
    state = std::move(resumed.state);
    if (s.runtime.channels_last) use_channels_last(t.model);  // loading stored them as saved
    t.trainer->restore_iterator(state.iterator);
    if (resumed.fell_back) {
      log->warn(
          "{}; resuming from the previous checkpoint '{}' (epoch {}) instead: the history after "
          "epoch {} is dropped and those epochs are trained again",
          resumed.newest_problem, resumed.from.string(), state.epoch, state.epoch);
    }
    reconcile_best_weights(folder, state, *log);
    log->info("resuming {} after epoch {}", folder.dir().string(), state.epoch);
  }
  if (distributed != nullptr && distributed->world_size() > 1) {
    t.trainer->set_distributed(distributed);
  } else {
    stop_if_asked();  // with several ranks, the first step's agreed check stops them all
  }

  claim.keep();
  core::add_file_sink(*log, folder.log());
  struct DropFileSink {  // the console logger outlives this run
    spdlog::logger& l;
    ~DropFileSink() { l.sinks().pop_back(); }
  } drop_file_sink{*log};
  log->debug("helmholtz {} train: {}", HELMHOLTZ_VERSION, identity_line);
  core::write_file_atomic(folder.config(), run::to_toml(s));
  const auto& arch = s.recipe.architecture;
  const int world = distributed != nullptr ? distributed->world_size() : 1;
  log->info(
      "{} ({}, {} parameters) on {}{}, {}{}, {} train / {} validation ({}) / {} test samples, {} "
      "epochs of {} steps{}, protocol {}",
      arch.name,
      !arch.file.empty()  ? arch.file.string()
      : arch.setting >= 0 ? "setting " + std::to_string(arch.setting)
                          : std::string("built in"),
      t.parameters, describe_device(backend.device),
      world > 1
          ? fmt::format(" x {} processes ({})", world, to_string(distributed->config().backend))
          : std::string(),
      to_string(backend.precision), t.trainer->uses_cuda_graphs() ? ", CUDA graphs" : "",
      prepared.train.size(), prepared.validation.size(), run::to_string(prepared.validation_data),
      prepared.test.size(), s.recipe.epochs, t.trainer->steps_per_epoch(prepared.train.size()),
      s.recipe.patience > 0 ? fmt::format(", patience {}", s.recipe.patience) : std::string(),
      run::to_string(s.recipe.protocol));

  core::ProgressBar bar(s.runtime.progress);
  const double wall_before = state.wall_seconds;
  // The test figures, once the run has finished (kept across the writes below).
  std::optional<run::TestFigures> test_best, test_last;
  std::string predictions;
  bool stopped_early = false;
  const auto write_results = [&](run::RunStatus status) {
    state.wall_seconds = wall_before + seconds_since(session_start);
    core::write_file_atomic(folder.history(), run::history_csv(state.history));
    result.summary = make_summary(s, t, prepared, state, backend, status, core::stop_signal());
    result.summary.stopped_early = stopped_early;
    result.summary.test_best = test_best;
    result.summary.test_last = test_last;
    result.summary.predictions = predictions;
    core::write_file_atomic(folder.summary(), run::to_json(result.summary).dump(2) + "\n");
  };
  write_results(run::RunStatus::kRunning);

  bool diverged = false;
  bool signalled = false;  // a stop signal here or on another rank
  FitHooks hooks;
  hooks.stop = [&] { return agreed_stop(distributed, diverged || stopped_early, signalled); };
  hooks.epoch_start = [&](int epoch) {
    bar.start(fmt::format("epoch {}/{}", epoch, s.recipe.epochs));
  };
  hooks.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
  hooks.epoch_done = [&](const run::EpochRecord& record, double train_seconds) {
    bar.clear();
    state.train_seconds += train_seconds;
    const EpochOutcome o = take_epoch(s, state, record);
    if (o.best) {
      save_weights(folder.best_weights(), t.model, record.epoch, folder.previous_best_weights());
    }
    state.iterator = t.trainer->iterator_state();
    save_checkpoint(checkpoints, t.model, *t.optimizer, state, backend.device);
    diverged = o.diverged;
    stopped_early = o.stopped_early;
    write_results(diverged ? run::RunStatus::kDiverged : run::RunStatus::kRunning);
    double mean_epoch = 0;
    for (const auto& r : state.history) mean_epoch += r.seconds;
    mean_epoch /= static_cast<double>(state.history.size());
    log->info(
        "epoch {:>3}/{}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.1f}s  ETA {}",
        record.epoch, s.recipe.epochs, record.loss, record.acc, record.val_loss, record.val_acc,
        record.seconds, core::format_duration(mean_epoch * (s.recipe.epochs - record.epoch)));
  };
  // A run killed after --patience had ended it, before it finished, trains no further.
  stopped_early = patience_ended(s, state);
  if (!stopped_early) {
    try {
      fit(t, prepared.train, prepared.validation, state.epoch + 1, s.recipe.epochs, hooks);
    } catch (const DistributedError& e) {
      // Another process of the run failed or was preempted: the run folder is as it was after
      // the last whole epoch, and resumes from there (on any number of processes).
      bar.clear();
      write_results(run::RunStatus::kInterrupted);
      log->error(
          "{}; the checkpoint of epoch {} is intact and summary.json says "
          "\"interrupted\"; --resume continues from epoch {}",
          e.what(), state.epoch, state.epoch + 1);
      throw core::RunStopped("", core::kExitInterrupted);
    }
  }
  bar.clear();
  if (diverged) {
    log->error(
        "diverged at epoch {}: training loss {}; stopped there (summary.json: status "
        "\"diverged\"; a sweep does not retry it and the report leaves it out of the estimate). "
        "To train on through it as the reference did: --resume --on-divergence continue",
        state.epoch, state.history.back().loss);
    throw core::RunStopped("", core::kExitDiverged);
  }
  if (signalled || core::stop_requested()) {
    write_results(run::RunStatus::kInterrupted);
    log->warn(
        "interrupted by {} after epoch {} of {}: the checkpoint of epoch {} is intact and "
        "summary.json says \"interrupted\"; --resume continues from epoch {}",
        core::stop_requested() ? core::signal_name(core::stop_signal())
                               : std::string("a stop signal on another process of the run"),
        state.epoch, s.recipe.epochs, state.epoch, state.epoch + 1);
    throw core::RunStopped("", core::kExitInterrupted);
  }

  if (stopped_early) {
    log->info("--patience {}: no better validation accuracy since epoch {}; stopped after epoch {}",
              s.recipe.patience, state.best_epoch, state.epoch);
  }
  save_weights(folder.final_weights(), t.model, state.epoch);
  // The test split scores the last weights, then the kept ones (best.pt), whose per-sample
  // outcomes go to the predictions file.
  const Metrics last =
      evaluate(t.model, prepared.test, t.eval_batch_size, t.channels_last, t.precision);
  test_last = run::TestFigures{state.epoch, last.acc, last.loss};
  load_weights(folder.best_weights(), t.model);
  if (s.runtime.channels_last) use_channels_last(t.model);
  const int kept_epoch = weights_epoch(folder.best_weights());
  PerSample outcome;
  const Metrics kept =
      evaluate(t.model, prepared.test, t.eval_batch_size, t.channels_last, t.precision, &outcome);
  test_best = run::TestFigures{kept_epoch, kept.acc, kept.loss};
  const std::string level_folder = s.data.codec_level().folder_name();
  run::write_predictions(folder.predictions(level_folder),
                         predictions_of(prepared.test, outcome, kept_epoch, level_folder));
  predictions = folder.predictions(level_folder).lexically_relative(folder.dir()).string();
  write_results(run::RunStatus::kFinished);
  log->info(
      "finished: best val_acc {:.4f} (epoch {}, {} data); test_acc {:.4f} of those weights, "
      "{:.4f} of the last; run folder {}",
      state.best_val_acc, state.best_epoch, run::to_string(prepared.validation_data), kept.acc,
      last.acc, folder.dir().string());
  return result;
}

}  // namespace helmholtz::train
