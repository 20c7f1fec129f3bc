#include "helmholtz/data/audio_dataset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "helmholtz/codec/audio.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/random.hpp"
#include "helmholtz/data/audio_synth.hpp"
#include "test_support.hpp"

namespace helmholtz::data {
namespace {

namespace fs = std::filesystem;
using helmholtz::testing::error_message_of;
using helmholtz::testing::TempDir;

// An empty file: scanning never reads audio.
void touch(const fs::path& file) {
  fs::create_directories(file.parent_path());
  std::ofstream(file).put('\0');
}

// root/<Class>/<prefix>_<i>.wav for every class, written in reverse order so that sorting shows.
void make_class_folders(const fs::path& root, int per_class, const std::string& prefix) {
  for (const auto& name : audio_effect_classes()) {
    for (int i = per_class - 1; i >= 0; --i) {
      touch(root / name / (prefix + "_" + name + "_" + std::to_string(i) + ".wav"));
    }
  }
}

std::size_t count_label(const AudioClipList& list, int label) {
  return static_cast<std::size_t>(std::count(list.labels.begin(), list.labels.end(), label));
}

TEST(ScanAudioEffects, PanottiLayoutIsSortedAndLabelled) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Samples", 3, "n");
  // One real WAV (uppercase extension) and a hidden file that must be ignored.
  codec::Audio audio;
  audio.sample_rate = 44100;
  audio.channels = 1;
  audio.samples.assign(100, 0.25f);
  codec::write_wav(tmp.path() / "Samples" / "Vibrato" / "z_real.WAV", audio);
  touch(tmp.path() / "Samples" / "Chorus" / ".DS_Store");
  touch(tmp.path() / "Samples" / "README.txt");  // beside the class folders: ignored

  const AudioClipList list = scan_audio_effects(tmp.path(), "guitar");
  ASSERT_EQ(list.classes, audio_effect_classes());
  ASSERT_EQ(list.files.size(), 12u * 3u + 1u);
  ASSERT_EQ(list.labels.size(), list.files.size());
  for (std::size_t i = 0; i < list.files.size(); ++i) {
    EXPECT_EQ(list.files[i].parent_path().filename().string(),
              list.classes[static_cast<std::size_t>(list.labels[i])]);
    if (i > 0) {
      EXPECT_LE(list.labels[i - 1], list.labels[i]);
      if (list.labels[i - 1] == list.labels[i]) {
        EXPECT_LT(list.files[i - 1], list.files[i]);
      }
    }
  }
  EXPECT_EQ(list.files.front().filename(), "n_Chorus_0.wav");
  EXPECT_EQ(list.files.back().filename(), "z_real.WAV");
  EXPECT_EQ(count_label(list, 11), 4u);
  // "all" keeps the same files; the direct layout dir/<Class> works too.
  EXPECT_EQ(scan_audio_effects(tmp.path(), "all").files, list.files);
  EXPECT_EQ(scan_audio_effects(tmp.path() / "Samples", "guitar").files, list.files);
}

TEST(ScanAudioEffects, OriginalTreeFiltersByInstrument) {
  TempDir tmp;
  const fs::path root = tmp.path() / "IDMT-SMT-AUDIO-EFFECTS";  // found one level below
  make_class_folders(root / "Gitarre monophon" / "Samples", 2, "gm");
  make_class_folders(root / "Gitarre polyphon" / "Samples", 3, "gp");
  make_class_folders(root / "Bass monophon" / "Samples", 4, "bm");
  touch(root / "Lists" / "list.xml");  // not an instrument folder: ignored

  const AudioClipList guitar = scan_audio_effects(tmp.path(), "guitar");
  EXPECT_EQ(guitar.files.size(), 12u * 2u);  // monophonic guitar only
  for (const auto& f : guitar.files) EXPECT_EQ(f.filename().string().rfind("gm_", 0), 0u) << f;

  const AudioClipList bass = scan_audio_effects(root, "bass");
  EXPECT_EQ(bass.files.size(), 12u * 4u);
  for (const auto& f : bass.files) EXPECT_EQ(f.filename().string().rfind("bm_", 0), 0u) << f;

  const AudioClipList all = scan_audio_effects(root, "all");
  EXPECT_EQ(all.files.size(), 12u * 9u);
  for (int c = 0; c < 12; ++c) EXPECT_EQ(count_label(all, c), 9u);
  for (std::size_t i = 1; i < all.files.size(); ++i) {
    if (all.labels[i - 1] == all.labels[i]) {
      EXPECT_LT(all.files[i - 1], all.files[i]);
    }
  }
}

TEST(ScanAudioEffects, OriginalTreeClassesSpreadOverParts) {
  TempDir tmp;
  const auto& classes = audio_effect_classes();
  // Part one holds the first six classes, part two the rest; a polyphonic part without Samples/.
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const std::string part = c < 6 ? "Gitarre monophon" : "Gitarre monophon2";
    touch(tmp.path() / part / "Samples" / classes[c] / "a.wav");
    touch(tmp.path() / "Gitarre polyphon2" / classes[c] / "p.wav");
  }
  touch(tmp.path() / "Gitarre monophon" / "Lists" / "list.xml");
  const AudioClipList guitar = scan_audio_effects(tmp.path(), "guitar");
  EXPECT_EQ(guitar.files.size(), 12u);
  EXPECT_EQ(scan_audio_effects(tmp.path(), "all").files.size(), 24u);

  // A class missing from every kept part is an error naming the class.
  fs::remove_all(tmp.path() / "Gitarre monophon2" / "Samples" / "Tremolo");
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "guitar"); });
  EXPECT_NE(message.find("Tremolo"), std::string::npos) << message;
}

TEST(ScanAudioEffects, GuitarWithoutMonoFolderKeepsAllGuitarFolders) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Guitar" / "Samples", 1, "g");
  make_class_folders(tmp.path() / "Bass" / "Samples", 1, "b");
  EXPECT_EQ(scan_audio_effects(tmp.path(), "guitar").files.size(), 12u);
}

TEST(ScanAudioEffects, MissingFolderSaysHowToGetIt) {
  TempDir tmp;
  const std::string message = error_message_of<core::DataError>(
      [&] { scan_audio_effects(tmp.path() / "nowhere", "guitar"); });
  EXPECT_NE(message.find("nowhere"), std::string::npos) << message;
  EXPECT_NE(message.find("scripts/fetch-idmt.sh"), std::string::npos) << message;
  EXPECT_NE(message.find("helmholtz synth audio-effects --out"), std::string::npos) << message;
}

TEST(ScanAudioEffects, EmptyFolderHasNoClassFolders) {
  TempDir tmp;
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "all"); });
  EXPECT_NE(message.find("no class folders"), std::string::npos) << message;
}

TEST(ScanAudioEffects, UnknownClassFolderListsExpectedNames) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Samples", 1, "n");
  touch(tmp.path() / "Samples" / "Wah" / "w.wav");
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "guitar"); });
  EXPECT_NE(message.find("Wah"), std::string::npos) << message;
  EXPECT_NE(message.find("SlapbackDelay"), std::string::npos) << message;
}

TEST(ScanAudioEffects, MissingOrEmptyClassFolderIsAnError) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Samples", 1, "n");
  fs::remove_all(tmp.path() / "Samples" / "Phaser");
  std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "guitar"); });
  EXPECT_NE(message.find("Phaser"), std::string::npos) << message;
  EXPECT_NE(message.find("missing"), std::string::npos) << message;

  fs::create_directories(tmp.path() / "Samples" / "Phaser");
  touch(tmp.path() / "Samples" / "Phaser" / ".DS_Store");
  message = error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "guitar"); });
  EXPECT_NE(message.find("no .wav files"), std::string::npos) << message;
}

TEST(ScanAudioEffects, NonWavFileInClassFolderIsNamed) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Samples", 1, "n");
  touch(tmp.path() / "Samples" / "Reverb" / "notes.mp3");
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "guitar"); });
  EXPECT_NE(message.find("a non-audio file in a class folder"), std::string::npos) << message;
  EXPECT_NE(message.find("notes.mp3"), std::string::npos) << message;
}

TEST(ScanAudioEffects, BassOnPanottiLayoutIsAnError) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Samples", 1, "n");
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "bass"); });
  EXPECT_NE(message.find("no instrument folders"), std::string::npos) << message;
}

TEST(ScanAudioEffects, MissingInstrumentAndUnknownInstrument) {
  TempDir tmp;
  make_class_folders(tmp.path() / "Gitarre monophon" / "Samples", 1, "g");
  const std::string message =
      error_message_of<core::DataError>([&] { scan_audio_effects(tmp.path(), "bass"); });
  EXPECT_NE(message.find("Gitarre monophon"), std::string::npos) << message;
  EXPECT_THROW(scan_audio_effects(tmp.path(), "piano"), core::UsageError);
}

std::vector<int> labels_per_class(int classes, int per_class) {
  std::vector<int> labels;
  // Interleaved, so that class indices are not contiguous.
  for (int i = 0; i < per_class; ++i) {
    for (int c = 0; c < classes; ++c) labels.push_back(c);
  }
  return labels;
}

TEST(SplitReference, SizesPerClassDisjointAndCovering) {
  const std::vector<int> labels = labels_per_class(12, 10);
  const AudioSplit split = split_reference(labels, 12, 7);
  EXPECT_EQ(split.train.size(), 12u * 6u);
  EXPECT_EQ(split.validation.size(), 12u * 2u);
  EXPECT_EQ(split.test.size(), 12u * 2u);

  std::vector<int> train_per(12), val_per(12), test_per(12);
  for (auto i : split.train) ++train_per[labels[i]];
  for (auto i : split.validation) ++val_per[labels[i]];
  for (auto i : split.test) ++test_per[labels[i]];
  for (int c = 0; c < 12; ++c) {
    EXPECT_EQ(train_per[c], 6);
    EXPECT_EQ(val_per[c], 2);
    EXPECT_EQ(test_per[c], 2);
  }
  std::set<std::size_t> all(split.train.begin(), split.train.end());
  all.insert(split.validation.begin(), split.validation.end());
  all.insert(split.test.begin(), split.test.end());
  EXPECT_EQ(all.size(), labels.size());  // disjoint (sizes add up) and covering
  EXPECT_EQ(*all.rbegin(), labels.size() - 1);

  // Classes are concatenated in class order in each part.
  for (std::size_t i = 1; i < split.train.size(); ++i) {
    EXPECT_LE(labels[split.train[i - 1]], labels[split.train[i]]);
  }
}

TEST(SplitReference, UnevenClassesFloor) {
  // 7 notes: floor(5.6) = 5 train part -> floor(1.25) = 1 validation, 4 training, 2 test.
  // 1 note: it goes to test. 0 notes: nothing.
  std::vector<int> labels(7, 0);
  labels.push_back(1);
  const AudioSplit split = split_reference(labels, 3, 1);
  EXPECT_EQ(split.train.size(), 4u);
  EXPECT_EQ(split.validation.size(), 1u);
  EXPECT_EQ(split.test.size(), 3u);
  EXPECT_EQ(split.test.back(), 7u);
}

TEST(SplitReference, DeterministicAndSeedDependent) {
  const std::vector<int> labels = labels_per_class(12, 20);
  const AudioSplit a = split_reference(labels, 12, 42);
  const AudioSplit b = split_reference(labels, 12, 42);
  const AudioSplit c = split_reference(labels, 12, 43);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.train, c.train);
  EXPECT_NE(a.test, c.test);
}

TEST(SplitReference, GoldenOrderIsPinned) {
  // std::mt19937_64's output is fixed by the standard and the bounded draws are plain integer
  // arithmetic, so this order must be the same with every compiler and standard library.
  const AudioSplit split = split_reference(std::vector<int>(10, 0), 1, 2026);
  EXPECT_EQ(split.train, (std::vector<std::size_t>{4, 5, 3, 8, 7, 2}));
  EXPECT_EQ(split.validation, (std::vector<std::size_t>{0, 9}));
  EXPECT_EQ(split.test, (std::vector<std::size_t>{6, 1}));
}

// The reference protocol's split: the 80% part in listing order, cut from its end, shuffled
// by numpy's seed 2337, its last quarter validating.
TEST(SplitKeras, CutsFromTheEndThenTakesTheLastQuarterOfTheNumpyShuffle) {
  // Listing order groups the classes: 12 classes of 23 clips, class c at 23c .. 23c + 22.
  std::vector<int> labels;
  for (int c = 0; c < 12; ++c) labels.insert(labels.end(), 23, c);
  const AudioSplit per_class = split_reference(labels, 12, 5);
  // 80% of 23 = 18 per class: 216 clips, cut to 200 (a multiple of 50) from the end.
  const AudioSplit k = split_keras(per_class, 50);
  EXPECT_EQ(k.test, per_class.test);
  EXPECT_EQ(k.train.size(), 150u);  // int(200 * 0.75)
  EXPECT_EQ(k.validation.size(), 50u);

  std::vector<std::size_t> part = per_class.train;
  part.insert(part.end(), per_class.validation.begin(), per_class.validation.end());
  std::sort(part.begin(), part.end());
  ASSERT_EQ(part.size(), 216u);
  part.resize(200);  // the 16 dropped are the last class's, as the reference dropped them
  std::vector<int> kept_per_class(12);
  for (auto p : part) ++kept_per_class[labels[p]];
  EXPECT_EQ(kept_per_class[10], 18);
  EXPECT_EQ(kept_per_class[11], 2);

  const auto order = core::numpy_legacy_permutation(kKerasShuffleSeed, 200);
  for (std::size_t i = 0; i < 150; ++i) ASSERT_EQ(k.train[i], part[order[i]]) << i;
  for (std::size_t i = 150; i < 200; ++i) ASSERT_EQ(k.validation[i - 150], part[order[i]]) << i;

  // Keras' split point on a length that is not a multiple of 4: int(199 * 0.75) = 149.
  AudioSplit odd = per_class;
  const AudioSplit k1 = split_keras(odd, 199);
  EXPECT_EQ(k1.train.size(), 149u);
  EXPECT_EQ(k1.validation.size(), 50u);
  // Smaller than one batch: nothing left to train on (the caller says the set is too small).
  EXPECT_TRUE(split_keras(per_class, 1000).train.empty());
}

TEST(SplitReference, RejectsBadLabels) {
  EXPECT_THROW(split_reference({0, 1, 2}, 2, 0), core::UsageError);
  EXPECT_THROW(split_reference({0, -1}, 2, 0), core::UsageError);
  EXPECT_THROW(split_reference({}, 0, 0), core::UsageError);
}

}  // namespace
}  // namespace helmholtz::data
