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
  auto message = testing::error_message_of<core::UsageError>([&] {
    plan(dense_first, {3, 32, 32}, 10);
  });
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
  m = error_of(
      "name = \"x\"\n[[layer]]\nkind = \"relu\"\n[[layer]]\nkind = \"dense\"\nunits = 2\n"
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
  EXPECT_EQ(read_architecture_file(write("name = \"mine.v2\"" + layers +
                                         "[[layer]]\nkind = "
                                         "\"globalavgpool\"\n[[layer]]\nkind = \"dense\"\n"
                                         "units = 0\n"))
                .name,
            "mine.v2");
}

// --- torchvision's ResNets ------------------------------------------------------------------

// torchvision.models.resnet{18,34,50}(num_classes=1000): sum(p.numel() for p in parameters()).
const std::vector<std::int64_t> kTorchvisionCounts = {11689512, 21797672, 25557032};
// Their BatchNorm channels (each with a running mean and variance, which Keras counts too).
const std::vector<std::int64_t> kBatchNormChannels = {4800, 8512, 26560};
const std::vector<std::string> kResNetNames = {"resnet18", "resnet34", "resnet50"};

TEST(ResNets, TrainableCountsAreTorchvisions) {
  const auto& all = residual_architectures();
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name, kResNetNames[i]);
    EXPECT_EQ(all[i].setting, -1);
    EXPECT_EQ(all[i].init, Init::kTorchvision);
    EXPECT_EQ(trainable_parameter_count(all[i], {3, 224, 224}, 1000), kTorchvisionCounts[i])
        << all[i].name;
    EXPECT_EQ(parameter_count(all[i], {3, 224, 224}, 1000),
              kTorchvisionCounts[i] + 2 * kBatchNormChannels[i])
        << all[i].name;
  }
  // The exact figures: resnet18's Keras-style total (running statistics too) and, for CIFAR-10's
  // 10 classes and 32x32 input, what `helmholtz models` lists (a 10-way dense layer instead).
  EXPECT_EQ(parameter_count(all[0], {3, 224, 224}, 1000), 11699112);
  EXPECT_EQ(trainable_parameter_count(all[0], {3, 32, 32}, 10), 11181642);
  EXPECT_EQ(trainable_parameter_count(all[1], {3, 32, 32}, 10), 21289802);
  EXPECT_EQ(trainable_parameter_count(all[2], {3, 32, 32}, 10), 23528522);
  // One input channel: 7 x 7 x 64 x 2 fewer stem weights.
  EXPECT_EQ(trainable_parameter_count(all[0], {1, 32, 32}, 10), 11181642 - 2 * 49 * 64);
}

TEST(ResNets, TheReferenceNetworksKeepTheirCountsAndTrainEveryOne) {
  for (int s = 0; s < 6; ++s) {
    EXPECT_EQ(parameter_count(image_architecture(s), {3, 32, 32}, 10), kCifarCounts[s]);
    EXPECT_EQ(trainable_parameter_count(image_architecture(s), {3, 32, 32}, 10), kCifarCounts[s]);
    EXPECT_EQ(image_architecture(s).init, Init::kKeras);
    EXPECT_EQ(parameter_count(audio_architecture(s), {1, 96, 173}, 12), kAudioCounts[s]);
    // batchnorm-freq over the 94 rows after the first valid conv: its running statistics.
    EXPECT_EQ(trainable_parameter_count(audio_architecture(s), {1, 96, 173}, 12),
              kAudioCounts[s] - 2 * 94);
  }
}

TEST(ResNets, PlanHalvesTheMapFiveTimes) {
  // 224 -> 112 (stem conv) -> 56 (max pooling) -> 56, 28, 14, 7 (the stages) -> 1 (pooled).
  const auto p = plan(residual_architectures()[0], {3, 224, 224}, 1000);
  ASSERT_EQ(p.size(), 14u);
  EXPECT_EQ(p[0].out_height, 112);
  EXPECT_EQ(p[0].out_width, 112);
  EXPECT_EQ(p[0].pad_rows.before, 3);
  EXPECT_EQ(p[0].pad_rows.after, 3);
  EXPECT_EQ(p[0].parameters, 3 * 49 * 64);  // no bias
  EXPECT_EQ(p[1].parameters, 4 * 64);       // gamma, beta, running mean and variance
  EXPECT_EQ(p[1].trainable, 2 * 64);
  EXPECT_EQ(p[3].out_height, 56);
  const std::vector<std::int64_t> sizes = {56, 56, 28, 28, 14, 14, 7, 7};
  const std::vector<std::int64_t> channels = {64, 64, 128, 128, 256, 256, 512, 512};
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    EXPECT_EQ(p[4 + b].spec.kind, LayerKind::kBasicBlock);
    EXPECT_EQ(p[4 + b].out_height, sizes[b]) << b;
    EXPECT_EQ(p[4 + b].out_width, sizes[b]) << b;
    EXPECT_EQ(p[4 + b].out_channels, channels[b]) << b;
    // A projection where the stride or the channels change: the first block of stages 2-4.
    EXPECT_EQ(p[4 + b].projection, b == 2 || b == 4 || b == 6) << b;
  }
  // layer2's first block: 3x3 64->128 (stride 2), 3x3 128->128, 1x1 64->128, three BatchNorms.
  EXPECT_EQ(p[6].trainable, 9 * 64 * 128 + 9 * 128 * 128 + 64 * 128 + 3 * 2 * 128);
  EXPECT_EQ(p[12].out_features, 512);
  EXPECT_EQ(p[13].out_features, 1000);
  EXPECT_EQ(p[13].trainable, 513 * 1000);

  // resnet50: bottlenecks of 4x their filters, a projection in the very first block (64 -> 256).
  const auto q = plan(residual_architectures()[2], {3, 224, 224}, 1000);
  EXPECT_EQ(q[4].spec.kind, LayerKind::kBottleneck);
  EXPECT_TRUE(q[4].projection);
  EXPECT_EQ(q[4].out_channels, 256);
  EXPECT_FALSE(q[5].projection);
  EXPECT_EQ(q[7].out_height, 28);  // layer2's first block: the stride on its 3x3
  EXPECT_EQ(q[q.size() - 2].out_features, 2048);
  // CIFAR-10's 32x32: 16, 8, then 8, 4, 2, 1.
  const auto small = plan(residual_architectures()[0], {3, 32, 32}, 10);
  EXPECT_EQ(small[3].out_height, 8);
  EXPECT_EQ(small[11].out_height, 1);
}

TEST(ResNets, LayerTextSaysTheInitAndEveryLayer) {
  const std::string text = layer_text(residual_architectures()[0]);
  EXPECT_EQ(text.rfind("init(torchvision) conv(k7,f64,s2,p3,nobias) batchnorm relu "
                       "maxpool(k3,s2,p1) basic(f64,s1) basic(f64,s1) basic(f128,s2)",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("basic(f512,s1) globalavgpool dense(classes)"), std::string::npos) << text;
  EXPECT_NE(layer_text(residual_architectures()[2]).find("bottleneck(f64,s1)"), std::string::npos);
  // The reference networks' text, which identities of files hold, says nothing of the init.
  EXPECT_EQ(layer_text(image_architecture(0)).rfind("conv(k3,f32,s1,same) relu", 0), 0u);
}

TEST(ResNets, NamedByModelAmongTheBuiltInNetworksOfTheirKind) {
  EXPECT_EQ(&named_architecture("resnet34", false), &residual_architectures()[1]);
  EXPECT_EQ(&named_architecture("cnns-dense-64", false), &image_architecture(1));
  EXPECT_EQ(&named_architecture("cnn_x3_mlp_0", true), &audio_architecture(0));
  auto m =
      testing::error_message_of<core::UsageError>([] { named_architecture("resnet18", true); });
  EXPECT_NE(m.find("--model 'resnet18' is an image network; the audio networks are cnn_x3_mlp_0"),
            std::string::npos)
      << m;
  m = testing::error_message_of<core::UsageError>([] { named_architecture("resnet101", false); });
  EXPECT_NE(m.find("is no built-in network; the image networks are all-cnns"), std::string::npos)
      << m;
  EXPECT_NE(m.find("resnet18, resnet34, resnet50"), std::string::npos) << m;
  EXPECT_TRUE(is_built_in_name("resnet50"));
  EXPECT_TRUE(is_built_in_name("cnn_x2_mlp_128"));
  EXPECT_FALSE(is_built_in_name("tiny"));
  const auto images = built_in_architectures(false);
  ASSERT_EQ(images.size(), 9u);
  EXPECT_EQ(images[0].name, "all-cnns");
  EXPECT_EQ(images[8].name, "resnet50");
  EXPECT_EQ(built_in_architectures(true).size(), 6u);
}

TEST(ResNets, ABlockThatDoesNotFitIsRefusedNamingTheLayer) {
  LayerSpec block{LayerKind::kBasicBlock};
  block.units = 8;
  LayerSpec out{LayerKind::kDense};
  Architecture after_pool{-1, "after-pool", {LayerSpec{LayerKind::kGlobalAvgPool}, block, out}};
  auto m = testing::error_message_of<core::UsageError>([&] { plan(after_pool, {3, 8, 8}, 10); });
  EXPECT_NE(m.find("'after-pool', layer 2 (basic): a residual block needs a feature map"),
            std::string::npos)
      << m;
  LayerSpec empty{LayerKind::kBottleneck};
  empty.units = 0;
  Architecture no_filters{-1, "no-filters", {empty, LayerSpec{LayerKind::kGlobalAvgPool}, out}};
  m = testing::error_message_of<core::UsageError>([&] { plan(no_filters, {3, 8, 8}, 10); });
  EXPECT_NE(m.find("layer 1 (bottleneck): a residual block needs filters >= 1"), std::string::npos)
      << m;
  LayerSpec pool{LayerKind::kMaxPool};
  pool.kernel = 3;
  pool.stride = 2;
  pool.pad = 2;  // torch allows at most half the kernel
  Architecture wide_pad{-1, "wide-pad", {pool, LayerSpec{LayerKind::kGlobalAvgPool}, out}};
  m = testing::error_message_of<core::UsageError>([&] { plan(wide_pad, {3, 8, 8}, 10); });
  EXPECT_NE(m.find("layer 1 (maxpool): max pooling needs stride >= 1 and padding from 0 to half"),
            std::string::npos)
      << m;
  // The torchvision stem's 7x7 window fits a 1x1 input once padded (1 + 2 * 3 = 7), not a
  // 7x7 window without its padding.
  EXPECT_NO_THROW(plan(residual_architectures()[0], {3, 1, 1}, 10));
  LayerSpec stem{LayerKind::kConv};
  stem.kernel = 7;
  stem.units = 4;
  stem.pad = 2;
  Architecture thin{-1, "thin", {stem, LayerSpec{LayerKind::kGlobalAvgPool}, out}};
  m = testing::error_message_of<core::UsageError>([&] { plan(thin, {3, 2, 2}, 10); });
  EXPECT_NE(m.find("'thin', layer 1 (conv): a 7x7 window does not fit a feature map of 6 pixels"),
            std::string::npos)
      << m;
}

// resnet18 written out as an architecture file: the same layers, text and counts as the
// built-in one.
std::string resnet18_toml(const std::string& name) {
  std::string out = "name = \"" + name + R"("
init = "torchvision"

[[layer]]
kind = "conv"
kernel = 7
filters = 64
stride = 2
padding = "torch"
bias = false

[[layer]]
kind = "batchnorm"

[[layer]]
kind = "relu"

[[layer]]
kind = "maxpool"
size = 3
stride = 2
padding = 1
)";
  for (const int filters : {64, 128, 256, 512}) {
    for (int b = 0; b < 2; ++b) {
      out += "\n[[layer]]\nkind = \"basic\"\nfilters = " + std::to_string(filters) + "\n";
      if (b == 0 && filters > 64) out += "stride = 2\n";
    }
  }
  return out + "\n[[layer]]\nkind = \"globalavgpool\"\n\n[[layer]]\nkind = \"dense\"\nunits = 0\n";
}

TEST_F(ArchitectureFile, ResidualBlocksReadAsTheBuiltInResNet) {
  const auto arch = read_architecture_file(write(resnet18_toml("my-resnet")));
  const auto& built_in = residual_architectures()[0];
  EXPECT_EQ(arch.init, Init::kTorchvision);
  ASSERT_EQ(arch.layers.size(), built_in.layers.size());
  EXPECT_EQ(layer_text(arch), layer_text(built_in));
  EXPECT_EQ(trainable_parameter_count(arch, {3, 224, 224}, 1000), 11689512);
  EXPECT_EQ(parameter_count(arch, {3, 224, 224}, 1000),
            parameter_count(built_in, {3, 224, 224}, 1000));
  EXPECT_EQ(parameter_count(arch, {3, 32, 32}, 10), parameter_count(built_in, {3, 32, 32}, 10));
  // An explicit padding is the same as "torch" for a 7x7 kernel; the init is part of the text.
  std::string explicit_pad = resnet18_toml("my-resnet");
  explicit_pad.replace(explicit_pad.find("\"torch\""), 7, "3");
  explicit_pad.replace(explicit_pad.find("init = \"torchvision\""), 20, "init = \"keras\"");
  const auto keras = read_architecture_file(write(explicit_pad));
  EXPECT_EQ(keras.init, Init::kKeras);
  EXPECT_EQ(layer_text(keras),
            layer_text(built_in).substr(std::string("init(torchvision) ").size()));
}

TEST_F(ArchitectureFile, ResidualKeysAreChecked) {
  auto m = error_of("name = \"x\"\n[[layer]]\nkind = \"basic\"\nstride = 2\n");
  EXPECT_NE(m.find("layer 1: needs 'filters'"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"bottleneck\"\nfilters = 8\nkernel = 3\n");
  EXPECT_NE(m.find("layer 1: unknown key 'kernel' for kind bottleneck"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"basic\"\nfilters = 0\n");
  EXPECT_NE(m.find("filters and stride must be >= 1"), std::string::npos) << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"batchnorm\"\nsize = 3\n");
  EXPECT_NE(m.find("unknown key 'size' for kind batchnorm"), std::string::npos) << m;
  m = error_of(
      "name = \"x\"\n[[layer]]\nkind = \"conv\"\nkernel = 3\nfilters = 2\n"
      "padding = \"full\"\n");
  EXPECT_NE(m.find("padding 'full': use same (TensorFlow's), valid, torch"), std::string::npos)
      << m;
  m = error_of("name = \"x\"\n[[layer]]\nkind = \"conv\"\nkernel = 3\nfilters = 2\nbias = 0\n");
  EXPECT_NE(m.find("'bias' must be true or false"), std::string::npos) << m;
  m = error_of("name = \"x\"\ninit = \"he\"\n[[layer]]\nkind = \"relu\"\n");
  EXPECT_NE(m.find("init: use \"keras\""), std::string::npos) << m;
  m = error_of("name = \"resnet18\"\n[[layer]]\nkind = \"relu\"\n");
  EXPECT_NE(m.find("is a built-in network's"), std::string::npos) << m;
  // A block that does not fit a file's network is named by plan, layer and all.
  const auto arch = read_architecture_file(
      write("name = \"x\"\n[[layer]]\nkind = \"flatten\"\n[[layer]]\nkind = \"basic\"\n"
            "filters = 4\n[[layer]]\nkind = \"dense\"\nunits = 0\n"));
  m = testing::error_message_of<core::UsageError>([&] { plan(arch, {3, 8, 8}, 10); });
  EXPECT_NE(m.find("arch.toml'), layer 2 (basic): a residual block needs a feature map"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace helmholtz::models
