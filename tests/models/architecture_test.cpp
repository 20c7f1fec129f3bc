// The architecture tables and their plan, without LibTorch: names, the reference's parameter
// counts, TensorFlow's padding, errors that name the layer, and architecture files.

#include "helmholtz/models/architecture.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "helmholtz/core/error.hpp"
#include "helmholtz/models/architecture_file.hpp"
#include "test_support.hpp"

namespace helmholtz::models {
namespace {

const std::vector<std::int64_t> kCifarCounts = {701386,  1079562, 1144138,
                                                1276618, 1620298, 1686090};
const std::vector<std::int64_t> kAudioCounts = {101412, 170436, 427492, 808356, 824868, 3715460};
const std::vector<std::string> kNames = {"all-cnns",       "cnns-dense-64",
                                         "all-cnnsx2",     "cnns-x2-dense-128",
                                         "cnns-dense-128", "cnns-dense-128-256"};

TEST(Architectures, SixSettingsWithTheReferenceNames) {
  const auto& all = image_architectures();
  ASSERT_EQ(all.size(), 6u);
  for (int s = 0; s < 6; ++s) {
    EXPECT_EQ(all[s].setting, s);
    EXPECT_EQ(all[s].name, kNames[s]);
    EXPECT_EQ(&image_architecture(s), &all[s]);
    EXPECT_TRUE(all[s].file.empty());
  }
}

TEST(Architectures, PlanCountsTheReferenceParameters) {
  for (int s = 0; s < 6; ++s) {
    EXPECT_EQ(parameter_count(image_architecture(s), {3, 32, 32}, 10), kCifarCounts[s]);
    // Fashion-MNIST: one input channel, 2 x 3 x 3 x 32 fewer weights in the first conv.
    EXPECT_EQ(parameter_count(image_architecture(s), {1, 32, 32}, 10),
              kCifarCounts[s] - 2 * 9 * 32);
    EXPECT_EQ(parameter_count(audio_architecture(s), {1, 96, 173}, 12), kAudioCounts[s]);
  }
}

TEST(Architectures, TfSamePaddingPutsTheOddPixelAfter) {
  EXPECT_EQ(tf_same_padding(32, 3, 1).before, 1);
  EXPECT_EQ(tf_same_padding(32, 3, 1).after, 1);
  EXPECT_EQ(tf_same_padding(32, 3, 2).before, 0);  // out 16: (16-1)*2+3-32 = 1
  EXPECT_EQ(tf_same_padding(32, 3, 2).after, 1);
  EXPECT_EQ(tf_same_padding(5, 3, 2).before, 1);  // out 3: (3-1)*2+3-5 = 2
  EXPECT_EQ(tf_same_padding(5, 3, 2).after, 1);
  EXPECT_EQ(tf_same_padding(8, 1, 1).before, 0);
  EXPECT_EQ(tf_same_padding(8, 1, 1).after, 0);
  EXPECT_EQ(tf_same_padding(7, 4, 1).before, 1);  // even kernel: 3 pixels, 1 before, 2 after
  EXPECT_EQ(tf_same_padding(7, 4, 1).after, 2);
}

TEST(Architectures, PlanFollowsTensorFlowShapes) {
  // all-cnns on 32x32: stride-2 convs halve twice (16, 8); the head keeps 8x8, then pools.
  const auto p = plan(image_architecture(0), {3, 32, 32}, 10);
  EXPECT_EQ(p[4].out_height, 16);  // the stem's stride-2 conv
  EXPECT_EQ(p[4].pad_rows.before, 0);
  EXPECT_EQ(p[4].pad_rows.after, 1);
  EXPECT_EQ(p.back().out_features, 10);
  // Odd input: 33 -> 17 -> 9.
  const auto odd = plan(image_architecture(1), {3, 33, 33}, 10);
  EXPECT_EQ(odd[4].out_height, 17);
  EXPECT_EQ(odd[10].out_height, 9);
}

TEST(Architectures, BadSettingsAreRejected) {
  EXPECT_EQ(testing::error_message_of<core::UsageError>([] { image_architecture(6); }),
            "--setting must be 0..5, got 6");
  EXPECT_THROW(image_architecture(-1), core::UsageError);
  EXPECT_THROW(audio_architecture(6), core::UsageError);
}

TEST(Architectures, PlanNamesTheLayerThatDoesNotFit) {
  EXPECT_THROW(plan(image_architecture(0), {3, 32, 32}, 0), core::UsageError);
  EXPECT_THROW(plan(image_architecture(0), {0, 32, 32}, 10), core::UsageError);
  Architecture dense_first{-1, "dense-first", {LayerSpec{LayerKind::kDense}}};
  auto message = testing::error_message_of<core::UsageError>(
      [&] { plan(dense_first, {3, 32, 32}, 10); });
  EXPECT_NE(message.find("layer 1 (dense)"), std::string::npos) << message;
  LayerSpec valid{LayerKind::kConv};
  valid.kernel = 5;
  valid.same = false;
  Architecture too_small{-1, "too-small", {valid, LayerSpec{LayerKind::kGlobalAvgPool}}};
  message = testing::error_message_of<core::UsageError>([&] { plan(too_small, {1, 4, 4}, 10); });
  EXPECT_NE(message.find("'too-small', layer 1 (conv): a 5x5 window does not fit a feature map "
                         "of 4 pixels"),
            std::string::npos)
      << message;
  EXPECT_NO_THROW(plan(too_small, {1, 5, 5}, 10));
  LayerSpec wide{LayerKind::kDense};
  wide.units = 7;
  Architecture wrong_end{-1, "wrong-end", {LayerSpec{LayerKind::kFlatten}, wide}};
  message = testing::error_message_of<core::UsageError>([&] { plan(wrong_end, {1, 2, 2}, 10); });
  EXPECT_NE(message.find("ends in 7 flat outputs"), std::string::npos) << message;
}

TEST(Architectures, LayerTextSpellsEveryLayer) {
  const auto& audio = audio_architecture(0);
  const std::string text = layer_text(audio);
  EXPECT_EQ(text.rfind("conv(k3,f32,s1,valid) batchnorm-freq relu conv(k3,f32,s1,valid) elu "
                       "maxpool(2) dropout(0.5)",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("flatten dense(classes)"), std::string::npos) << text;
}

class ArchitectureFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    const auto file = dir_.path() / "arch.toml";
    std::ofstream(file) << text;
    return file;
  }
  std::string error_of(const std::string& text) {
    const auto file = write(text);
    return testing::error_message_of<core::UsageError>([&] { read_architecture_file(file); });
  }
  testing::TempDir dir_;
};

TEST_F(ArchitectureFile, TheTinyTestNetworkReadsAndFits) {
  const auto arch = read_architecture_file(testing::tiny_architecture());
  EXPECT_EQ(arch.name, "tiny");
  EXPECT_EQ(arch.setting, -1);
  ASSERT_EQ(arch.layers.size(), 6u);
  EXPECT_EQ(arch.layers[0].kind, LayerKind::kConv);
  EXPECT_EQ(arch.layers[0].stride, 2);
  EXPECT_TRUE(arch.layers[0].same);
  EXPECT_EQ(arch.layers[5].units, kClassUnits);
  // conv 3*9*8+8, conv 8*9*16+16, dense 16*10+10.
  EXPECT_EQ(parameter_count(arch, {3, 32, 32}, 10), 224 + 1168 + 170);
  EXPECT_EQ(layer_text(arch),
            "conv(k3,f8,s2,same) relu conv(k3,f16,s2,same) relu globalavgpool dense(classes)");
}

TEST_F(ArchitectureFile, EveryKindOfTheVocabularyReads) {
  const auto arch = read_architecture_file(write(R"(name = "all-kinds"
[[layer]]
kind = "conv"
kernel = 3
filters = 4
padding = "valid"
[[layer]]
kind = "batchnorm-freq"
[[layer]]
kind = "elu"
[[layer]]
kind = "maxpool"
size = 2
[[layer]]
kind = "dropout"
rate = 0.25
[[layer]]
kind = "flatten"
[[layer]]
kind = "dense"
units = 0
)"));
  ASSERT_EQ(arch.layers.size(), 7u);
  EXPECT_FALSE(arch.layers[0].same);
  EXPECT_EQ(arch.layers[3].kernel, 2);
  EXPECT_DOUBLE_EQ(arch.layers[4].rate, 0.25);
  // 10x10 -> valid 3x3 -> 8x8 (batchnorm over 8 rows: 32) -> pool 2 -> 4x4x4 = 64 -> 3.
  EXPECT_EQ(parameter_count(arch, {1, 10, 10}, 3), (9 * 4 + 4) + 4 * 8 + (64 * 3 + 3));
}

TEST_F(ArchitectureFile, ErrorsNameTheFileTheLayerAndTheKey) {
  auto m = error_of("name = \"x\"\n[[layer]]\nkind = \"lstm\"\n");
  EXPECT_NE(m.find("layer 1: unknown kind 'lstm' (use one of conv, relu"), std::string::npos) << m;
  EXPECT_NE(m.find("arch.toml"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"conv\"\nkernel = 3\n");
  EXPECT_NE(m.find("layer 1: needs 'filters'"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"relu\"\n[[layer]]\nkind = \"dense\"\nunits = 2\n"
               "size = 3\n");
  EXPECT_NE(m.find("layer 2: unknown key 'size' for kind dense"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"conv\"\nkernel = -3\nfilters = 2\n");
  EXPECT_NE(m.find("'kernel' must be a whole number"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"dropout\"\nrate = 1.5\n");
  EXPECT_NE(m.find("rate must be in [0, 1)"), std::string::npos) << m;
  m = error_of("[[layer]]\nkind = \"relu\"\n");
  EXPECT_NE(m.find("needs name"), std::string::npos) << m;
  m = error_of("name = \"a/b\"\n[[layer]]\nkind = \"relu\"\n");
  EXPECT_NE(m.find("use letters, digits"), std::string::npos) << m;
  m = error_of("name = \"x\"\n");
  EXPECT_NE(m.find("no layers"), std::string::npos) << m;
  m = error_of("name = \"x\n");
  EXPECT_NE(m.find("line 1"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>(
      [&] { read_architecture_file(dir_.path() / "missing.toml"); });
  EXPECT_NE(m.find("no such file"), std::string::npos) << m;
}

// The name is a folder of every run of the network: "." and "..", a built-in network's name and
// the suffixes of the reference protocol's and a storage budget's folders would alias another.
TEST_F(ArchitectureFile, NamesThatWouldLeaveOrAliasARunFolderAreRefused) {
  const std::string layers = "\n[[layer]]\nkind = \"relu\"\n";
  for (const char* name : {"..", ".", ".hidden"}) {
    const auto m = error_of(std::string("name = \"") + name + "\"" + layers);
    EXPECT_NE(m.find("may not start with '.'"), std::string::npos) << name << ": " << m;
  }
  for (const char* name : {"all-cnns", "cnns-dense-128-256"}) {
    const auto m = error_of(std::string("name = \"") + name + "\"" + layers);
    EXPECT_NE(m.find("is a built-in network's"), std::string::npos) << name << ": " << m;
  }
  for (const char* name : {"mine-reference", "mine-storage-100"}) {
    const auto m = error_of(std::string("name = \"") + name + "\"" + layers);
    EXPECT_NE(m.find("'-reference' and '-storage-'"), std::string::npos) << name << ": " << m;
  }
  // Dots inside a name stay allowed.
  EXPECT_EQ(read_architecture_file(write("name = \"mine.v2\"" + layers + "[[layer]]\nkind = "
                                         "\"globalavgpool\"\n[[layer]]\nkind = \"dense\"\n"
                                         "units = 0\n")).name,
            "mine.v2");
}

}  // namespace
}  // namespace helmholtz::models
