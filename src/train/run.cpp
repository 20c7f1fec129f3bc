#include "helmholtz/train/run.hpp"

#include <chrono>
#include <fstream>
#include <memory>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/file_lock.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/logging.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/core/progress.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/checkpoint.hpp"
#include "helmholtz/train/device.hpp"
#include "helmholtz/train/keras_adadelta.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/train/precision.hpp"
#include "helmholtz/train/run_data.hpp"

namespace helmholtz::train {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

json read_json_if_any(const fs::path& file) {
  if (!fs::exists(file)) return json();
  std::ifstream in(file);
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return json();  // a damaged summary is rewritten from last.pt
  }
}

json make_summary(const TrainOptions& o, const models::Architecture& arch, std::int64_t parameters,
                  const RunData& prepared, const TrainState& state, const torch::Device& device,
                  Precision precision, bool cuda_graphs, bool finished) {
  json j;
  j["version"] = HELMHOLTZ_VERSION;
  j["dataset"] = o.dataset;
  j["model"] = arch.name;
  j["setting"] = arch.setting;
  if (data::is_audio_dataset(o.dataset)) {
    j["bitrate"] = data::Bitrate::parse(o.bitrate).to_string();
    j["instrument"] = o.instrument;
    j["eval"] = o.eval;
    j["split_seed"] = o.split_seed;
  } else {
    j["quality"] = data::Quality::parse(o.quality).to_string();
    j["subsampling"] = o.subsampling;
  }
  j["seed"] = o.seed;
  j["optimizer"] = o.optimizer;
  j["parameters"] = parameters;
  j["device"] = device.str();
  j["device_name"] = device_name(device);
  j["precision"] = to_string(precision);
  j["channels_last"] = o.channels_last;
  j["cuda_graphs"] = cuda_graphs;
  j["train_samples"] = prepared.train.size();
  j["validation_samples"] = prepared.validation.size();
  j["epochs_requested"] = o.epochs;
  j["epochs_completed"] = state.epoch;
  j["finished"] = finished;
  j["best_val_acc"] = state.history.empty() ? json(nullptr) : json(state.best_val_acc);
  j["best_epoch"] = state.history.empty() ? json(nullptr) : json(state.best_epoch);
  j["mean_top10_val_acc"] =
      state.history.empty() ? json(nullptr) : json(mean_top_val_acc(state.history, 10));
  const auto conv = convergence_epoch(state.history);
  j["convergence_epoch"] = conv ? json(*conv) : json(nullptr);
  j["bits_per_sample"] = prepared.bits_per_sample;
  j["distortion"] = {
      {"metric", prepared.distortion_metric},
      {"db", prepared.distortion_db ? json(*prepared.distortion_db) : json(nullptr)}};
  j["compression"] = prepared.compression;
  const double samples = static_cast<double>(prepared.train.size()) * state.epoch;
  const double rate = state.train_seconds > 0 ? samples / state.train_seconds : 0.0;
  j["train_samples_per_second"] = rate;
  if (!data::is_audio_dataset(o.dataset)) j["train_images_per_second"] = rate;
  j["wall_seconds"] = state.wall_seconds;
  return j;
}

std::unique_ptr<Optimizer> make_optimizer(const TrainOptions& o,
                                          std::vector<torch::Tensor> parameters) {
  if (o.optimizer == "adadelta") {
    return std::make_unique<KerasAdadelta>(std::move(parameters), o.lr, o.rho, o.epsilon);
  }
  return std::make_unique<KerasSgd>(std::move(parameters), o.lr, o.momentum, o.nesterov, o.decay);
}

// Creates a run folder and its missing parents; unless keep() is called, removes them again at
// the end of the scope when they hold nothing but the lock file.
class NewFolder {
 public:
  explicit NewFolder(const fs::path& dir) : dir_(dir) {
    for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) top_ = p;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      throw core::RunError("cannot create run folder '" + dir.string() + "': " + ec.message() +
                           " (choose another with --log-root or --log-dir)");
    }
  }
  ~NewFolder() {
    if (keep_ || top_.empty()) return;
    std::error_code ec;
    fs::remove(dir_ / ".lock", ec);
    for (fs::path p = dir_; !p.empty(); p = p.parent_path()) {
      if (!fs::remove(p, ec) || p == top_) break;  // stops at a folder that is not empty
    }
  }
  NewFolder(const NewFolder&) = delete;
  NewFolder& operator=(const NewFolder&) = delete;
  void keep() { keep_ = true; }

 private:
  fs::path dir_;
  fs::path top_;  // the outermost folder created here (empty: the run folder existed)
  bool keep_ = false;
};

}  // namespace

bool run_finished(const fs::path& dir, int epochs) {
  const json summary = read_json_if_any(dir / "summary.json");
  return summary.is_object() && summary.value("finished", false) &&
         summary.value("epochs_completed", 0) >= epochs && fs::exists(dir / "model.pt");
}

fs::path run_directory(const TrainOptions& o) {
  if (!o.log_dir.empty()) return o.log_dir;
  fs::path dir = o.log_root / run_architecture(o).name / level_folder(o);
  if (o.seed != 0) dir /= "seed_" + std::to_string(o.seed);
  return dir;
}

RunResult run_training(const TrainOptions& o) {
  const auto session_start = Clock::now();
  validate(o);
  auto log = core::console_logger();
  at::set_num_threads(core::resolve_threads(o.threads));
  const auto device = resolve_device(o.device);
  const Precision precision = resolve_precision(o.precision, device);
  configure_backend(device, precision);
  const auto& arch = run_architecture(o);
  RunResult result;
  result.run_dir = run_directory(o);
  const fs::path dir = result.run_dir;
  const fs::path last = dir / "last.pt";

  // One process per run folder: the lock is taken before anything in it is read or written.
  // A folder made here and left holding nothing but the lock (the data failed to load, ...)
  // is removed again.
  NewFolder folder(dir);
  const core::FileLock lock(dir / ".lock", "run folder '" + dir.string() + "'");

  // Never touch a finished run, never overwrite an unfinished one without --resume.
  if (run_finished(dir, o.epochs)) {
    const json previous = read_json_if_any(dir / "summary.json");
    log->info("{}: already finished ({} epochs); nothing to train", dir.string(),
              previous.value("epochs_completed", 0));
    result.already_finished = true;
    result.summary = previous;
    return result;
  }
  const bool resuming = o.resume && fs::exists(last);
  if (!o.resume && fs::exists(last)) {
    throw core::RunError("run folder '" + dir.string() +
                         "' already holds a run; add --resume to continue it, or choose "
                         "another folder with --log-dir");
  }

  const RunData prepared = prepare_run_data(o, device, *log);

  folder.keep();
  core::add_file_sink(*log, dir / "train.log");
  struct DropFileSink {  // the console logger outlives this run
    spdlog::logger& l;
    ~DropFileSink() { l.sinks().pop_back(); }
  } drop_file_sink{*log};
  log->debug("helmholtz {} train: {}", HELMHOLTZ_VERSION, identity(o));

  torch::manual_seed(o.seed);
  auto model = models::build(arch, prepared.input, prepared.num_classes);
  model->to(device);
  if (o.channels_last) use_channels_last(model);  // before the optimizer mirrors the weights
  const auto parameters = models::count_parameters(*model);
  const auto optimizer_ptr = make_optimizer(o, model->parameters());
  Optimizer& optimizer = *optimizer_ptr;

  TrainState state;
  state.identity = identity(o);
  if (resuming) {
    const std::string wanted = state.identity;
    state = load_checkpoint(last, model, optimizer, device);
    if (state.identity != wanted) {
      throw core::RunError("cannot resume '" + dir.string() + "': it was trained with " +
                           state.identity + " but this command asks for " + wanted +
                           "; use the same settings, or another --log-dir");
    }
    if (o.channels_last) use_channels_last(model);  // loading stored the weights as saved
    log->info("resuming {} after epoch {}", dir.string(), state.epoch);
  } else if (o.resume) {
    log->info("{}: nothing to resume, starting a new run", dir.string());
  }
  core::write_file_atomic(dir / "config.toml", to_toml(o));
  const TensorData& train_data = prepared.train;
  const TensorData& test_data = prepared.validation;
  const EpochOptions epoch_options{o.batch_size,    o.shift,   o.flip,
                                   o.channels_last, precision, o.cuda_graphs};
  EpochTrainer trainer(model, optimizer, epoch_options);
  log->info(
      "{} (setting {}, {} parameters) on {}, {}{}, {} train / {} validation samples, {} "
      "epochs",
      arch.name, arch.setting, parameters, describe_device(device), to_string(precision),
      trainer.uses_cuda_graphs() ? ", CUDA graphs" : "", prepared.train.size(),
      prepared.validation.size(), o.epochs);
  core::ProgressBar bar(o.progress);
  const double wall_before = state.wall_seconds;
  const auto write_results = [&](bool finished) {
    state.wall_seconds = wall_before + seconds_since(session_start);
    core::write_file_atomic(dir / "history.csv", history_csv(state.history));
    result.summary = make_summary(o, arch, parameters, prepared, state, device, precision,
                                  trainer.uses_cuda_graphs(), finished);
    core::write_file_atomic(dir / "summary.json", result.summary.dump(2) + "\n");
  };
  write_results(false);

  for (int epoch = state.epoch + 1; epoch <= o.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    bar.start(fmt::format("epoch {}/{}", epoch, o.epochs));
    const Metrics train_metrics = trainer.train_epoch(
        train_data, [&](std::int64_t done, std::int64_t total) { bar.update(done, total); });
    const double train_seconds = seconds_since(epoch_start);
    const Metrics val = evaluate(model, test_data, o.eval_batch_size, o.channels_last, precision);
    bar.clear();
    EpochRecord record{epoch,   train_metrics.loss,     train_metrics.acc,         val.loss,
                       val.acc, optimizer.current_lr(), seconds_since(epoch_start)};
    state.history.push_back(record);
    state.epoch = epoch;
    state.train_seconds += train_seconds;
    if (val.acc > state.best_val_acc) {
      state.best_val_acc = val.acc;
      state.best_epoch = epoch;
      save_weights(dir / "best.pt", model);
    }
    save_checkpoint(last, model, optimizer, state, device);
    write_results(false);
    double mean_epoch = 0;
    for (const auto& r : state.history) mean_epoch += r.seconds;
    mean_epoch /= static_cast<double>(state.history.size());
    log->info(
        "epoch {:>3}/{}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.1f}s  ETA {}",
        epoch, o.epochs, record.loss, record.acc, record.val_loss, record.val_acc, record.seconds,
        core::format_duration(mean_epoch * (o.epochs - epoch)));
  }

  save_weights(dir / "model.pt", model);
  write_results(true);
  log->info("finished: best val_acc {:.4f} (epoch {}), mean of 10 best {:.4f}; run folder {}",
            state.best_val_acc, state.best_epoch, mean_top_val_acc(state.history), dir.string());
  return result;
}

}  // namespace helmholtz::train
