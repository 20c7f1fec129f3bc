#include "helmholtz/run/spec.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "helmholtz/core/decimal.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/models/architecture_file.hpp"

namespace helmholtz::run {
namespace {

using core::UsageError;
using Type = Field::Type;

// --- Parsing at the edge ---------------------------------------------------------------------

std::int64_t parse_integer(const char* key, const std::string& text, std::int64_t lo,
                           std::int64_t hi) {
  const bool digits =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  const std::int64_t v = digits ? std::stoll(text) : -1;
  if (!digits || v < lo || v > hi) {
    throw UsageError("--" + std::string(key) + " '" + text + "': use a whole number from " +
                     std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v;
}

int parse_int(const char* key, const std::string& text, int lo,
              int hi = std::numeric_limits<int>::max()) {
  return static_cast<int>(parse_integer(key, text, lo, hi));
}

std::uint64_t parse_seed(const char* key, const std::string& text) {
  return static_cast<std::uint64_t>(
      parse_integer(key, text, 0, std::numeric_limits<std::int64_t>::max()));
}

double parse_real(const char* key, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !std::isfinite(v)) {
    throw UsageError("--" + std::string(key) + " '" + text + "': not a number");
  }
  return v;
}

bool parse_bool(const char* key, const std::string& text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw UsageError("--" + std::string(key) + " '" + text + "': use true or false");
}

std::string one_of(const char* key, const std::string& text,
                   std::initializer_list<const char*> names) {
  std::string list;
  for (const char* n : names) {
    if (text == n) return text;
    list += (list.empty() ? "" : ", ") + std::string(n);
  }
  throw UsageError("--" + std::string(key) + " '" + text + "': use " + list);
}

// The shortest decimal that reads back as the same double; TOML floats need a dot or exponent.
std::string number(double v) {
  std::string s = core::shortest_decimal(v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string boolean(bool b) { return b ? "true" : "false"; }

bool always(const RunSpec&) { return true; }
bool images(const RunSpec& s) { return !s.data.audio(); }
bool folder(const RunSpec& s) { return s.data.folder(); }
bool not_folder(const RunSpec& s) { return !s.data.folder(); }
bool audio(const RunSpec& s) { return s.data.audio(); }
// Images under the corrected protocol validate on images held out of the training split.
bool held_out(const RunSpec& s) { return !s.data.audio() && !quirks(s).test_split_validates; }
bool split_seeded(const RunSpec& s) { return s.data.audio() || held_out(s); }
bool patient(const RunSpec& s) { return s.recipe.patience > 0; }
bool budgeted(const RunSpec& s) { return !s.data.audio() && s.data.storage_budget > 0; }
bool sgd(const RunSpec& s) { return s.recipe.optimizer == OptimizerKind::kSgd; }
bool momentum_sgd(const RunSpec& s) { return s.recipe.optimizer != OptimizerKind::kAdadelta; }
bool torch_sgd(const RunSpec& s) { return s.recipe.optimizer == OptimizerKind::kTorchSgd; }
bool stepped(const RunSpec& s) { return torch_sgd(s) && s.recipe.schedule == LrSchedule::kStep; }
bool cosine(const RunSpec& s) { return torch_sgd(s) && s.recipe.schedule == LrSchedule::kCosine; }
bool smoothed(const RunSpec& s) { return s.recipe.label_smoothing > 0; }
bool adadelta(const RunSpec& s) { return s.recipe.optimizer == OptimizerKind::kAdadelta; }
// A network of the six settings (not a ResNet, not a file): then its setting is identity.
bool built_in(const RunSpec& s) {
  return s.recipe.architecture_file.empty() && s.recipe.architecture.setting >= 0;
}
bool from_file(const RunSpec& s) { return !s.recipe.architecture_file.empty(); }
bool log_dir_set(const RunSpec& s) { return !s.runtime.log_dir.empty(); }

// Whether the run's level goes through a codec (not raw): then its codec and the codec's
// library version are part of what is trained.
bool coded(const RunSpec& s) { return s.data.level && !s.data.level->raw(); }
bool jpeg_images(const RunSpec& s) {
  return !s.data.audio() && (!s.data.level || s.data.level->codec() == "jpeg");
}

// Identity values are one line of key=value pairs split at ';': the versions say ", " instead.
std::string codec_version(const RunSpec& s) {
  std::string v = s.data.level ? s.data.level->codec_version() : "";
  for (std::size_t at = v.find(';'); at != std::string::npos; at = v.find(';', at)) v[at] = ',';
  return v;
}

// Gives the level the --codec once both are known (each option may come first); a level of the
// other kind waits for finalize(), which names the mismatch.
void bind_codec(RunSpec& s) {
  if (s.data.codec && s.data.level && data::is_audio(*s.data.codec) == s.data.level->audio()) {
    s.data.level = s.data.level->with_codec(*s.data.codec);
  }
}

// The level in the scale of the option that sets it: "" when the level is of the other kind.
template <class Alternative>
std::string level_text(const RunSpec& s) {
  if (!s.data.level) return "";
  const auto* v = std::get_if<Alternative>(&s.data.level->value());
  return v ? v->to_string() : "";
}

std::vector<Field> make_fields() {
  constexpr Part D = Part::kData, R = Part::kRecipe, X = Part::kRuntime;
  // key, short, part, type, identity, option, help, applies, get, set[, option_value]
  return {
      {"dataset", nullptr, D, Type::kString, true, true,
       "Dataset: cifar10, fashion-mnist, audio-effects, or folder (your photos: "
       "train/<class>/ and val/<class>/ JPEG and PNG files of any size in --data-dir)",
       always, [](const RunSpec& s) { return s.data.dataset; },
       [](RunSpec& s, const std::string& t) {
         data::check_dataset_name(t);
         s.data.dataset = t;
       }},
      {"protocol", nullptr, R, Type::kString, true, true,
       "corrected (the recipe with the reference's bugs fixed) or reference (every quirk of the "
       "2018 code: images JPEG-coded transposed and flipped vertically, N // batch steps per "
       "epoch (390 on CIFAR-10) from a carried iterator, float32; audio features through "
       "float16, Keras' validation split); see the README",
       always, [](const RunSpec& s) { return to_string(s.recipe.protocol); },
       [](RunSpec& s, const std::string& t) { s.recipe.protocol = parse_protocol(t); }},
      {"data-dir", nullptr, D, Type::kString, false, true,
       "Dataset folder (default: data/cifar-10-batches-bin for cifar10, "
       "/usr/share/datasets/fashion-mnist for fashion-mnist, data/IDMT-SMT-AUDIO-EFFECTS for "
       "audio-effects)",
       always, [](const RunSpec& s) { return s.data.data_dir.string(); },
       [](RunSpec& s, const std::string& t) { s.data.data_dir = t; }},
      {"codec", nullptr, D, Type::kString, true, true,
       "The codec of --quality (images: jpeg, webp, avif, jxl, j2k; default jpeg) or of "
       "--bitrate (audio: mp3, opus, vorbis; default mp3); the README's codec table gives each "
       "one's scale",
       coded, [](const RunSpec& s) { return s.data.level ? s.data.level->codec() : ""; },
       [](RunSpec& s, const std::string& t) {
         s.data.codec = data::parse_codec(t);
         bind_codec(s);
       }},
      {"codec-version", nullptr, D, Type::kString, true, false,
       "The codec's library and version: another version may give other bytes", coded,
       [](const RunSpec& s) { return codec_version(s); }, [](RunSpec&, const std::string&) {}},
      {"quality", "-q", D, Type::kString, true, true,
       "Images: the codec's level in its own scale (JPEG quality 1..100, WebP and AVIF 0..100, "
       "JPEG XL 5..99, JPEG 2000 a PSNR target in dB 1..100), or raw for no codec",
       images, level_text<data::Quality>,
       [](RunSpec& s, const std::string& t) {
         s.data.level = data::Quality::parse_unchecked(t);
         bind_codec(s);
       }},
      {"subsampling", nullptr, D, Type::kString, true, true,
       "Images, --codec jpeg: chroma subsampling of colour images, 420 or 444", jpeg_images,
       [](const RunSpec& s) { return codec::to_string(s.data.subsampling); },
       [](RunSpec& s, const std::string& t) {
         s.data.subsampling = codec::parse_subsampling(one_of("subsampling", t, {"420", "444"}));
       }},
      {"bitrate", "-b", D, Type::kString, true, true,
       "Audio: the codec's bitrate in kbit/s (MP3: 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, "
       "128, 144, 160, 192, 224, 256, 320; Opus: 6..256; Vorbis: libvorbis' range at 44.1 kHz "
       "mono), or raw for no codec; required for audio",
       audio, level_text<data::Bitrate>,
       [](RunSpec& s, const std::string& t) {
         s.data.level = data::Bitrate::parse_unchecked(t);
         bind_codec(s);
       }},
      {"instrument", nullptr, D, Type::kString, true, true,
       "Audio: guitar (the reference's monophonic guitar notes), bass or all", audio,
       [](const RunSpec& s) { return s.data.instrument; },
       [](RunSpec& s, const std::string& t) {
         s.data.instrument = one_of("instrument", t, {"guitar", "bass", "all"});
       }},
      {"eval", nullptr, D, Type::kString, true, true,
       "Audio: validate on the validation part (the last 25% of the training part, as the "
       "reference) or on the 20% test part",
       audio, [](const RunSpec& s) { return s.data.eval; },
       [](RunSpec& s, const std::string& t) {
         s.data.eval = one_of("eval", t, {"validation", "test"});
       }},
      {"split-seed", nullptr, D, Type::kInteger, true, true,
       "Seed of the split: audio's per-class 80/20 split; images' held-out validation images "
       "(--holdout-size)",
       split_seeded, [](const RunSpec& s) { return std::to_string(s.data.split_seed); },
       [](RunSpec& s, const std::string& t) { s.data.split_seed = parse_seed("split-seed", t); }},
      {"cache-dir", nullptr, D, Type::kString, false, true,
       "Cache folder of audio features and of the decoded images of the slow image codecs "
       "(webp, avif, jxl, j2k); empty string: no cache",
       always, [](const RunSpec& s) { return s.data.cache_dir.string(); },
       [](RunSpec& s, const std::string& t) { s.data.cache_dir = t; }},
      {"train-size", nullptr, D, Type::kInteger, true, true,
       "Images: use the first N training images (0 = all)", images,
       [](const RunSpec& s) { return std::to_string(s.data.train_size); },
       [](RunSpec& s, const std::string& t) {
         s.data.train_size = parse_integer("train-size", t, 0, 1LL << 40);
       }},
      {"holdout-size", nullptr, D, Type::kInteger, true, true,
       "Images, --protocol corrected: training images held out (stratified by class, drawn by "
       "--split-seed) to validate on: they choose the best epoch and the weights kept, and the "
       "test split is only tested (0 = a tenth of the training split)",
       held_out, [](const RunSpec& s) { return std::to_string(s.data.holdout_size); },
       [](RunSpec& s, const std::string& t) {
         s.data.holdout_size = parse_integer("holdout-size", t, 0, 1LL << 40);
       }},
      {"val-size", nullptr, D, Type::kInteger, true, true,
       "Images: use the first N test images (0 = all): the test split, which under --protocol "
       "reference also validates",
       images, [](const RunSpec& s) { return std::to_string(s.data.val_size); },
       [](RunSpec& s, const std::string& t) {
         s.data.val_size = parse_integer("val-size", t, 0, 1LL << 40);
       }},
      // Identity only when set, so that runs without a budget keep their identity.
      {"storage-budget", nullptr, D, Type::kInteger, true, true,
       "Images: train on as many of the first training images as fit BYTES at this level's "
       "mean JPEG file size (raw: pixel bytes), instead of --train-size (0 = no budget)",
       budgeted, [](const RunSpec& s) { return std::to_string(s.data.storage_budget); },
       [](RunSpec& s, const std::string& t) {
         s.data.storage_budget = parse_integer("storage-budget", t, 0, 1LL << 50);
       }},
      {"folder", nullptr, D, Type::kString, true, false,
       "Folder datasets: the folder's name and a hash of its listing (every file's path, size and "
       "time), so that a run never resumes on other files",
       folder, [](const RunSpec& s) { return s.data.folder_id; },
       [](RunSpec&, const std::string&) {}},
      {"crop", nullptr, D, Type::kInteger, true, true,
       "Folder datasets: the side of the square the network sees: a random-resized crop of each "
       "training image, the centre crop of each evaluation image (default 224)",
       folder, [](const RunSpec& s) { return std::to_string(s.data.crop); },
       [](RunSpec& s, const std::string& t) { s.data.crop = parse_int("crop", t, 8, 4096); }},
      {"resize", nullptr, D, Type::kInteger, true, true,
       "Folder datasets: evaluation images' shorter side is resized to this before the centre "
       "crop (default 256)",
       folder, [](const RunSpec& s) { return std::to_string(s.data.resize); },
       [](RunSpec& s, const std::string& t) { s.data.resize = parse_int("resize", t, 8, 8192); }},
      {"setting", "-s", R, Type::kInteger, true, true,
       "Architecture 0..5 (see `helmholtz models`), or name it with --model", built_in,
       [](const RunSpec& s) { return std::to_string(s.recipe.setting); },
       [](RunSpec& s, const std::string& t) { s.recipe.setting = parse_int("setting", t, 0, 5); }},
      {"architecture", nullptr, R, Type::kString, false, true,
       "A network of your own: a TOML file of layers (see the README); instead of --setting",
       from_file, [](const RunSpec& s) { return s.recipe.architecture_file.string(); },
       [](RunSpec& s, const std::string& t) { s.recipe.architecture_file = t; }},
      // Identity: the network's name, and its layers when read from a file. As an option: a
      // built-in network by name (the six settings' names, resnet18, resnet34, resnet50).
      {"model", nullptr, R, Type::kString, true, true,
       "A built-in network by name (see `helmholtz models`): all-cnns, ..., resnet18, resnet34, "
       "resnet50; instead of --setting",
       always,
       [](const RunSpec& s) {
         const auto& a = s.recipe.architecture;
         return a.file.empty() ? a.name : a.name + " [" + models::layer_text(a) + "]";
       },
       [](RunSpec& s, const std::string& t) {
         if (t.empty()) throw UsageError("--model: give a network's name (see helmholtz models)");
         s.recipe.model = t;
       },
       [](const RunSpec& s) { return s.recipe.model; }},
      {"epochs", nullptr, R, Type::kInteger, false, true,
       "Epochs to train (may grow on a finished run with --resume)", always,
       [](const RunSpec& s) { return std::to_string(s.recipe.epochs); },
       [](RunSpec& s, const std::string& t) { s.recipe.epochs = parse_int("epochs", t, 1); }},
      // Identity only when set, so that runs without early stopping keep their identity.
      {"patience", nullptr, R, Type::kInteger, true, true,
       "Early stopping: end the run once the validation accuracy has not improved for N epochs "
       "(0 = off: train all --epochs); the weights kept are the best epoch's either way",
       patient, [](const RunSpec& s) { return std::to_string(s.recipe.patience); },
       [](RunSpec& s, const std::string& t) { s.recipe.patience = parse_int("patience", t, 0); }},
      {"batch-size", nullptr, R, Type::kInteger, true, true,
       "Training batch size (default: 128 for images, 50 for audio)", always,
       [](const RunSpec& s) { return std::to_string(s.recipe.batch_size); },
       [](RunSpec& s, const std::string& t) {
         s.recipe.batch_size = parse_int("batch-size", t, 1);
       }},
      {"optimizer", nullptr, R, Type::kString, true, true,
       "sgd (Keras SGD, the image recipe), adadelta (Keras Adadelta, the audio recipe) or "
       "torch-sgd (torch.optim.SGD with --weight-decay and a --schedule, torchvision's ImageNet "
       "recipe); default by dataset",
       always, [](const RunSpec& s) { return to_string(s.recipe.optimizer); },
       [](RunSpec& s, const std::string& t) {
         const std::string name = one_of("optimizer", t, {"sgd", "adadelta", "torch-sgd"});
         s.recipe.optimizer = name == "sgd"        ? OptimizerKind::kSgd
                              : name == "adadelta" ? OptimizerKind::kAdadelta
                                                   : OptimizerKind::kTorchSgd;
       }},
      {"lr", nullptr, R, Type::kReal, true, true,
       "Learning rate (default: 0.01 for images, 1.0 for audio)", always,
       [](const RunSpec& s) { return number(s.recipe.lr); },
       [](RunSpec& s, const std::string& t) { s.recipe.lr = parse_real("lr", t); }},
      {"momentum", nullptr, R, Type::kReal, true, true, "SGD momentum", momentum_sgd,
       [](const RunSpec& s) { return number(s.recipe.momentum); },
       [](RunSpec& s, const std::string& t) { s.recipe.momentum = parse_real("momentum", t); }},
      {"nesterov", nullptr, R, Type::kBool, true, true,
       "SGD: Nesterov momentum (default on; torchvision's recipe: off)", momentum_sgd,
       [](const RunSpec& s) { return boolean(s.recipe.nesterov); },
       [](RunSpec& s, const std::string& t) { s.recipe.nesterov = parse_bool("nesterov", t); }},
      {"decay", nullptr, R, Type::kReal, true, true,
       "SGD: Keras time-based decay, lr / (1 + decay * step)", sgd,
       [](const RunSpec& s) { return number(s.recipe.decay); },
       [](RunSpec& s, const std::string& t) { s.recipe.decay = parse_real("decay", t); }},
      {"weight-decay", nullptr, R, Type::kReal, true, true,
       "torch-sgd: weight decay, added to each gradient as torch.optim.SGD does (default 1e-4)",
       torch_sgd, [](const RunSpec& s) { return number(s.recipe.weight_decay); },
       [](RunSpec& s, const std::string& t) {
         s.recipe.weight_decay = parse_real("weight-decay", t);
       }},
      {"schedule", nullptr, R, Type::kString, true, true,
       "torch-sgd: the lr per epoch: constant, step (times --lr-gamma every --lr-step epochs) or "
       "cosine (from --lr to 0 over --epochs)",
       torch_sgd, [](const RunSpec& s) { return to_string(s.recipe.schedule); },
       [](RunSpec& s, const std::string& t) { s.recipe.schedule = parse_lr_schedule(t); }},
      {"lr-step", nullptr, R, Type::kInteger, true, true,
       "torch-sgd, --schedule step: epochs between two multiplications by --lr-gamma (default 30)",
       stepped, [](const RunSpec& s) { return std::to_string(s.recipe.lr_step); },
       [](RunSpec& s, const std::string& t) { s.recipe.lr_step = parse_int("lr-step", t, 1); }},
      {"lr-gamma", nullptr, R, Type::kReal, true, true,
       "torch-sgd, --schedule step: the factor (default 0.1)", stepped,
       [](const RunSpec& s) { return number(s.recipe.lr_gamma); },
       [](RunSpec& s, const std::string& t) { s.recipe.lr_gamma = parse_real("lr-gamma", t); }},
      // A cosine schedule anneals over the run's epochs: then they are what is trained.
      {"schedule-epochs", nullptr, R, Type::kInteger, true, false,
       "torch-sgd, --schedule cosine: the epochs the lr anneals over (--epochs)", cosine,
       [](const RunSpec& s) { return std::to_string(s.recipe.epochs); },
       [](RunSpec&, const std::string&) {}},
      // Identity only when set, so that runs without smoothing keep their identity.
      {"label-smoothing", nullptr, R, Type::kReal, true, true,
       "The training loss's label smoothing: the target puts 1 - e on the label and e spread "
       "evenly over all classes (default 0: off)",
       smoothed, [](const RunSpec& s) { return number(s.recipe.label_smoothing); },
       [](RunSpec& s, const std::string& t) {
         s.recipe.label_smoothing = parse_real("label-smoothing", t);
       }},
      {"rho", nullptr, R, Type::kReal, true, true, "Adadelta decay rate", adadelta,
       [](const RunSpec& s) { return number(s.recipe.rho); },
       [](RunSpec& s, const std::string& t) { s.recipe.rho = parse_real("rho", t); }},
      {"epsilon", nullptr, R, Type::kReal, true, true, "Adadelta epsilon", adadelta,
       [](const RunSpec& s) { return number(s.recipe.epsilon); },
       [](RunSpec& s, const std::string& t) { s.recipe.epsilon = parse_real("epsilon", t); }},
      {"shift", nullptr, R, Type::kReal, true, true,
       "Augmentation: max random shift, fraction of width/height (audio: 0; folder datasets crop "
       "instead)",
       not_folder, [](const RunSpec& s) { return number(s.recipe.shift); },
       [](RunSpec& s, const std::string& t) { s.recipe.shift = parse_real("shift", t); }},
      {"flip", nullptr, R, Type::kBool, true, true,
       "Augmentation: random horizontal flip (default on for images, off for audio)", always,
       [](const RunSpec& s) { return boolean(s.recipe.flip); },
       [](RunSpec& s, const std::string& t) { s.recipe.flip = parse_bool("flip", t); }},
      {"eval-batch-size", nullptr, R, Type::kInteger, false, true,
       "Batch size for validation (default: 1000 for images, 250 for audio)", always,
       [](const RunSpec& s) { return std::to_string(s.recipe.eval_batch_size); },
       [](RunSpec& s, const std::string& t) {
         s.recipe.eval_batch_size = parse_int("eval-batch-size", t, 1);
       }},
      {"seed", nullptr, R, Type::kInteger, true, true,
       "Seed for weights, batch order, augmentation and dropout", always,
       [](const RunSpec& s) { return std::to_string(s.recipe.seed); },
       [](RunSpec& s, const std::string& t) { s.recipe.seed = parse_seed("seed", t); }},
      {"device", nullptr, X, Type::kString, false, true, "auto, cpu, cuda or cuda:N", always,
       [](const RunSpec& s) { return s.runtime.device; },
       [](RunSpec& s, const std::string& t) {
         const bool ok = t == "auto" || t == "cpu" || t == "cuda" ||
                         (t.rfind("cuda:", 0) == 0 && t.size() > 5 &&
                          std::all_of(t.begin() + 5, t.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; }));
         if (!ok) throw UsageError("--device '" + t + "': use auto, cpu, cuda or cuda:N");
         s.runtime.device = t;
       }},
      {"threads", nullptr, X, Type::kInteger, false, true, "CPU threads (0 = all cores)", always,
       [](const RunSpec& s) { return std::to_string(s.runtime.threads); },
       [](RunSpec& s, const std::string& t) { s.runtime.threads = parse_int("threads", t, 0); }},
      {"workers", nullptr, X, Type::kInteger, false, true,
       "Folder datasets: threads decoding images while training runs (0 = as many as --threads)",
       folder, [](const RunSpec& s) { return std::to_string(s.runtime.workers); },
       [](RunSpec& s, const std::string& t) {
         s.runtime.workers = parse_int("workers", t, 0, 1024);
       }},
      {"channels-last", nullptr, X, Type::kBool, false, true,
       "NHWC memory layout, faster on oneDNN and cuDNN (default on)", always,
       [](const RunSpec& s) { return boolean(s.runtime.channels_last); },
       [](RunSpec& s, const std::string& t) {
         s.runtime.channels_last = parse_bool("channels-last", t);
       }},
      {"precision", nullptr, X, Type::kString, false, true,
       "fp32 (the reference's float32, TF32 off), bf16 (bfloat16 autocast, float32 weights) or "
       "auto (bf16 on CUDA, fp32 on the CPU)",
       always, [](const RunSpec& s) { return to_string(s.runtime.precision); },
       [](RunSpec& s, const std::string& t) {
         const std::string name = one_of("precision", t, {"auto", "fp32", "bf16"});
         s.runtime.precision = name == "fp32"   ? PrecisionChoice::kFp32
                               : name == "bf16" ? PrecisionChoice::kBf16
                                                : PrecisionChoice::kAuto;
       }},
      {"cuda-graphs", nullptr, X, Type::kBool, false, true,
       "On CUDA, replay each training step from a CUDA graph (default on)", always,
       [](const RunSpec& s) { return boolean(s.runtime.cuda_graphs); },
       [](RunSpec& s, const std::string& t) {
         s.runtime.cuda_graphs = parse_bool("cuda-graphs", t);
       }},
      {"on-divergence", nullptr, X, Type::kString, false, true,
       "stop: a NaN or infinite training loss ends the run after that epoch as \"diverged\" "
       "(exit 4); continue: train on through it, as the reference did",
       always,
       [](const RunSpec& s) -> std::string {
         return s.runtime.stop_on_divergence ? "stop" : "continue";
       },
       [](RunSpec& s, const std::string& t) {
         s.runtime.stop_on_divergence = one_of("on-divergence", t, {"stop", "continue"}) == "stop";
       }},
      {"log-root", nullptr, X, Type::kString, false, true,
       "Run folders go to <log-root>/<dataset>/<model>/<quality_q or bitrate_b>[/seed_<s>]", always,
       [](const RunSpec& s) { return s.runtime.log_root.string(); },
       [](RunSpec& s, const std::string& t) { s.runtime.log_root = t; }},
      {"log-dir", nullptr, X, Type::kString, false, true, "Exact run folder (overrides --log-root)",
       log_dir_set, [](const RunSpec& s) { return s.runtime.log_dir.string(); },
       [](RunSpec& s, const std::string& t) { s.runtime.log_dir = t; }},
  };
}

void refuse_if_given(const Given& given, const char* key, const std::string& dataset,
                     const std::string& instead) {
  if (given.count(key) != 0) {
    throw UsageError("--" + std::string(key) + " does not apply to --dataset " + dataset + instead);
  }
}

// A folder dataset's settings: checked, the recipe's defaults for photos, and the listing's name,
// key and classes.
void resolve_folder(RunSpec& s, const Given& given) {
  refuse_if_given(given, "storage-budget", s.data.dataset, " (it trains on every training file)");
  refuse_if_given(given, "shift", s.data.dataset,
                  ": training images are random-resized crops (--crop), as torchvision's recipe");
  if (s.recipe.protocol == Protocol::kReference) {
    throw UsageError(
        "--protocol reference re-creates the 2018 study on its own datasets; train "
        "--dataset folder under --protocol corrected");
  }
  if (s.data.data_dir.empty()) {
    throw UsageError(
        "--dataset folder needs --data-dir D: a folder holding train/<class>/ and "
        "val/<class>/ images");
  }
  s.recipe.shift = 0.0;  // the loader crops; nothing shifts the tensors
  if (given.count("eval-batch-size") == 0) s.recipe.eval_batch_size = 256;
  const data::ImageFolder listing = data::list_image_folder(s.data.data_dir);
  s.data.folder_id = listing.id();
  s.data.folder_classes = static_cast<int>(listing.classes.size());
}

}  // namespace

std::string to_string(Protocol protocol) {
  return protocol == Protocol::kReference ? "reference" : "corrected";
}

Protocol parse_protocol(const std::string& text) {
  return one_of("protocol", text, {"corrected", "reference"}) == "reference" ? Protocol::kReference
                                                                             : Protocol::kCorrected;
}

std::string model_label(const std::string& model, Protocol protocol, std::int64_t storage_budget) {
  return model + (protocol == Protocol::kReference ? "-reference" : "") +
         (storage_budget > 0 ? "-storage-" + std::to_string(storage_budget) : "");
}

Quirks quirks(const RunSpec& s) {
  Quirks q;
  if (s.recipe.protocol != Protocol::kReference) return q;
  const bool sound = s.data.audio();
  q.transposed_images = !sound;
  q.carried_iterator = !sound;  // the audio recipe trained with model.fit: full passes
  q.float32 = true;
  q.float16_features = sound;
  q.keras_audio_split = sound;
  q.test_split_validates = !sound;
  return q;
}

data::HoldOut holdout(const RunSpec& s) {
  data::HoldOut h;
  h.enabled = held_out(s);
  h.size = s.data.holdout_size;
  h.seed = s.data.split_seed;
  return h;
}

std::string to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd:
      return "sgd";
    case OptimizerKind::kAdadelta:
      return "adadelta";
    default:
      return "torch-sgd";
  }
}

std::string to_string(PrecisionChoice choice) {
  switch (choice) {
    case PrecisionChoice::kFp32:
      return "fp32";
    case PrecisionChoice::kBf16:
      return "bf16";
    default:
      return "auto";
  }
}

bool DataSpec::audio() const { return data::is_audio_dataset(dataset); }

bool DataSpec::folder() const { return data::is_folder_dataset(dataset); }

std::string DataSpec::label() const {
  if (!folder()) return dataset;
  return dataset + "-" + folder_id.substr(0, folder_id.rfind('@'));
}

const data::Level& DataSpec::codec_level() const {
  if (!level) {
    throw UsageError(audio() ? "--bitrate is required with --dataset " + dataset
                             : std::string("no --quality given"));
  }
  return *level;
}

data::Quality default_quality() { return data::Quality::parse("5"); }

const std::vector<Field>& fields() {
  static const std::vector<Field> all = make_fields();
  return all;
}

const Field* find_field(const std::string& key) {
  for (const auto& f : fields()) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

void resolve_architecture(RunSpec& s) {
  auto& r = s.recipe;
  if (!r.architecture_file.empty()) {
    r.architecture = models::read_architecture_file(r.architecture_file);
  } else if (!r.model.empty()) {
    r.architecture = models::named_architecture(r.model, s.data.audio());
    if (r.architecture.setting >= 0) r.setting = r.architecture.setting;
  } else {
    r.architecture = s.data.audio() ? models::audio_architecture(r.setting)
                                    : models::image_architecture(r.setting);
  }
}

void finalize(RunSpec& s, const Given& given) {
  const std::string& dataset = s.data.dataset;
  data::check_dataset_name(dataset);
  if (s.data.codec && data::is_audio(*s.data.codec) != s.data.audio()) {
    std::string audio;
    for (const auto& info : codec::audio_codecs()) {
      audio += (audio.empty() ? "" : ", ") + std::string(info.name);
    }
    throw UsageError(
        "--codec " + data::to_string(*s.data.codec) + " is " +
        (s.data.audio() ? "an image codec; --dataset " + dataset + " takes an audio codec: " + audio
                        : "an audio codec; --dataset " + dataset +
                              " takes an image codec: " + codec::built_image_codec_names()));
  }
  auto& r = s.recipe;
  if (s.data.audio()) {
    refuse_if_given(given, "quality", dataset, " (audio is compressed with --bitrate KBPS)");
    refuse_if_given(given, "subsampling", dataset, "");
    for (const char* key : {"train-size", "val-size", "storage-budget"}) {
      refuse_if_given(given, key, dataset,
                      " (make a smaller set with `helmholtz synth audio-effects --per-class N`)");
    }
    // The reference's audio recipe (REFERENCE.md section 2).
    if (given.count("optimizer") == 0) r.optimizer = OptimizerKind::kAdadelta;
    if (given.count("lr") == 0) r.lr = 1.0;
    if (given.count("batch-size") == 0) r.batch_size = 50;
    if (given.count("shift") == 0) r.shift = 0.0;
    if (given.count("flip") == 0) r.flip = false;
    if (given.count("eval-batch-size") == 0) r.eval_batch_size = 250;
    if (!s.data.level || !s.data.level->audio()) {
      const auto codec = s.data.codec && data::is_audio(*s.data.codec)
                             ? std::get<codec::AudioCodec>(*s.data.codec)
                             : codec::AudioCodec::kMp3;
      throw UsageError("--bitrate is required with --dataset " + dataset + ": " +
                       codec::audio_codec_display_name(codec) + " bitrates in kbit/s are " +
                       codec::audio_codec_info(codec).bitrates + "; or raw");
    }
  } else {
    for (const char* key : {"bitrate", "instrument", "eval"}) {
      refuse_if_given(given, key, dataset, " (it is an option of --dataset audio-effects)");
    }
    if (quirks(s).test_split_validates) {
      for (const char* key : {"holdout-size", "split-seed"}) {
        if (given.count(key) != 0) {
          throw UsageError("--" + std::string(key) +
                           " does not apply to --protocol reference: the reference validated on "
                           "the test split; leave it out, or use --protocol corrected");
        }
      }
    }
    if (given.count("quality") == 0 && s.data.codec &&
        std::get<codec::ImageCodec>(*s.data.codec) != codec::ImageCodec::kJpeg) {
      // JPEG's quality 5 means nothing in another codec's scale.
      const auto& info = codec::image_codec_info(std::get<codec::ImageCodec>(*s.data.codec));
      throw UsageError("--codec " + std::string(info.name) + " needs --quality (" +
                       std::to_string(info.min_quality) + ".." + std::to_string(info.max_quality) +
                       ": " + info.knob + ")");
    }
    if (!s.data.level) s.data.level = default_quality();
    if (s.data.folder()) resolve_folder(s, given);
  }
  // The codec: the one given, else the level's own (JPEG, MP3 unless a sweep cell set another);
  // the level is checked against its range.
  s.data.level = s.data.level->with_codec(s.data.codec ? *s.data.codec : s.data.level->codec_id());
  if (given.count("subsampling") != 0 && s.data.level->codec() != "jpeg") {
    throw UsageError("--subsampling applies to --codec jpeg, not " + s.data.level->codec() +
                     " (the README's codec table says what each codec does with colour)");
  }
  if (quirks(s).float32) {
    if (given.count("precision") != 0 && s.runtime.precision != PrecisionChoice::kFp32) {
      throw UsageError("--precision " + to_string(s.runtime.precision) +
                       " does not apply to --protocol reference: the reference trained in "
                       "float32 (TF32 off); leave --precision out or give fp32");
    }
    s.runtime.precision = PrecisionChoice::kFp32;
  }
  if (given.count("architecture") != 0 && given.count("setting") != 0) {
    throw UsageError(
        "--setting and --architecture both given: choose a built-in network with "
        "--setting or your own with --architecture FILE");
  }
  if (given.count("architecture") != 0 && given.count("model") != 0) {
    throw UsageError(
        "--model and --architecture both given: choose a built-in network with "
        "--model NAME or your own with --architecture FILE");
  }
  if (given.count("model") != 0 && given.count("setting") != 0) {
    const auto& named = models::named_architecture(r.model, s.data.audio());
    if (named.setting != r.setting) {
      throw UsageError(
          "--model " + r.model + " and --setting " + std::to_string(r.setting) + " disagree: " +
          (named.setting >= 0 ? r.model + " is setting " + std::to_string(named.setting)
                              : r.model + " is none of the settings") +
          "; give one of them");
    }
  }
  resolve_architecture(s);
  validate(s);
}

void validate(const RunSpec& s) {
  data::check_dataset_name(s.data.dataset);
  const auto& level = s.data.codec_level();
  if (level.audio() != s.data.audio()) {
    throw UsageError("--dataset " + s.data.dataset + " takes " +
                     (s.data.audio() ? "--bitrate" : "--quality") + ", not " + level.describe());
  }
  level.with_codec(level.codec_id());  // in the codec's range (throws naming the option)
  const auto& r = s.recipe;
  if (r.epochs < 1) throw UsageError("--epochs must be at least 1");
  if (r.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  if (r.eval_batch_size < 1) throw UsageError("--eval-batch-size must be at least 1");
  if (!(r.lr > 0)) throw UsageError("--lr must be positive");
  if (!(r.momentum >= 0 && r.momentum < 1)) throw UsageError("--momentum must be in [0, 1)");
  if (!(r.decay >= 0)) throw UsageError("--decay must be >= 0");
  if (!(r.weight_decay >= 0)) throw UsageError("--weight-decay must be >= 0");
  if (r.optimizer == OptimizerKind::kTorchSgd && r.nesterov && r.momentum == 0) {
    throw UsageError("--nesterov needs a momentum above 0 (or --nesterov false)");
  }
  if (!(r.lr_gamma > 0)) throw UsageError("--lr-gamma must be positive");
  if (!(r.label_smoothing >= 0 && r.label_smoothing < 1)) {
    throw UsageError("--label-smoothing must be in [0, 1) (0 = off)");
  }
  if (!(r.rho > 0 && r.rho < 1)) throw UsageError("--rho must be in (0, 1)");
  if (!(r.epsilon > 0)) throw UsageError("--epsilon must be positive");
  if (!(r.shift >= 0 && r.shift < 1)) throw UsageError("--shift must be in [0, 1)");
  if (s.data.train_size < 0) throw UsageError("--train-size must be >= 0 (0 = all)");
  if (s.data.storage_budget > 0 && s.data.train_size > 0) {
    throw UsageError(
        "--storage-budget and --train-size both given: a budget decides the "
        "number of training images at each level; give one of them");
  }
  if (s.data.val_size < 0) throw UsageError("--val-size must be >= 0 (0 = all)");
  if (s.data.holdout_size < 0) {
    throw UsageError("--holdout-size must be >= 0 (0 = a tenth of the training split)");
  }
  if (r.patience < 0) throw UsageError("--patience must be >= 0 (0 = off)");
  if (s.runtime.threads < 0) throw UsageError("--threads must be >= 0 (0 = all cores)");
  if (r.architecture.layers.empty()) {
    throw UsageError("no architecture resolved (internal: finalize() was not called)");
  }
  if (s.data.folder() && s.data.resize < s.data.crop) {
    throw UsageError("--resize " + std::to_string(s.data.resize) + " is smaller than --crop " +
                     std::to_string(s.data.crop) +
                     ": evaluation images are resized to --resize, then centre-cropped to --crop; "
                     "give a --resize of at least the crop");
  }
  const auto info = dataset_info(s);
  models::plan(r.architecture, {info.channels, info.height, info.width}, info.num_classes);
}

data::ImageDatasetInfo dataset_info(const RunSpec& s) {
  if (!s.data.folder()) return data::dataset_info(s.data.dataset);
  if (s.data.folder_classes < 1) {
    throw UsageError("--dataset folder: no classes known (internal: finalize() was not called)");
  }
  return {s.data.label(), 3, s.data.crop, s.data.crop, s.data.folder_classes, 0, 0};
}

Identity identity(const RunSpec& s) {
  Identity out;
  for (const auto& f : fields()) {
    if (f.identity && f.applies(s)) out.emplace_back(f.key, f.get(s));
  }
  return out;
}

std::string identity_line(const Identity& identity) {
  std::string out;
  for (const auto& [key, value] : identity) {
    out += (out.empty() ? "" : ";") + key + "=" + value;
  }
  return out;
}

namespace {

// Runs trained before --protocol existed were trained the corrected way; runs trained before
// --codec existed went through JPEG (images) or MP3 (audio), and recorded no codec version
// (compare() then accepts the version of today's build).
Identity with_legacy_defaults(Identity stored) {
  const auto find = [&stored](const char* key) {
    return std::find_if(stored.begin(), stored.end(),
                        [key](const auto& kv) { return kv.first == key; });
  };
  if (find("protocol") == stored.end()) {
    const auto after_dataset = find("dataset");
    stored.insert(after_dataset == stored.end() ? stored.begin() : after_dataset + 1,
                  {"protocol", to_string(Protocol::kCorrected)});
  }
  if (find("codec") == stored.end()) {
    for (const auto& [option, codec] :
         {std::pair<const char*, const char*>{"quality", "jpeg"}, {"bitrate", "mp3"}}) {
      const auto level = find(option);
      if (level != stored.end() && level->second != "raw") {
        stored.insert(level, {"codec", codec});
        break;
      }
    }
  }
  return stored;
}

}  // namespace

Identity parse_identity_line(const std::string& line) {
  Identity out;
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = line.find(';', start);
    if (end == std::string::npos) end = line.size();
    const std::string part = line.substr(start, end - start);
    const auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw core::DataError("malformed run identity '" + line + "'");
    }
    out.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    start = end + 1;
  }
  return with_legacy_defaults(std::move(out));
}

nlohmann::json identity_json(const Identity& identity) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : identity) j[key] = value;
  return j;
}

Identity identity_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw core::DataError("\"identity\" is not an object");
  Identity out;
  for (const auto& f : fields()) {  // table order first, then anything unknown
    if (j.contains(f.key)) {
      if (!j[f.key].is_string()) {
        throw core::DataError(std::string("identity \"") + f.key + "\" is not a string");
      }
      out.emplace_back(f.key, j[f.key].get<std::string>());
    }
  }
  for (const auto& [key, value] : j.items()) {
    if (find_field(key) == nullptr) {
      if (!value.is_string()) throw core::DataError("identity \"" + key + "\" is not a string");
      out.emplace_back(key, value.get<std::string>());
    }
  }
  return with_legacy_defaults(std::move(out));
}

std::vector<Difference> compare(const Identity& stored, const Identity& wanted) {
  const auto lookup = [](const Identity& in, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : in) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  static const std::string kNotSet = "(not set)";
  std::vector<Difference> out;
  for (const auto& [key, value] : stored) {
    const std::string* other = lookup(wanted, key);
    if (other == nullptr || *other != value) out.push_back({key, value, other ? *other : kNotSet});
  }
  for (const auto& [key, value] : wanted) {
    // A run from before codec versions were recorded: its codec (given by the legacy default)
    // is today's JPEG or MP3; its library version is not known, so it is not held against it.
    if (key == "codec-version") continue;
    if (lookup(stored, key) == nullptr) out.push_back({key, kNotSet, value});
  }
  return out;
}

std::string describe(const std::vector<Difference>& differences) {
  std::string out;
  for (const auto& d : differences) {
    out += (out.empty() ? "" : "; ") + d.key + " " + d.stored + ", you asked for " + d.key + " " +
           d.wanted;
  }
  return out;
}

std::string to_toml(const RunSpec& s) {
  std::ostringstream out;
  out << "# helmholtz train settings; repeat this run with: helmholtz train --config <this file>\n";
  const auto quoted = [](const std::string& text) {
    std::string q = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + "\"";
  };
  for (const auto& f : fields()) {
    if (!f.option || !f.applies(s)) continue;
    const std::string value = f.option_value ? f.option_value(s) : f.get(s);
    if (f.option_value && value.empty()) continue;
    out << f.key << " = " << (f.type == Type::kString ? quoted(value) : value) << "\n";
  }
  return out.str();
}

}  // namespace helmholtz::run
