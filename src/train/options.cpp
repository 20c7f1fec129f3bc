#include "helmholtz/train/options.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/keras_adadelta.hpp"
#include "helmholtz/train/precision.hpp"

namespace helmholtz::train {
namespace {

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  // The shortest decimal that reads back as the same double.
  std::string s;
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out << std::setprecision(precision) << v;
    s = out.str();
    if (std::stod(s) == v) break;
  }
  // TOML floats need a dot or an exponent.
  if (s.find_first_of(".eE") == std::string::npos && s.find("inf") == std::string::npos &&
      s.find("nan") == std::string::npos) {
    s += ".0";
  }
  return s;
}

}  // namespace

void apply_dataset_defaults(TrainOptions& o, const std::function<bool(const std::string&)>& given) {
  using core::UsageError;
  const bool audio = data::is_audio_dataset(o.dataset);
  const auto refuse = [&](const char* key, const std::string& instead) {
    if (given(key)) {
      throw UsageError("--" + std::string(key) + " does not apply to --dataset " + o.dataset +
                       instead);
    }
  };
  if (audio) {
    refuse("quality", " (audio is compressed with --bitrate KBPS)");
    refuse("subsampling", "");
    refuse("train-size",
           " (make a smaller set with `helmholtz synth audio-effects --per-class N`)");
    refuse("val-size", " (make a smaller set with `helmholtz synth audio-effects --per-class N`)");
    if (!given("optimizer")) o.optimizer = "adadelta";
    if (!given("lr")) o.lr = KerasAdadelta::kDefaultLr;
    if (!given("batch-size")) o.batch_size = 50;
    if (!given("shift")) o.shift = 0.0;
    if (!given("flip")) o.flip = false;
    if (!given("eval-batch-size")) o.eval_batch_size = 250;
  } else {
    for (const char* key : {"bitrate", "instrument", "eval", "split-seed", "cache-dir"}) {
      refuse(key, " (it is an option of --dataset audio-effects)");
    }
  }
}

void validate(const TrainOptions& o) {
  using core::UsageError;
  data::check_dataset_name(o.dataset);
  if (data::is_audio_dataset(o.dataset)) {
    if (o.bitrate.empty()) {
      throw UsageError("--bitrate is required with --dataset " + o.dataset +
                       ": an MP3 bitrate in kbit/s (8, 16, 32, 64, 96, 128, ...) or raw");
    }
    data::Bitrate::parse(o.bitrate);
    if (o.instrument != "guitar" && o.instrument != "bass" && o.instrument != "all") {
      throw UsageError("--instrument '" + o.instrument + "': use guitar, bass or all");
    }
    if (o.eval != "validation" && o.eval != "test") {
      throw UsageError("--eval '" + o.eval + "': use validation or test");
    }
    models::audio_architecture(o.setting);
    if (o.train_size != 0 || o.val_size != 0) {
      throw UsageError("--train-size and --val-size apply to image datasets only");
    }
  } else {
    data::Quality::parse(o.quality);
    codec::parse_subsampling(o.subsampling);
    models::image_architecture(o.setting);
  }
  if (o.optimizer != "sgd" && o.optimizer != "adadelta") {
    throw UsageError("--optimizer '" + o.optimizer + "': use sgd or adadelta");
  }
  if (o.epochs < 1) throw UsageError("--epochs must be at least 1");
  if (o.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  if (o.eval_batch_size < 1) throw UsageError("--eval-batch-size must be at least 1");
  if (!(o.lr > 0)) throw UsageError("--lr must be positive");
  if (!(o.momentum >= 0 && o.momentum < 1)) throw UsageError("--momentum must be in [0, 1)");
  if (!(o.decay >= 0)) throw UsageError("--decay must be >= 0");
  if (!(o.rho > 0 && o.rho < 1)) throw UsageError("--rho must be in (0, 1)");
  if (!(o.epsilon > 0)) throw UsageError("--epsilon must be positive");
  if (!(o.shift >= 0 && o.shift < 1)) throw UsageError("--shift must be in [0, 1)");
  if (o.train_size < 0) throw UsageError("--train-size must be >= 0 (0 = all)");
  if (o.val_size < 0) throw UsageError("--val-size must be >= 0 (0 = all)");
  if (o.threads < 0) throw UsageError("--threads must be >= 0 (0 = all cores)");
  check_precision_name(o.precision);
}

std::string level_folder(const TrainOptions& o) {
  return data::is_audio_dataset(o.dataset) ? data::Bitrate::parse(o.bitrate).folder_name()
                                           : data::Quality::parse(o.quality).folder_name();
}

std::string identity(const TrainOptions& o) {
  std::ostringstream out;
  out << "dataset=" << o.dataset;
  if (data::is_audio_dataset(o.dataset)) {
    out << ";bitrate=" << data::Bitrate::parse(o.bitrate).to_string()
        << ";instrument=" << o.instrument << ";eval=" << o.eval << ";split-seed=" << o.split_seed;
  } else {
    out << ";quality=" << data::Quality::parse(o.quality).to_string()
        << ";subsampling=" << o.subsampling;
  }
  out << ";setting=" << o.setting << ";train-size=" << o.train_size << ";val-size=" << o.val_size
      << ";batch-size=" << o.batch_size << ";lr=" << number(o.lr);
  if (o.optimizer == "sgd") {
    // (The image runs' identity as it has always been written.)
    out << ";momentum=" << number(o.momentum) << ";nesterov=" << o.nesterov
        << ";decay=" << number(o.decay);
  } else {
    out << ";optimizer=" << o.optimizer << ";rho=" << number(o.rho)
        << ";epsilon=" << number(o.epsilon);
  }
  out << ";shift=" << number(o.shift) << ";flip=" << o.flip << ";seed=" << o.seed;
  return out.str();
}

std::string to_toml(const TrainOptions& o) {
  std::ostringstream out;
  const bool audio = data::is_audio_dataset(o.dataset);
  out << "# helmholtz train settings; repeat this run with: helmholtz train --config <this file>\n"
      << "dataset = " << toml_string(o.dataset) << "\n"
      << "data-dir = " << toml_string(o.data_dir.string()) << "\n";
  if (audio) {
    out << "bitrate = " << toml_string(o.bitrate) << "\n"
        << "instrument = " << toml_string(o.instrument) << "\n"
        << "eval = " << toml_string(o.eval) << "\n"
        << "split-seed = " << o.split_seed << "\n"
        << "cache-dir = " << toml_string(o.cache_dir.string()) << "\n";
  } else {
    out << "quality = " << toml_string(o.quality) << "\n"
        << "subsampling = " << toml_string(o.subsampling) << "\n"
        << "train-size = " << o.train_size << "\n"
        << "val-size = " << o.val_size << "\n";
  }
  out << "setting = " << o.setting << "\n"
      << "epochs = " << o.epochs << "\n"
      << "batch-size = " << o.batch_size << "\n"
      << "optimizer = " << toml_string(o.optimizer) << "\n"
      << "lr = " << number(o.lr) << "\n";
  if (o.optimizer == "sgd") {
    out << "momentum = " << number(o.momentum) << "\n"
        << "nesterov = " << (o.nesterov ? "true" : "false") << "\n"
        << "decay = " << number(o.decay) << "\n";
  } else {
    out << "rho = " << number(o.rho) << "\n"
        << "epsilon = " << number(o.epsilon) << "\n";
  }
  out << "shift = " << number(o.shift) << "\n"
      << "flip = " << (o.flip ? "true" : "false") << "\n"
      << "eval-batch-size = " << o.eval_batch_size << "\n"
      << "device = " << toml_string(o.device) << "\n"
      << "seed = " << o.seed << "\n"
      << "threads = " << o.threads << "\n"
      << "channels-last = " << (o.channels_last ? "true" : "false") << "\n"
      << "precision = " << toml_string(o.precision) << "\n"
      << "cuda-graphs = " << (o.cuda_graphs ? "true" : "false") << "\n"
      << "log-root = " << toml_string(o.log_root.string()) << "\n"
      << "log-dir = " << toml_string(o.log_dir.string()) << "\n";
  return out.str();
}

}  // namespace helmholtz::train
