#pragma once
// A run, typed: what it trains on (DataSpec), how it trains (Recipe) and how this process runs
// it (Runtime: what may change between a run and its resume). Strings are parsed into these
// once, at the edge (the CLI and TOML files), by the fields below; nothing past the edge parses.
//
// One table of fields describes every setting: its key (the long option and the TOML key), its
// part, whether it belongs to the run's identity, when it applies, and how to read and write
// it. The CLI options, the TOML config writer, the identity and the summary all come from that
// table, so a new setting is one more row. No torch.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/info.hpp"
#include "helmholtz/data/level.hpp"
#include "helmholtz/data/prepare.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/run/schedule.hpp"

namespace helmholtz::run {

// --protocol: corrected (the default: the study's recipe with the reference's bugs fixed) or
// reference (every quirk of the 2018 code, REFERENCE.md section 4, so that a run is what that
// code did). Part of a run's identity. What each one changes for a run is quirks() below.
enum class Protocol { kCorrected, kReference };
std::string to_string(Protocol protocol);
Protocol parse_protocol(const std::string& text);  // throws core::UsageError naming --protocol

// The name a run's network goes by in run folders and reports: the architecture's name, with
// "-reference" under the reference protocol ("all-cnns", "all-cnns-reference") and
// "-storage-<bytes>" under a storage budget, so that runs of two protocols or budgets never
// share a folder, a mean or a line of the report.
std::string model_label(const std::string& model, Protocol protocol,
                        std::int64_t storage_budget = 0);

// Keras SGD (the 2018 image recipe) | Keras Adadelta (its audio recipe) | torch.optim.SGD with
// weight decay and a per-epoch schedule (torchvision's ImageNet recipe)
enum class OptimizerKind { kSgd, kAdadelta, kTorchSgd };
std::string to_string(OptimizerKind kind);

// --precision: auto (bf16 on CUDA, fp32 on the CPU), fp32 (the reference's float32, TF32 off)
// or bf16 (bfloat16 autocast, float32 weights). The training side resolves auto per device.
enum class PrecisionChoice { kAuto, kFp32, kBf16 };
std::string to_string(PrecisionChoice choice);

struct DataSpec {
  std::string dataset = "cifar10";   // a name of data::dataset_names()
  std::filesystem::path data_dir;    // empty: the dataset's default folder
  std::optional<data::Level> level;  // finalize(): images default to quality 5; audio must say
  // --codec as given; finalize() binds the level to it (default: JPEG for images, MP3 audio).
  std::optional<data::Codec> codec;
  codec::Subsampling subsampling = codec::Subsampling::k420;  // images
  std::string instrument = "guitar";                          // audio: guitar | bass | all
  std::string eval = "validation";                            // audio: validation | test
  std::uint64_t split_seed = 0;  // audio's per-class split; images' held-out validation images
  // Audio features and slow codecs' decoded images ("" = none)
  std::filesystem::path cache_dir = "data/cache";
  std::int64_t train_size = 0;  // images: 0 = all training images, else the first N
  std::int64_t val_size = 0;    // images: 0 = the whole test split, else its first N
  // Images, corrected protocol: validation images held out of the training split (stratified,
  // drawn by split_seed); 0 = a tenth of the split.
  std::int64_t holdout_size = 0;
  // Images: train on the first floor(budget / mean file bytes at this level) training images,
  // so that every level of a sweep gets the same storage (0 = no budget; train_size then).
  std::int64_t storage_budget = 0;
  // Folder datasets (--dataset folder): the side of the square the network sees (training: a
  // random-resized crop; evaluation: the centre crop) and the shorter side evaluation images are
  // resized to before their centre crop, as torchvision's recipe (224 and 256).
  int crop = 224;
  int resize = 256;
  // Folder datasets, set by finalize() from the listing of data_dir: "<name>@<key>" (the folder's
  // name and ImageFolder::key, which changes with any file) and the number of classes.
  std::string folder_id;
  int folder_classes = 0;

  bool audio() const;
  bool folder() const;
  // The dataset as run folders and reports name it: the dataset, or "folder-<name>" for a
  // folder dataset, so that two folders never share a line of a report.
  std::string label() const;
  const data::Level& codec_level() const;  // the level; throws core::UsageError when unset
};

struct Recipe {
  Protocol protocol = Protocol::kCorrected;
  int setting = 0;                          // a built-in table, 0..5
  std::string model;                        // or a built-in network by name (--model)
  std::filesystem::path architecture_file;  // or a user's table (overrides setting)
  models::Architecture architecture;        // resolved by finalize()
  int epochs = 200;
  int patience = 0;  // early stopping: epochs without a better validation accuracy (0 = off)
  int batch_size = 128;
  OptimizerKind optimizer = OptimizerKind::kSgd;
  double lr = 0.01;
  double momentum = 0.9;  // sgd
  bool nesterov = true;   // sgd
  double decay = 1e-6;    // sgd, Keras: lr_t = lr / (1 + decay * t), t = optimizer steps so far
  double weight_decay = 1e-4;  // torch-sgd: L2 added to the gradient, as torch.optim.SGD
  LrSchedule schedule = LrSchedule::kConstant;  // torch-sgd: the lr per epoch
  int lr_step = 30;              // torch-sgd, step schedule: epochs between two multiplications
  double lr_gamma = 0.1;         // torch-sgd, step schedule: the factor
  double label_smoothing = 0.0;  // the training loss's (0 = off)
  double rho = 0.95;             // adadelta
  double epsilon = 1e-7;         // adadelta
  double shift = 0.1;  // augmentation: random shift up to this fraction of width and height
  bool flip = true;    // augmentation: horizontal flip with probability 0.5
  int eval_batch_size = 1000;
  std::uint64_t seed = 0;  // weights, batch order, augmentation, dropout
};

struct Runtime {
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  int threads = 0;              // 0: all cores
  bool channels_last = true;    // NHWC layout: faster convolutions with oneDNN and cuDNN
  PrecisionChoice precision = PrecisionChoice::kAuto;
  bool cuda_graphs = true;  // CUDA: replay training steps from CUDA graphs
  std::filesystem::path log_root = "logs";
  std::filesystem::path log_dir;  // empty: the default layout under log_root
  bool progress = true;           // live progress bar when stderr is a terminal
  int workers = 0;                // folder datasets: the loader's decoding threads (0: --threads)
  // A NaN or infinite training loss ends the run after that epoch, as "diverged"; false
  // (--on-divergence continue) trains on through it, as the reference did.
  bool stop_on_divergence = true;
};

struct RunSpec {
  DataSpec data;
  Recipe recipe;
  Runtime runtime;
};

// What the protocol turns on for one run: the one place that decides which quirk of the
// reference applies to which kind of data. All false under the corrected protocol.
struct Quirks {
  // Images: each image is JPEG-coded transposed (the reference stored CIFAR-10 as N, W, H, C:
  // the luma table's horizontal and vertical frequencies swap), and the "horizontal" flip
  // flips the upright image vertically.
  bool transposed_images = false;
  // Images: floor(N / batch) steps per epoch from one iterator carried on across epochs, each
  // pass's batches in a random order, so the short batch turns up anywhere inside an epoch
  // (Keras 2.1's fit_generator over its ImageDataGenerator iterator as a Sequence).
  bool carried_iterator = false;
  bool float32 = false;  // float32 with TF32 off on every device (TensorFlow 1.4)
  // Images: the test split validates (chooses the best epoch and the weights kept) and is
  // reported, as the reference did. Off, validation images are held out of the training split.
  bool test_split_validates = false;
  // Audio: the mel features rounded through float16 (the reference saved them so).
  bool float16_features = false;
  // Audio: the 80% training part, listed by class, cut to a multiple of the batch size from the
  // end of the listing, then shuffled by numpy's seed 2337 and split as Keras'
  // validation_split = 0.25 (the last quarter validates, not per class).
  bool keras_audio_split = false;

  // How the codec sees an image under these quirks.
  data::Orientation orientation() const {
    return transposed_images ? data::Orientation::kTransposed : data::Orientation::kUpright;
  }
};
Quirks quirks(const RunSpec& spec);

// The validation images an image run holds out of its training split: under the corrected
// protocol --holdout-size of them drawn by --split-seed; none where the test split validates
// (the reference protocol) and for audio. `train` and `compress` both take it from here.
data::HoldOut holdout(const RunSpec& spec);

// --- The field table -----------------------------------------------------------------------

enum class Part { kData, kRecipe, kRuntime };

struct Field {
  enum class Type { kString, kInteger, kReal, kBool };  // how TOML writes the value
  const char* key;         // "lr": --lr on the command line, lr = ... in TOML
  const char* short_name;  // "-q" or nullptr
  Part part;
  Type type;
  bool identity;  // part of what is trained: two runs that differ here are different runs
  bool option;    // a command-line option and TOML key (false: identity only, e.g. "model")
  const char* help;
  bool (*applies)(const RunSpec&);  // whether the setting means anything for this run
  std::string (*get)(const RunSpec&);
  // Parses `text` into the spec; throws core::UsageError naming --key on a bad value.
  void (*set)(RunSpec&, const std::string& text);
  // What to_toml writes of an option whose identity value (`get`) is not what `set` reads
  // ("" = nothing); nullptr: `get`. (The model: named by --model, listed with its layers.)
  std::string (*option_value)(const RunSpec&) = nullptr;
};

const std::vector<Field>& fields();
const Field* find_field(const std::string& key);  // nullptr when there is none

// The level of an image run that gives none: JPEG quality 5 (the study's headline command).
data::Quality default_quality();

// The keys a command line or config file set, so that dataset defaults fill in the rest.
using Given = std::set<std::string>;

// After parsing: under --protocol reference, precision fp32 (refusing another given one); the
// audio recipe for audio datasets (Adadelta lr 1.0, batch 50, no
// augmentation, validation batches of 250) for each recipe setting not in `given`; refuses a
// given option of the other kind of dataset (--quality for audio, ...); the default level
// (quality 5) for images; reads --architecture or looks up --setting; then validate(). Throws
// core::UsageError naming the option.
void finalize(RunSpec& spec, const Given& given);

// Sets recipe.architecture from the --architecture file, else the built-in network --model
// names (and recipe.setting to its setting, where it has one), else the built-in table of
// --setting for the dataset's kind. (finalize() calls it; a sweep calls it per cell.)
void resolve_architecture(RunSpec& spec);

// Checks ranges and names and that the architecture fits the dataset; throws core::UsageError
// naming the option.
void validate(const RunSpec& spec);

// What the network sees of the run's dataset: channels, height and width of a sample and the
// classes (a folder dataset: 3 x crop x crop and its listing's classes, once finalize() ran).
data::ImageDatasetInfo dataset_info(const RunSpec& spec);

// --- Identity --------------------------------------------------------------------------------

// Every identity setting that applies, in table order, as (key, canonical text).
using Identity = std::vector<std::pair<std::string, std::string>>;
Identity identity(const RunSpec& spec);

// "dataset=cifar10;quality=5;...": the identity on one line (checkpoints, logs).
std::string identity_line(const Identity& identity);
// The readers of stored identities (checkpoints, summary.json). Runs trained before --protocol
// existed hold no protocol: they were trained the corrected way, and the readers add
// "protocol=corrected" to them, so that such runs still resume and report.
Identity parse_identity_line(const std::string& line);  // throws core::DataError

nlohmann::json identity_json(const Identity& identity);  // {"dataset": "cifar10", ...}
// Throws core::DataError when `j` is not an object of strings.
Identity identity_from_json(const nlohmann::json& j);

struct Difference {
  std::string key;
  std::string stored;  // "(not set)" where one side lacks the key
  std::string wanted;
};
std::vector<Difference> compare(const Identity& stored, const Identity& wanted);

// "lr 0.01, you asked for lr 0.5" (several joined with "; ").
std::string describe(const std::vector<Difference>& differences);

// The settings as TOML, keys named as the command-line options, so that
// `helmholtz train --config <file>` repeats the run (log-dir included when set).
std::string to_toml(const RunSpec& spec);

}  // namespace helmholtz::run
