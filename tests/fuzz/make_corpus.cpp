// Writes the seed corpus of every fuzz target: small valid inputs, made with the project's own
// writers (the CIFAR-10 and IDX writers, the codecs, the run spec's TOML, the history and
// cross-evaluation CSV, the checked file frames), so nothing is downloaded and the seeds follow
// the formats as the code changes. Also writes the dictionary entries that come from the
// project's tables (setting keys, layer kinds, summary keys), which scripts/fuzz.sh adds to the
// syntax dictionaries of tests/fuzz/dicts.
//   helmholtz_fuzz_corpus CORPUS_DIR [DICT_DIR]
// writes CORPUS_DIR/<target>/<seed> and DICT_DIR/<target>.dict.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "helmholtz/codec/audio.hpp"
#include "helmholtz/codec/audio_codecs.hpp"
#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/codec/mp3.hpp"
#include "helmholtz/codec/png.hpp"
#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/data/cifar10.hpp"
#include "helmholtz/data/fashion_mnist.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/run/checkpoint_header.hpp"
#include "helmholtz/run/cross_eval_file.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/history.hpp"
#include "helmholtz/run/predictions.hpp"
#include "helmholtz/run/spec.hpp"
#include "helmholtz/run/summary.hpp"

namespace helmholtz::fuzz {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class Corpus {
 public:
  explicit Corpus(fs::path dir) : dir_(std::move(dir)) {}

  void add(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir_ / target);
    write_bytes(dir_ / target / name, bytes);
    ++seeds_;
  }
  void add(const std::string& target, const std::string& name,
           const std::vector<std::uint8_t>& bytes) {
    add(target, name, std::string(bytes.begin(), bytes.end()));
  }
  int seeds() const { return seeds_; }

 private:
  fs::path dir_;
  int seeds_ = 0;
};

std::string file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string joined(const std::vector<std::string>& files) {
  std::string out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out += kNextFile;
    out += files[i];
  }
  return out;
}

// `count` images of the given shape with a gradient, labels 0, 1, 2, ...
data::ImageSet pattern_images(std::int64_t count, int height, int width, int channels) {
  data::ImageSet set;
  set.count = count;
  set.height = height;
  set.width = width;
  set.channels = channels;
  for (std::int64_t i = 0; i < count; ++i) set.labels.push_back(static_cast<std::uint8_t>(i % 10));
  for (std::size_t p = 0; p < static_cast<std::size_t>(count) * set.image_bytes(); ++p) {
    set.pixels.push_back(static_cast<std::uint8_t>(p * 7 + p / 13));
  }
  return set;
}

// A tone with a little noise, full scale [-1, 1].
std::vector<float> tone(std::size_t samples, int sample_rate) {
  std::vector<float> out(samples);
  std::uint32_t state = 1;
  for (std::size_t i = 0; i < samples; ++i) {
    state = state * 1664525u + 1013904223u;
    const double noise = static_cast<double>(state >> 8) / (1u << 24) - 0.5;
    out[i] =
        static_cast<float>(0.5 * std::sin(2.0 * M_PI * 440.0 * i / sample_rate) + 0.05 * noise);
  }
  return out;
}

run::RunSpec finalized_spec(const std::vector<std::pair<std::string, std::string>>& settings) {
  run::RunSpec spec;
  run::Given given;
  for (const auto& [key, value] : settings) {
    run::find_field(key)->set(spec, value);
    given.insert(key);
  }
  run::finalize(spec, given);
  return spec;
}

// An architecture in the vocabulary of architecture files (models/architecture_file.hpp).
std::string architecture_toml(const models::Architecture& arch) {
  std::string out = "name = \"" + arch.name + "\"\n";
  for (const auto& layer : arch.layers) {
    out += "\n[[layer]]\nkind = \"" + std::string(models::kind_name(layer.kind)) + "\"\n";
    switch (layer.kind) {
      case models::LayerKind::kConv:
        out += "kernel = " + std::to_string(layer.kernel) +
               "\nfilters = " + std::to_string(layer.units) +
               "\nstride = " + std::to_string(layer.stride) + "\npadding = \"" +
               (layer.same ? "same" : "valid") + "\"\n";
        break;
      case models::LayerKind::kDense:
        out += "units = " + std::to_string(layer.units) + "\n";
        break;
      case models::LayerKind::kDropout:
        out += "rate = " + std::to_string(layer.rate) + "\n";
        break;
      case models::LayerKind::kMaxPool:
        out += "size = " + std::to_string(layer.kernel) + "\n";
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<run::EpochRecord> ramp_history(int epochs) {
  std::vector<run::EpochRecord> history;
  for (int e = 1; e <= epochs; ++e) {
    history.push_back({e, 2.0 / e, 0.3 + 0.04 * e, 2.2 / e, 0.25 + 0.04 * e, 0.01, 12.5});
  }
  return history;
}

std::vector<run::CrossEvalEntry> cross_entries() {
  run::CrossEvalEntry a;
  a.codec = "jpeg";
  a.level = "10";
  a.weights_epoch = 12;
  a.test_acc = 0.61;
  a.test_loss = 1.2;
  a.test_samples = 10000;
  a.payload_bits_per_sample = 1900.5;
  a.bits_per_sample = 4500.25;
  a.distortion_db = 27.5;
  run::CrossEvalEntry raw = a;
  raw.level = "raw";
  raw.distortion_db.reset();
  return {a, raw};
}

// summary.json as `train` writes it (run::to_json of the run::Summary that train/run.cpp
// make_summary fills), for the spec's run.
json summary_of(const run::RunSpec& spec, bool finished) {
  const auto& level = spec.data.codec_level();
  const bool audio = spec.data.audio();
  const auto history = ramp_history(12);
  run::Summary m;
  m.version = HELMHOLTZ_VERSION;
  m.identity = run::identity(spec);
  m.dataset = spec.data.dataset;
  m.model = spec.recipe.architecture.name;
  m.setting = spec.recipe.architecture.setting;
  m.level_option = level.option();
  m.level = level.to_string();
  m.codec = level.raw() ? "" : level.codec();
  m.seed = spec.recipe.seed;
  m.protocol = spec.recipe.protocol;
  m.optimizer = run::to_string(spec.recipe.optimizer);
  m.parameters = 701386;
  m.device = "cpu";
  m.device_name = "cpu";
  m.precision = "fp32";
  m.train_samples = 45000;
  m.storage_budget = spec.data.storage_budget;
  m.train_steps_per_epoch = 352;
  m.validation_data = audio ? run::ValidationData::kValidation : run::ValidationData::kHoldout;
  m.validation_samples = 5000;
  m.test_samples = 10000;
  m.num_classes = 10;
  m.epochs_requested = spec.recipe.epochs;
  m.epochs_completed = 12;
  m.patience = spec.recipe.patience;
  m.finished = finished;
  m.status = finished ? run::RunStatus::kFinished : run::RunStatus::kRunning;
  m.best_val_acc = history.back().val_acc;
  m.best_epoch = 12;
  m.mean_top10_val_acc = run::mean_top_val_acc(history, 10);
  if (finished) {
    m.test_best = run::TestFigures{12, 0.7, 0.9};
    m.test_last = run::TestFigures{12, 0.7, 0.9};
    m.predictions = "predictions/" + level.folder_name() + ".csv";
  }
  m.bits_per_sample = 4500.25;
  m.payload_bits_per_sample = 1900.5;
  m.lossless_bits_per_sample = 20000.0;
  m.lossless_payload_bits_per_sample = 19000.0;
  m.signal_bits_per_sample = audio ? 1411200.0 : 24576.0;
  m.distortion_metric = audio ? "snr" : "psnr";
  m.distortion_db = 27.5;
  m.compression = {{"train", {{"images", 45000}, {"mean_bytes", 562.5}}}};
  m.train_samples_per_second = 2500.0;
  m.wall_seconds = 321.5;
  return run::to_json(m);
}

// Every key of a JSON value, recursively.
void collect_keys(const json& j, std::set<std::string>& keys) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      keys.insert(key);
      collect_keys(value, keys);
    }
  } else if (j.is_array()) {
    for (const auto& value : j) collect_keys(value, keys);
  }
}

// A libFuzzer dictionary entry: the value in double quotes, escaped.
std::string dict_entry(const std::string& value) {
  std::string out = "\"";
  for (const unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"\n";
}

void write_dict(const fs::path& dir, const std::string& target,
                const std::set<std::string>& words) {
  if (dir.empty()) return;
  std::string text = "# Generated by helmholtz_fuzz_corpus from the project's tables.\n";
  for (const auto& w : words) text += dict_entry(w);
  fs::create_directories(dir);
  write_bytes(dir / (target + ".dict"), text);
}

int make(const fs::path& corpus_dir, const fs::path& dict_dir) {
  Corpus corpus(corpus_dir);
  const fs::path work = scratch_dir();

  // CIFAR-10: batches of one and of three records.
  for (const int n : {1, 3}) {
    const fs::path file = work / "batch.bin";
    data::write_cifar10_batch(file, pattern_images(n, 32, 32, 3));
    corpus.add("cifar10", "records_" + std::to_string(n) + ".bin", file_text(file));
  }

  // IDX: images and labels, gzip-compressed as Debian ships them, and plain; 28x28 and 3x2.
  for (const auto& [name, height, width] :
       {std::tuple{"fashion", 28, 28}, std::tuple{"small", 3, 2}}) {
    const fs::path images = work / "images.gz";
    const fs::path labels = work / "labels.gz";
    data::write_idx_gz(images, labels, pattern_images(2, height, width, 1));
    corpus.add("idx", std::string(name) + "_gzip.idx",
               joined({file_text(images), file_text(labels)}));
    const auto plain_images = core::read_gzip_file(images);
    const auto plain_labels = core::read_gzip_file(labels);
    corpus.add("idx", std::string(name) + "_plain.idx",
               joined({std::string(plain_images.begin(), plain_images.end()),
                       std::string(plain_labels.begin(), plain_labels.end())}));
  }

  // Audio: WAV (mono and stereo), FLAC and MP3 of a short tone at 8 kHz.
  constexpr int kRate = 8000;
  const std::vector<float> clip = tone(400, kRate);
  {
    codec::Audio mono{kRate, 1, tone(160, kRate)};
    codec::Audio stereo{kRate, 2, tone(320, kRate)};
    for (const auto& [name, audio] : {std::pair{"mono.wav", mono}, {"stereo.wav", stereo}}) {
      const fs::path file = work / "clip.wav";
      codec::write_wav(file, audio);
      corpus.add("audio", name, file_text(file));
    }
  }
  const auto flac = codec::encode_flac(clip, kRate);
  const auto mp3 = codec::encode_mp3(clip, kRate, 8).bytes;
  corpus.add("audio", "tone.flac", flac);
  corpus.add("audio", "tone.mp3", mp3);

  // Coded samples: JPEG (grayscale, 4:2:0 and 4:4:4 colour), PNG, and the audio above.
  {
    const auto gray = pattern_images(1, 8, 8, 1);
    const auto rgb = pattern_images(1, 16, 16, 3);
    codec::JpegEncoder encoder;
    corpus.add("codec_payload", "gray_q50.jpg", encoder.encode(gray.image(0), 8, 8, 1, 50));
    corpus.add("codec_payload", "rgb420_q5.jpg", encoder.encode(rgb.image(0), 16, 16, 3, 5));
    corpus.add("codec_payload", "rgb444_q90.jpg",
               encoder.encode(rgb.image(0), 16, 16, 3, 90, codec::Subsampling::k444));
    corpus.add("codec_payload", "rgb.png", codec::encode_png(rgb.image(0), 16, 16, 3));
    corpus.add("codec_payload", "gray.png", codec::encode_png(gray.image(0), 8, 8, 1));
    // A folder dataset's files: the same JPEGs and PNGs, and a larger JPEG that the loader
    // decodes at a reduced DCT scale.
    const auto big = pattern_images(1, 40, 40, 3);
    corpus.add("folder_image", "gray_q50.jpg", encoder.encode(gray.image(0), 8, 8, 1, 50));
    corpus.add("folder_image", "rgb420_q5.jpg", encoder.encode(rgb.image(0), 16, 16, 3, 5));
    corpus.add("folder_image", "big_q75.jpg", encoder.encode(big.image(0), 40, 40, 3, 75));
    corpus.add("folder_image", "rgb.png", codec::encode_png(rgb.image(0), 16, 16, 3));
    corpus.add("folder_image", "gray.png", codec::encode_png(gray.image(0), 8, 8, 1));
    corpus.add("codec_payload", "tone.mp3", mp3);
    corpus.add("codec_payload", "tone.flac", flac);
    // The newer codecs' files of the same images, each at a low and a high level, and the Ogg
    // streams of Opus and Vorbis.
    for (const auto& info : codec::image_codecs()) {
      if (!info.built || info.id == codec::ImageCodec::kJpeg) continue;
      for (const int level : {info.min_quality + 5, info.max_quality - 5}) {
        for (const auto* image : {&gray, &rgb}) {
          const auto coder = codec::make_image_coder(info.id, level);
          const int side = image->width;
          corpus.add("new_codecs",
                     std::string(info.name) + (image == &gray ? "_gray_" : "_rgb_") +
                         std::to_string(level),
                     coder->encode(image->image(0), side, side, image->channels));
        }
      }
    }
    for (const auto& info : codec::audio_codecs()) {
      if (info.id == codec::AudioCodec::kMp3) continue;
      const auto trip_bytes = codec::encode_audio(info.id, clip, kRate, 32);
      corpus.add("new_codecs", std::string("tone.") + info.name, trip_bytes);
    }
  }

  // Settings: a run folder's config.toml for an image run and an audio run, a [train] table.
  const run::RunSpec image_run = finalized_spec({});
  const run::RunSpec audio_run =
      finalized_spec({{"dataset", "audio-effects"}, {"bitrate", "32"}, {"seed", "2"}});
  corpus.add("settings", "image_config.toml", run::to_toml(image_run));
  corpus.add("settings", "audio_config.toml", run::to_toml(audio_run));
  corpus.add("settings", "train_table.toml",
             "# options of train\n[train]\nquality = 20\nlr = 0.05\nnesterov = true\n"
             "setting = 3\n");
  std::set<std::string> setting_words = {"[train]", "[sweep]"};
  for (const auto& field : run::fields()) {
    setting_words.insert(field.key);
    setting_words.insert(std::string(field.key) + " = ");
  }
  write_dict(dict_dir, "settings", setting_words);

  // Architectures: every built-in table written as a file.
  std::set<std::string> architecture_words = {"[[layer]]", "name",   "kind",     "kernel",
                                              "filters",   "stride", "padding",  "units",
                                              "rate",      "size",   "\"same\"", "\"valid\""};
  for (const auto* tables : {&models::image_architectures(), &models::audio_architectures()}) {
    for (const auto& arch : *tables) {
      corpus.add(
          "architecture",
          arch.name + (tables == &models::image_architectures() ? "_image.toml" : "_audio.toml"),
          architecture_toml(arch));
    }
  }
  for (const auto kind : models::layer_kinds()) {
    architecture_words.insert("\"" + std::string(models::kind_name(kind)) + "\"");
  }
  write_dict(dict_dir, "architecture", architecture_words);

  // The run folder's CSV files.
  const std::string history = run::history_csv(ramp_history(12));
  const std::string cross_eval = run::cross_eval_csv(cross_entries());
  corpus.add("run_csv", "history.csv", history);
  corpus.add("run_csv", "cross_eval.csv", cross_eval);
  run::Predictions predictions;
  predictions.weights_epoch = 12;
  predictions.level = "quality_10";
  for (int i = 0; i < 12; ++i) {
    predictions.label.push_back(i % 10);
    predictions.predicted.push_back(i % 3 == 0 ? (i + 1) % 10 : i % 10);
    predictions.p_true.push_back(0.05f + 0.075f * static_cast<float>(i));
  }
  corpus.add("run_csv", "predictions.csv", run::predictions_csv(predictions));
  write_dict(dict_dir, "run_csv",
             {run::kHistoryHeader, run::kCrossEvalCsvHeader, "jpeg", "mp3", "raw",
              "# helmholtz predictions 2\n", "# weights_epoch=", " level=", " samples=", " crc32=",
              "index,label,predicted,p_true"});

  // Run folders: the summary alone, with its history, with its cross-evaluation; an audio run.
  const std::string image_summary = summary_of(image_run, true).dump(2) + "\n";
  const std::string audio_summary = summary_of(audio_run, false).dump(2) + "\n";
  corpus.add("run_folder", "summary_only", image_summary);
  corpus.add("run_folder", "summary_history", joined({image_summary, history}));
  corpus.add("run_folder", "summary_history_cross_eval",
             joined({image_summary, history, cross_eval}));
  corpus.add("run_folder", "audio_summary_history", joined({audio_summary, history}));
  std::set<std::string> summary_words;
  collect_keys(summary_of(image_run, true), summary_words);
  collect_keys(summary_of(audio_run, true), summary_words);
  std::set<std::string> quoted_words = {std::string(kNextFile), "quality", "bitrate", "corrected",
                                        "reference"};
  for (const auto& w : summary_words) quoted_words.insert("\"" + w + "\":");
  write_dict(dict_dir, "run_folder", quoted_words);

  // Checked files: a checkpoint frame around an archive, a feature cache.
  const std::string archive =
      std::string("PK\x03\x04", 4) + "archive/data.pkl" + std::string(40, '\x01');
  corpus.add("checked", "last.pt",
             run::checkpoint_bytes(7, run::identity_line(run::identity(image_run)), archive));
  const std::vector<float> features = tone(24, kRate);
  const json cache_header = {{"fingerprint", "helmholtz features v1; mel=96"},
                             {"shape", {2, 1, 3, 4}},
                             {"labels", {0, 3}},
                             {"classes", {"Distortion", "NoFX"}},
                             {"clip_samples", 88200}};
  corpus.add("checked", "features.cache",
             core::checked_bytes(core::CheckedKind::kCache, cache_header.dump(), features.data(),
                                 features.size() * sizeof(float)));
  corpus.add("checked", "empty_payload.cache",
             core::checked_bytes(core::CheckedKind::kCache, "{}", nullptr, 0));
  write_dict(dict_dir, "checked",
             {"HELMHOLTZ-CACHE\n", "HELMHOLTZ-CKPT1\n",
              "\"format\":", "\"epoch\":", "\"identity\":", "\"fingerprint\":", "\"shape\":"});

  std::printf("wrote %d seeds under %s\n", corpus.seeds(), corpus_dir.c_str());
  return 0;
}

}  // namespace
}  // namespace helmholtz::fuzz

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [DICT_DIR]\n", argv[0]);
    return 2;
  }
  try {
    return helmholtz::fuzz::make(argv[1], argc > 2 ? argv[2] : "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "helmholtz_fuzz_corpus: %s\n", e.what());
    return 1;
  }
}
