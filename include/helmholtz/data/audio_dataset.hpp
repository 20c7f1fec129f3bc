#pragma once
// IDMT-SMT-Audio-Effects on disk: finding its WAV files and labels (no audio is read here), and
// the reference's per-class train / validation / test split. No torch inside.
//
// The dataset (Fraunhofer IDMT, Zenodo DOI 10.5281/zenodo.7544032) is CC BY-NC-ND 4.0: fetch it
// with scripts/fetch-idmt.sh, use it for research, never redistribute it or derived copies.
// `helmholtz synth audio-effects --out DIR` writes an offline stand-in in the same layout.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::data {

// The WAV files of a dataset folder. classes are audio_effect_classes() (sorted); files[i] has
// label labels[i], an index into classes. Files are grouped by class in class order and sorted
// by path within a class, so the list is the same on every machine.
struct AudioClipList {
  std::vector<std::string> classes;
  std::vector<std::filesystem::path> files;
  std::vector<int> labels;
};

// Scans `dir` for the 12 effect classes. Two layouts are accepted:
//  (a) Panotti: dir/Samples/<Class>/*.wav, or dir/<Class>/*.wav directly. The tree cannot tell
//      instruments apart: "guitar" and "all" keep every file, "bass" is a DataError.
//  (b) the unzipped original tree: instrument folders (found in dir or one level below it, e.g.
//      "Gitarre monophon", "Gitarre monophon2", "Gitarre polyphon", "Bass monophon"), each
//      holding Samples/<Class>/ (or <Class>/ directly). A folder is a guitar folder when its name
//      contains "gitarre" or "guitar", a bass folder when it contains "bass" (case-insensitive).
//      "all" keeps every instrument folder, "bass" the bass folders, and "guitar" the monophonic
//      guitar folders (name also contains "mono", as the reference used the monophonic guitar
//      notes); when no guitar folder says "mono", "guitar" keeps every guitar folder. The
//      archive spreads classes over parts ("... monophon" and "... monophon2"), so each class
//      must be present in at least one kept folder, not in each; files are merged per class.
// Hidden entries (".DS_Store", ...) are ignored, as are plain files beside the class folders.
// Throws core::UsageError for another `instrument`, and core::DataError naming the path and
// what to do when the folder is missing, holds no class folders, a class folder is missing or
// empty, a folder among the class folders is not a class, or a class folder holds anything
// other than .wav files.
AudioClipList scan_audio_effects(const std::filesystem::path& dir, const std::string& instrument);

// Positions into a label vector.
struct AudioSplit {
  std::vector<std::size_t> train, validation, test;
};

// The reference's split. For each class in order: that class's indices (ascending) are shuffled
// by Fisher-Yates drawing from one std::mt19937_64 seeded with `seed` (shared by the classes in
// class order; unbiased bounded draws from the raw 64-bit output, so the result is the same with
// every standard library); the first floor(80%) form the train part, the rest the test part;
// the last floor(25%) of the train part is validation, the rest training. Each list concatenates
// the classes in class order. Disjoint, covering every index, deterministic for a seed. Throws
// core::UsageError for num_classes < 1 or a label outside [0, num_classes).
AudioSplit split_reference(const std::vector<int>& labels, int num_classes, std::uint64_t seed);

// The seed of the reference's np.random.seed before it shuffled its audio training set.
inline constexpr std::uint32_t kKerasShuffleSeed = 2337;

// The reference's own validation split of a split's 80% part (train and validation together),
// as its script did it (REFERENCE.md section 4, item 7): the part in listing order (class by
// class, the clip list's order) cut to a multiple of `multiple` by dropping clips from the end
// (so from the last class; none are left when the part is smaller than `multiple`), shuffled as
// numpy's np.random.seed(shuffle_seed); np.random.permutation, and split as Keras'
// validation_split = 0.25: the first int(0.75 n) train, the last quarter validates. `test`
// stays as it is. Deterministic; no class balance is kept, as in the reference.
AudioSplit split_keras(const AudioSplit& split, std::size_t multiple,
                       std::uint32_t shuffle_seed = kKerasShuffleSeed);

}  // namespace helmholtz::data
