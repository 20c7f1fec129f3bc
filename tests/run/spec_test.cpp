// The typed run spec: parsing at the edge, dataset defaults, validation, the identity and the
// TOML round trip, all from the one field table.

#include "helmholtz/run/spec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/synthetic.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/models/architecture_file.hpp"
#include "helmholtz/run/settings_file.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {

void set(RunSpec& s, Given& given, const std::string& key, const std::string& value) {
  const Field* f = find_field(key);
  ASSERT_NE(f, nullptr) << key;
  f->set(s, value);
  given.insert(key);
}

using testing::value_of;

TEST(RunSpec, ImageDefaultsAreTheReferenceRecipe) {
  RunSpec s;
  finalize(s, {});
  EXPECT_EQ(s.data.codec_level().describe(), "quality 5");
  EXPECT_EQ(s.data.codec_level().folder_name(), "quality_5");
  EXPECT_EQ(s.recipe.optimizer, OptimizerKind::kSgd);
  EXPECT_EQ(s.recipe.batch_size, 128);
  EXPECT_EQ(s.recipe.architecture.name, "all-cnns");
  EXPECT_DOUBLE_EQ(s.recipe.lr, 0.01);
}

TEST(RunSpec, AudioGetsItsRecipeWhereNotGiven) {
  RunSpec s;
  Given given;
  set(s, given, "dataset", "audio-effects");
  set(s, given, "bitrate", "32");
  set(s, given, "lr", "0.5");
  finalize(s, given);
  EXPECT_EQ(s.recipe.optimizer, OptimizerKind::kAdadelta);
  EXPECT_DOUBLE_EQ(s.recipe.lr, 0.5);  // given: kept
  EXPECT_EQ(s.recipe.batch_size, 50);
  EXPECT_DOUBLE_EQ(s.recipe.shift, 0.0);
  EXPECT_FALSE(s.recipe.flip);
  EXPECT_EQ(s.recipe.eval_batch_size, 250);
  EXPECT_EQ(s.recipe.architecture.name, "cnn_x3_mlp_0");
  EXPECT_EQ(s.data.codec_level().folder_name(), "bitrate_32");
}

TEST(RunSpec, OptionsOfTheOtherKindAreRefused) {
  RunSpec audio;
  Given given;
  set(audio, given, "dataset", "audio-effects");
  set(audio, given, "quality", "5");
  auto m = testing::error_message_of<core::UsageError>([&] { finalize(audio, given); });
  EXPECT_NE(m.find("--quality does not apply to --dataset audio-effects"), std::string::npos) << m;

  RunSpec no_bitrate;
  Given g2;
  set(no_bitrate, g2, "dataset", "audio-effects");
  m = testing::error_message_of<core::UsageError>([&] { finalize(no_bitrate, g2); });
  EXPECT_NE(m.find("--bitrate is required"), std::string::npos) << m;

  RunSpec image;
  Given g3;
  set(image, g3, "bitrate", "32");
  m = testing::error_message_of<core::UsageError>([&] { finalize(image, g3); });
  EXPECT_NE(m.find("--bitrate does not apply to --dataset cifar10"), std::string::npos) << m;
}

TEST(RunSpec, BadValuesNameTheirOption) {
  struct Case {
    const char* key;
    const char* value;
    const char* expect;
  };
  for (const Case& c :
       {Case{"lr", "abc", "--lr 'abc'"}, Case{"setting", "6", "--setting '6'"},
        // A level's range depends on --codec: finalize() checks it
        // (codec_spec_test); the option refuses what is no level at all.
        Case{"quality", "abc", "--quality 'abc'"}, Case{"bitrate", "x", "--bitrate 'x'"},
        Case{"epochs", "0", "--epochs '0'"}, Case{"flip", "maybe", "--flip"},
        Case{"optimizer", "adam", "--optimizer 'adam': use sgd, adadelta"},
        Case{"device", "tpu", "--device 'tpu'"},
        Case{"dataset", "imagenet", "unknown dataset 'imagenet'"}}) {
    RunSpec s;
    const auto m =
        testing::error_message_of<core::UsageError>([&] { find_field(c.key)->set(s, c.value); });
    EXPECT_NE(m.find(c.expect), std::string::npos) << c.key << ": " << m;
  }
  RunSpec both;
  Given given;
  set(both, given, "setting", "1");
  set(both, given, "architecture", testing::tiny_architecture().string());
  EXPECT_THROW(finalize(both, given), core::UsageError);
}

TEST(RunSpec, IdentityHoldsWhatIsTrainedNotHowItRuns) {
  RunSpec a;
  finalize(a, {});
  const Identity base = identity(a);
  EXPECT_EQ(value_of(base, "dataset"), "cifar10");
  EXPECT_EQ(value_of(base, "quality"), "5");
  EXPECT_EQ(value_of(base, "model"), "all-cnns");
  EXPECT_EQ(value_of(base, "momentum"), "0.9");
  EXPECT_EQ(value_of(base, "rho"), "(none)");  // an Adadelta setting: does not apply to SGD
  EXPECT_EQ(value_of(base, "epochs"), "(none)");
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"epochs", "3"},
                                                        {"threads", "1"},
                                                        {"device", "cpu"},
                                                        {"precision", "fp32"},
                                                        {"eval-batch-size", "10"},
                                                        {"channels-last", "false"},
                                                        {"log-root", "elsewhere"},
                                                        {"cuda-graphs", "false"},
                                                        {"data-dir", "/d"}}) {
    RunSpec b = a;
    find_field(key)->set(b, value);
    EXPECT_TRUE(compare(base, identity(b)).empty()) << key;
  }
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"lr", "0.5"},
                                                        {"quality", "50"},
                                                        {"seed", "1"},
                                                        {"batch-size", "64"},
                                                        {"flip", "false"},
                                                        {"subsampling", "444"},
                                                        {"train-size", "100"},
                                                        {"dataset", "fashion-mnist"},
                                                        {"holdout-size", "100"},
                                                        {"split-seed", "3"},
                                                        {"patience", "5"}}) {
    RunSpec b = a;
    find_field(key)->set(b, value);
    const auto d = compare(base, identity(b));
    ASSERT_EQ(d.size(), 1u) << key;
    EXPECT_EQ(d[0].key, key);
  }
  // No early stopping is no key at all: runs from before --patience keep their identity.
  EXPECT_EQ(value_of(base, "patience"), "(none)");
  // The reference protocol validated on the test split: no held-out images, so neither their
  // number nor their seed is part of its identity.
  RunSpec reference = a;
  find_field("protocol")->set(reference, "reference");
  std::vector<std::string> keys;
  for (const auto& d : compare(base, identity(reference))) keys.push_back(d.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"protocol", "split-seed", "holdout-size"}));
  RunSpec other = a;
  find_field("lr")->set(other, "0.5");
  EXPECT_EQ(describe(compare(base, identity(other))), "lr 0.01, you asked for lr 0.5");
}

TEST(RunSpec, ProtocolIsIdentityAndTurnsOnTheQuirksOfEachKindOfData) {
  RunSpec corrected;
  finalize(corrected, {});
  EXPECT_EQ(value_of(identity(corrected), "protocol"), "corrected");
  const Quirks none = quirks(corrected);
  EXPECT_FALSE(none.transposed_images || none.carried_iterator || none.float32 ||
               none.float16_features || none.keras_audio_split);

  RunSpec images;
  Given given;
  set(images, given, "protocol", "reference");
  finalize(images, given);
  EXPECT_EQ(value_of(identity(images), "protocol"), "reference");
  EXPECT_EQ(describe(compare(identity(corrected), identity(images))),
            "protocol corrected, you asked for protocol reference; split-seed 0, you asked for "
            "split-seed (not set); holdout-size 0, you asked for holdout-size (not set)");
  // Images: the test split validates under the reference protocol only.
  EXPECT_FALSE(none.test_split_validates);
  EXPECT_TRUE(quirks(images).test_split_validates);
  const Quirks q = quirks(images);
  EXPECT_TRUE(q.transposed_images && q.carried_iterator && q.float32);
  EXPECT_FALSE(q.float16_features || q.keras_audio_split);
  // float32 with TF32 off on every device: auto resolves to fp32 before the device is known.
  EXPECT_EQ(images.runtime.precision, PrecisionChoice::kFp32);

  RunSpec sound;
  Given sound_given;
  set(sound, sound_given, "dataset", "audio-effects");
  set(sound, sound_given, "bitrate", "64");
  set(sound, sound_given, "protocol", "reference");
  finalize(sound, sound_given);
  const Quirks a = quirks(sound);
  EXPECT_TRUE(a.float16_features && a.keras_audio_split && a.float32);
  EXPECT_FALSE(a.transposed_images || a.carried_iterator);  // the audio script used model.fit
  EXPECT_FALSE(a.test_split_validates);                     // audio keeps its validation part

  // Nor does it take the held-out images' options, given on the command line or in a file.
  for (const char* key : {"holdout-size", "split-seed"}) {
    RunSpec held;
    Given held_given;
    set(held, held_given, "protocol", "reference");
    set(held, held_given, key, "5");
    const std::string message =
        testing::error_message_of<core::UsageError>([&] { finalize(held, held_given); });
    EXPECT_EQ(message.rfind(std::string("--") + key + " does not apply to --protocol reference", 0),
              0u)
        << message;
  }

  RunSpec bf16;
  Given bf16_given;
  set(bf16, bf16_given, "protocol", "reference");
  set(bf16, bf16_given, "precision", "bf16");
  const std::string refused =
      testing::error_message_of<core::UsageError>([&] { finalize(bf16, bf16_given); });
  EXPECT_NE(refused.find("--precision bf16 does not apply to --protocol reference"),
            std::string::npos)
      << refused;
  RunSpec bad;
  EXPECT_THROW(find_field("protocol")->set(bad, "keras"), core::UsageError);
}

// A run stored before --protocol existed was trained the corrected way: its identity, read
// back, says so, and it matches a corrected run of the same settings.
TEST(RunSpec, StoredIdentitiesWithoutProtocolReadAsCorrected) {
  RunSpec s;
  finalize(s, {});
  Identity old = identity(s);
  old.erase(
      std::remove_if(old.begin(), old.end(), [](const auto& kv) { return kv.first == "protocol"; }),
      old.end());
  ASSERT_EQ(value_of(old, "protocol"), "(none)");
  EXPECT_TRUE(compare(parse_identity_line(identity_line(old)), identity(s)).empty());
  EXPECT_TRUE(compare(identity_from_json(identity_json(old)), identity(s)).empty());
  EXPECT_EQ(parse_identity_line(identity_line(old)), identity(s));  // in table order too
}

TEST(RunSpec, ArchitectureFileIsInTheIdentityByItsLayers) {
  RunSpec s;
  Given given;
  set(s, given, "architecture", testing::tiny_architecture().string());
  finalize(s, given);
  const Identity id = identity(s);
  EXPECT_EQ(value_of(id, "model"),
            "tiny [conv(k3,f8,s2,same) relu conv(k3,f16,s2,same) relu globalavgpool "
            "dense(classes)]");
  EXPECT_EQ(value_of(id, "setting"), "(none)");
}

TEST(RunSpec, IdentityLineAndJsonRoundTrip) {
  RunSpec s;
  Given given;
  set(s, given, "dataset", "audio-effects");
  set(s, given, "bitrate", "raw");
  finalize(s, given);
  const Identity id = identity(s);
  EXPECT_EQ(parse_identity_line(identity_line(id)), id);
  EXPECT_EQ(identity_from_json(identity_json(id)), id);
  EXPECT_THROW(parse_identity_line("no-equals-sign"), core::DataError);
  EXPECT_THROW(identity_from_json(nlohmann::json{{"lr", 0.5}}), core::DataError);
  const auto d = compare({{"lr", "0.01"}, {"rho", "0.9"}}, {{"lr", "0.01"}, {"seed", "1"}});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(describe(d),
            "rho 0.9, you asked for rho (not set); seed (not set), you asked for "
            "seed 1");
}

// Every key to_toml writes is a field whose parser reads the value back to the same spec.
TEST(RunSpec, TomlRoundTrip) {
  testing::TempDir dir;
  for (const char* dataset : {"cifar10", "audio-effects"}) {
    RunSpec s;
    Given given;
    set(s, given, "dataset", dataset);
    if (std::string(dataset) == "audio-effects") set(s, given, "bitrate", "64");
    set(s, given, "lr", "0.123456789");
    set(s, given, "seed", "7");
    set(s, given, "log-dir", "runs/x y");
    finalize(s, given);
    const std::string toml = to_toml(s);
    const auto file = dir.path() / "config.toml";
    std::ofstream(file) << toml;
    RunSpec back;
    Given back_given;
    for (const auto& [key, value] : read_settings_file(file, "train")) {
      set(back, back_given, key, value);
    }
    finalize(back, back_given);
    EXPECT_EQ(identity(back), identity(s)) << toml;
    EXPECT_EQ(to_toml(back), toml);
    EXPECT_EQ(back.runtime.log_dir, "runs/x y");
  }
}

// Every config under configs/ reads and finalizes as `helmholtz train --config` would, and the
// reference configs turn the reference protocol on.
TEST(SettingsFile, ShippedConfigsFinalize) {
  const std::filesystem::path configs = std::filesystem::path(HELMHOLTZ_SOURCE_DIR) / "configs";
  int reference = 0, total = 0, architectures = 0, folders = 0;
  // A folder dataset's config needs a folder: a generated one stands in for ImageNet.
  const testing::TempDir photos;
  data::write_pattern_folder(photos.path(), 4, 2, 1, 0);
  for (const auto& entry : std::filesystem::directory_iterator(configs)) {
    if (entry.path().extension() != ".toml") continue;
    // An architecture file (for --architecture) beside the run configs: it must read and plan.
    if (testing::read_text(entry.path()).find("[[layer]]") != std::string::npos) {
      const auto arch = models::read_architecture_file(entry.path());
      EXPECT_GT(models::parameter_count(arch, {1, 32, 32}, 10), 0) << entry.path();
      if (entry.path().filename() == "small-cnn.toml") {
        EXPECT_EQ(models::parameter_count(arch, {1, 32, 32}, 10), 136586);  // as its comment says
      }
      ++architectures;
      continue;
    }
    RunSpec s;
    Given given;
    for (const auto& [key, value] : read_settings_file(entry.path(), "train")) {
      set(s, given, key, value);
    }
    if (s.data.audio()) set(s, given, "bitrate", "32");
    if (s.data.folder()) set(s, given, "data-dir", photos.path().string());
    ASSERT_NO_THROW(finalize(s, given)) << entry.path();
    ++total;
    if (entry.path().filename() == "imagenet-resnet50.toml") {
      // torchvision's recipe, as its comment says.
      ++folders;
      EXPECT_EQ(s.recipe.architecture.name, "resnet50");
      EXPECT_EQ(s.recipe.optimizer, OptimizerKind::kTorchSgd);
      EXPECT_EQ(s.recipe.lr, 0.1);
      EXPECT_EQ(s.recipe.momentum, 0.9);
      EXPECT_FALSE(s.recipe.nesterov);
      EXPECT_EQ(s.recipe.weight_decay, 1e-4);
      EXPECT_EQ(s.recipe.schedule, LrSchedule::kStep);
      EXPECT_EQ(s.recipe.lr_step, 30);
      EXPECT_EQ(s.recipe.lr_gamma, 0.1);
      EXPECT_EQ(s.recipe.label_smoothing, 0.0);
      EXPECT_EQ(s.recipe.epochs, 90);
      EXPECT_EQ(s.recipe.batch_size, 256);
      EXPECT_EQ(s.data.crop, 224);
      EXPECT_EQ(s.data.resize, 256);
      EXPECT_EQ(dataset_info(s).num_classes, 4);
      EXPECT_EQ(testing::value_of(identity(s), "schedule"), "step");
      EXPECT_EQ(testing::value_of(identity(s), "label-smoothing"), "(none)");  // off: not identity
    }
    const bool named_reference = entry.path().filename().string().rfind("reference-", 0) == 0;
    EXPECT_EQ(s.recipe.protocol == Protocol::kReference, named_reference) << entry.path();
    reference += named_reference;
  }
  EXPECT_EQ(reference, 2);
  EXPECT_GE(total, 5);
  EXPECT_GE(architectures, 1);
  EXPECT_EQ(folders, 1);
}

TEST(SettingsFile, KeysOfTheCommandAndErrorsNamingTheFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "c.toml";
  std::ofstream(file) << "lr = 0.5\nflip = false\nseed = 3\nquality = \"raw\"\n"
                         "[train]\nepochs = 2\n[sweep]\nqualities = \"5,50\"\n";
  auto items = read_settings_file(file, "train");
  std::sort(items.begin(), items.end());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"epochs", "2"},    {"flip", "false"}, {"lr", "0.5"},
      {"quality", "raw"}, {"seed", "3"},     {"sweep.qualities", "5,50"}};
  EXPECT_EQ(items, expected);
  std::ofstream(file) << "lr = [0.1, 0.2]\n";
  auto m = testing::error_message_of<core::UsageError>([&] { read_settings_file(file, "train"); });
  EXPECT_NE(m.find("'lr' must be one string, number or boolean"), std::string::npos) << m;
  std::ofstream(file) << "lr = \n";
  m = testing::error_message_of<core::UsageError>([&] { read_settings_file(file, "train"); });
  EXPECT_NE(m.find("c.toml': line 1"), std::string::npos) << m;
  // A quoted empty key is TOML, but no option's name (found by the settings fuzzer).
  for (const char* text : {"'' = ''\n", "[train]\n'' = 1\n", "[x]\n'' = 1\n"}) {
    std::ofstream(file) << text;
    m = testing::error_message_of<core::UsageError>([&] { read_settings_file(file, "train"); });
    EXPECT_NE(m.find("c.toml': an empty key"), std::string::npos) << text << ": " << m;
  }
}

// A folder dataset's identity: the folder's name and listing hash, the crop and the resize, no
// shift (the loader crops); its runs' folders and report lines are "folder-<name>". A cosine
// schedule holds the epochs it anneals over; a step schedule its step and factor instead.
TEST(FolderSpec, IdentityNamesTheFolderTheCropAndTheSchedule) {
  const testing::TempDir dir;
  data::write_pattern_folder(dir.path() / "pets", 2, 2, 1, 0);
  const auto s = testing::finalized({{"dataset", "folder"},
                                     {"data-dir", (dir.path() / "pets").string()},
                                     {"quality", "50"},
                                     {"model", "resnet18"},
                                     {"crop", "96"},
                                     {"optimizer", "torch-sgd"},
                                     {"schedule", "cosine"},
                                     {"epochs", "12"}});
  const auto id = identity(s);
  const std::string folder = testing::value_of(id, "folder");
  EXPECT_EQ(folder.rfind("pets@", 0), 0u) << folder;
  EXPECT_EQ(folder.size(), 5u + 16u) << folder;
  EXPECT_EQ(testing::value_of(id, "crop"), "96");
  EXPECT_EQ(testing::value_of(id, "resize"), "256");
  EXPECT_EQ(testing::value_of(id, "shift"), "(none)");
  EXPECT_EQ(testing::value_of(id, "schedule-epochs"), "12");
  EXPECT_EQ(testing::value_of(id, "weight-decay"), "0.0001");
  EXPECT_EQ(testing::value_of(id, "decay"), "(none)");  // Keras SGD's, not torch-sgd's
  EXPECT_EQ(testing::value_of(id, "lr-step"), "(none)");
  EXPECT_EQ(s.data.label(), "folder-pets");
  EXPECT_EQ(dataset_info(s).height, 96);
  EXPECT_EQ(dataset_info(s).num_classes, 2);
  EXPECT_EQ(s.recipe.eval_batch_size, 256);  // photos' default, not the 32x32 sets' 1000
  // The same folder with one more file is another dataset.
  data::write_pattern_folder(dir.path() / "pets2", 2, 2, 1, 0);
  std::filesystem::copy_file(dir.path() / "pets2" / "train" / "pattern-0" / "0-0.jpg",
                             dir.path() / "pets" / "train" / "pattern-0" / "extra.jpg");
  auto again = s;
  again.data.folder_id.clear();
  finalize(again, {"dataset", "data-dir", "quality", "model", "crop", "optimizer", "schedule"});
  EXPECT_NE(testing::value_of(identity(again), "folder"), folder);
  const auto stepped = testing::finalized({{"dataset", "folder"},
                                           {"data-dir", (dir.path() / "pets").string()},
                                           {"model", "resnet18"},
                                           {"optimizer", "torch-sgd"},
                                           {"schedule", "step"},
                                           {"label-smoothing", "0.1"}});
  EXPECT_EQ(testing::value_of(identity(stepped), "schedule-epochs"), "(none)");
  EXPECT_EQ(testing::value_of(identity(stepped), "lr-step"), "30");
  EXPECT_EQ(testing::value_of(identity(stepped), "lr-gamma"), "0.1");
  EXPECT_EQ(testing::value_of(identity(stepped), "label-smoothing"), "0.1");
  // torch.optim.SGD's own refusal, before any data is read.
  const auto message = testing::error_message_of<core::UsageError>([&] {
    testing::finalized({{"dataset", "folder"},
                        {"data-dir", (dir.path() / "pets").string()},
                        {"optimizer", "torch-sgd"},
                        {"momentum", "0"}});
  });
  EXPECT_EQ(message, "--nesterov needs a momentum above 0 (or --nesterov false)");
}

}  // namespace
}  // namespace helmholtz::run
