#include "helmholtz/data/audio_dataset.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <system_error>
#include <utility>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/random.hpp"
#include "helmholtz/data/audio_synth.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;

namespace {

constexpr const char* kHowToGet =
    "fetch the dataset with scripts/fetch-idmt.sh [DATA_DIR] (IDMT-SMT-Audio-Effects, "
    "CC BY-NC-ND 4.0), or write the offline stand-in with "
    "`helmholtz synth audio-effects --out DIR` and point at DIR";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool is_hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

bool is_class_name(const std::string& name) {
  const auto& classes = audio_effect_classes();
  return std::find(classes.begin(), classes.end(), name) != classes.end();
}

std::string expected_classes() {
  std::string list;
  for (const auto& name : audio_effect_classes()) list += (list.empty() ? "" : ", ") + name;
  return list;
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The entries of a folder, sorted, hidden ones left out; DataError when it cannot be listed.
std::vector<fs::path> list_dir(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_hidden(it->path())) entries.push_back(it->path());
  }
  if (ec) {
    throw core::DataError("cannot list the folder " + dir.string() + ": " + ec.message() +
                          "; check that it exists and is readable");
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

// True when `dir` holds at least one folder named after a class.
bool holds_class_folder(const fs::path& dir) {
  for (const auto& entry : list_dir(dir)) {
    if (is_dir(entry) && is_class_name(entry.filename().string())) return true;
  }
  return false;
}

// Adds the .wav files of the class folders under `root` (a folder of class folders) to
// per_class. Every folder there must be a class and hold only .wav files (hidden files aside);
// with require_all, every class must be there and non-empty.
void collect_classes(const fs::path& root, bool require_all,
                     std::vector<std::vector<fs::path>>& per_class) {
  const auto& classes = audio_effect_classes();
  for (const auto& entry : list_dir(root)) {
    if (!is_dir(entry)) continue;  // a README or list file beside the class folders
    const std::string name = entry.filename().string();
    if (!is_class_name(name)) {
      throw core::DataError("unknown folder " + entry.string() + " among the class folders of " +
                            root.string() + ": expected only " + expected_classes() +
                            "; move it out of the way");
    }
  }
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const fs::path folder = root / classes[c];
    if (!is_dir(folder)) {
      if (!require_all) continue;
      throw core::DataError("the class folder " + folder.string() +
                            " is missing: " + root.string() + " must hold all 12 classes (" +
                            expected_classes() + "); fetch the dataset again or " + kHowToGet);
    }
    std::size_t found = 0;
    for (const auto& file : list_dir(folder)) {
      const std::string ext = lower(file.extension().string());
      if (is_dir(file) || ext != ".wav") {
        throw core::DataError("a non-audio file in a class folder: " + file.string() +
                              " (class folders must hold only .wav files); remove or move it");
      }
      per_class[c].push_back(file);
      ++found;
    }
    if (found == 0) {
      throw core::DataError("the class folder " + folder.string() +
                            " holds no .wav files; fetch the dataset again or " + kHowToGet);
    }
  }
}

// Where an instrument folder keeps its class folders: Samples/, or the folder itself (one of the
// original archive's parts, "Gitarre polyphon2", is said to hold its classes directly).
fs::path class_root_of(const fs::path& instrument) {
  return is_dir(instrument / "Samples") ? instrument / "Samples" : instrument;
}

// The instrument folders (a name with gitarre/guitar/bass holding Samples/ or class folders) in
// dir or one level below it.
std::vector<fs::path> find_instrument_folders(const fs::path& dir) {
  auto instruments_in = [](const fs::path& parent) {
    std::vector<fs::path> found;
    for (const auto& entry : list_dir(parent)) {
      const std::string name = lower(entry.filename().string());
      const bool instrument =
          contains(name, "gitarre") || contains(name, "guitar") || contains(name, "bass");
      if (instrument && is_dir(entry) && (is_dir(entry / "Samples") || holds_class_folder(entry))) {
        found.push_back(entry);
      }
    }
    return found;
  };
  std::vector<fs::path> found = instruments_in(dir);
  if (!found.empty()) return found;
  for (const auto& entry : list_dir(dir)) {
    if (!is_dir(entry)) continue;
    for (auto& f : instruments_in(entry)) found.push_back(std::move(f));
  }
  return found;
}

AudioClipList to_clip_list(std::vector<std::vector<fs::path>> per_class) {
  AudioClipList list;
  list.classes = audio_effect_classes();
  for (std::size_t c = 0; c < per_class.size(); ++c) {
    std::sort(per_class[c].begin(), per_class[c].end());
    for (auto& f : per_class[c]) {
      list.files.push_back(std::move(f));
      list.labels.push_back(static_cast<int>(c));
    }
  }
  return list;
}

}  // namespace

AudioClipList scan_audio_effects(const fs::path& dir, const std::string& instrument) {
  if (instrument != "guitar" && instrument != "bass" && instrument != "all") {
    throw core::UsageError("unknown instrument '" + instrument + "': use guitar, bass or all");
  }
  if (!is_dir(dir)) {
    throw core::DataError("the IDMT-SMT-Audio-Effects folder " + dir.string() +
                          " does not exist: " + kHowToGet);
  }
  std::vector<std::vector<fs::path>> per_class(audio_effect_classes().size());

  // (a) Panotti: dir/Samples/<Class> or dir/<Class>.
  fs::path panotti;
  if (is_dir(dir / "Samples")) {
    panotti = dir / "Samples";
  } else if (holds_class_folder(dir)) {
    panotti = dir;
  }
  if (!panotti.empty()) {
    if (instrument == "bass") {
      throw core::DataError("cannot keep the bass notes of " + dir.string() +
                            ": its layout (Samples/<Class>/*.wav) has no instrument folders; use "
                            "instrument guitar or all, or point at the unzipped original tree");
    }
    collect_classes(panotti, /*require_all=*/true, per_class);
    return to_clip_list(std::move(per_class));
  }

  // (b) the original tree: instrument folders, each with Samples/<Class>.
  const std::vector<fs::path> instruments = find_instrument_folders(dir);
  if (instruments.empty()) {
    throw core::DataError("no class folders found in " + dir.string() + ": expected " +
                          "Samples/<Class>/*.wav, <Class>/*.wav or instrument folders such as "
                          "'Gitarre monophon/Samples/<Class>' (classes " +
                          expected_classes() + "); " + kHowToGet);
  }
  std::vector<fs::path> guitar, guitar_mono, bass;
  for (const auto& folder : instruments) {
    const std::string name = lower(folder.filename().string());
    if (contains(name, "gitarre") || contains(name, "guitar")) {
      guitar.push_back(folder);
      if (contains(name, "mono")) guitar_mono.push_back(folder);
    } else {
      bass.push_back(folder);
    }
  }
  std::vector<fs::path> kept = instruments;
  if (instrument == "guitar") kept = guitar_mono.empty() ? guitar : guitar_mono;
  if (instrument == "bass") kept = bass;
  if (kept.empty()) {
    std::string names;
    for (const auto& f : instruments) names += (names.empty() ? "" : ", ") + f.string();
    throw core::DataError("no " + instrument + " folder in " + dir.string() + " (found " + names +
                          "); choose another instrument or fetch the full dataset");
  }
  // The original archive spreads a class over parts ("Gitarre monophon", "Gitarre monophon2"),
  // so the 12 classes are required of the kept folders together, not of each one.
  std::string kept_names;
  for (const auto& folder : kept) {
    collect_classes(class_root_of(folder), /*require_all=*/false, per_class);
    kept_names += (kept_names.empty() ? "" : ", ") + folder.string();
  }
  for (std::size_t c = 0; c < per_class.size(); ++c) {
    if (per_class[c].empty()) {
      throw core::DataError("no " + audio_effect_classes()[c] + " notes in the " + instrument +
                            " folders (" + kept_names + "): each class must have a Samples/" +
                            audio_effect_classes()[c] +
                            " folder of .wav files in one of them; "
                            "fetch the dataset again or " +
                            kHowToGet);
    }
  }
  return to_clip_list(std::move(per_class));
}

AudioSplit split_reference(const std::vector<int>& labels, int num_classes, std::uint64_t seed) {
  if (num_classes < 1) {
    throw core::UsageError("cannot split into " + std::to_string(num_classes) +
                           " classes: the count must be >= 1");
  }
  std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(num_classes));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      throw core::UsageError("label " + std::to_string(labels[i]) + " at position " +
                             std::to_string(i) + " is outside [0, " + std::to_string(num_classes) +
                             ")");
    }
    by_class[static_cast<std::size_t>(labels[i])].push_back(i);
  }
  std::mt19937_64 rng(seed);
  AudioSplit split;
  for (auto& indices : by_class) {
    for (std::size_t i = indices.size(); i > 1; --i) {
      std::swap(indices[i - 1], indices[core::uniform_below(rng, i)]);
    }
    const std::size_t train_part = indices.size() * 4 / 5;
    const std::size_t validation = train_part / 4;
    const std::size_t training = train_part - validation;
    split.train.insert(split.train.end(), indices.begin(), indices.begin() + training);
    split.validation.insert(split.validation.end(), indices.begin() + training,
                            indices.begin() + train_part);
    split.test.insert(split.test.end(), indices.begin() + train_part, indices.end());
  }
  return split;
}

AudioSplit split_keras(const AudioSplit& split, std::size_t multiple,
                       std::uint32_t shuffle_seed) {
  std::vector<std::size_t> part = split.train;
  part.insert(part.end(), split.validation.begin(), split.validation.end());
  std::sort(part.begin(), part.end());  // listing order
  if (multiple > 0) part.resize(part.size() / multiple * multiple);
  const auto order = core::numpy_legacy_permutation(shuffle_seed, part.size());
  // Keras: split_at = int(len(x) * (1. - validation_split)).
  const auto split_at =
      static_cast<std::size_t>(static_cast<double>(part.size()) * (1.0 - 0.25));
  AudioSplit out;
  out.test = split.test;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (i < split_at ? out.train : out.validation).push_back(part[order[i]]);
  }
  return out;
}

}  // namespace helmholtz::data
