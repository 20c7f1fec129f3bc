#include "helmholtz/train/options.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/models/architecture.hpp"

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

void validate(const TrainOptions& o) {
  using core::UsageError;
  const auto& names = data::image_dataset_names();
  if (std::find(names.begin(), names.end(), o.dataset) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw UsageError("--dataset: unknown dataset '" + o.dataset + "' (choose one of " + list + ")");
  }
  data::Quality::parse(o.quality);
  codec::parse_subsampling(o.subsampling);
  models::image_architecture(o.setting);
  if (o.epochs < 1) throw UsageError("--epochs must be at least 1");
  if (o.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  if (o.eval_batch_size < 1) throw UsageError("--eval-batch-size must be at least 1");
  if (!(o.lr > 0)) throw UsageError("--lr must be positive");
  if (!(o.momentum >= 0 && o.momentum < 1)) throw UsageError("--momentum must be in [0, 1)");
  if (!(o.decay >= 0)) throw UsageError("--decay must be >= 0");
  if (!(o.shift >= 0 && o.shift < 1)) throw UsageError("--shift must be in [0, 1)");
  if (o.train_size < 0) throw UsageError("--train-size must be >= 0 (0 = all)");
  if (o.val_size < 0) throw UsageError("--val-size must be >= 0 (0 = all)");
  if (o.threads < 0) throw UsageError("--threads must be >= 0 (0 = all cores)");
}

std::string identity(const TrainOptions& o) {
  std::ostringstream out;
  out << "dataset=" << o.dataset << ";quality=" << data::Quality::parse(o.quality).to_string()
      << ";subsampling=" << o.subsampling << ";setting=" << o.setting
      << ";train-size=" << o.train_size << ";val-size=" << o.val_size
      << ";batch-size=" << o.batch_size << ";lr=" << number(o.lr)
      << ";momentum=" << number(o.momentum) << ";nesterov=" << o.nesterov
      << ";decay=" << number(o.decay) << ";shift=" << number(o.shift) << ";flip=" << o.flip
      << ";seed=" << o.seed;
  return out.str();
}

std::string to_toml(const TrainOptions& o) {
  std::ostringstream out;
  out << "# helmholtz train settings; repeat this run with: helmholtz train --config <this file>\n"
      << "dataset = " << toml_string(o.dataset) << "\n"
      << "data-dir = " << toml_string(o.data_dir.string()) << "\n"
      << "quality = " << toml_string(o.quality) << "\n"
      << "subsampling = " << toml_string(o.subsampling) << "\n"
      << "setting = " << o.setting << "\n"
      << "train-size = " << o.train_size << "\n"
      << "val-size = " << o.val_size << "\n"
      << "epochs = " << o.epochs << "\n"
      << "batch-size = " << o.batch_size << "\n"
      << "lr = " << number(o.lr) << "\n"
      << "momentum = " << number(o.momentum) << "\n"
      << "nesterov = " << (o.nesterov ? "true" : "false") << "\n"
      << "decay = " << number(o.decay) << "\n"
      << "shift = " << number(o.shift) << "\n"
      << "flip = " << (o.flip ? "true" : "false") << "\n"
      << "eval-batch-size = " << o.eval_batch_size << "\n"
      << "device = " << toml_string(o.device) << "\n"
      << "seed = " << o.seed << "\n"
      << "threads = " << o.threads << "\n"
      << "channels-last = " << (o.channels_last ? "true" : "false") << "\n"
      << "log-root = " << toml_string(o.log_root.string()) << "\n"
      << "log-dir = " << toml_string(o.log_dir.string()) << "\n";
  return out.str();
}

}  // namespace helmholtz::train
