// The CLI's edges through the binary: bad options and data give one clear line and a non-zero
// exit, `models` lists the reference counts (or a file's), `compress` reports both splits.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "helmholtz/data/synthetic.hpp"
#include "test_support.hpp"

namespace helmholtz::commands {
namespace {
namespace fs = std::filesystem;

TEST(Cli, BadOptionsGiveOneClearLineAndNonZeroExit) {
  struct Case {
    std::string args, expect;
  };
  for (const Case& c :
       {Case{"train --quality 0", "--quality"}, Case{"train --quality 101", "--quality"},
        Case{"train --setting 6", "--setting"}, Case{"train --dataset imagenet", "unknown dataset"},
        Case{"train --device tpu", "--device"}, Case{"compress --quality abc", "--quality"}}) {
    const auto r = testing::run_helmholtz(c.args + " --data-dir /nonexistent");
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << ": " << r.output;
    EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
  }
}

TEST(Cli, MissingDatasetNamesFolderAndFetchCommand) {
  testing::TempDir logs;
  const auto r = testing::run_helmholtz(
      "train --quality 5 --setting 0 --data-dir /nonexistent/cifar --log-root '" +
      logs.path().string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/cifar"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fetch-cifar10.sh"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fashion-mnist"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(logs.path())) << "a failed start must not leave run folders";
}

TEST(Cli, CorruptDatasetFileIsReportedNotCrashed) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 50, 10, 1);
  {
    std::ofstream f(dir.path() / "data_batch_3.bin", std::ios::binary | std::ios::app);
    f << "xyz";  // no longer a multiple of 3,073 bytes
  }
  const auto r = testing::run_helmholtz("compress --dataset cifar10 --quality 5 --data-dir '" +
                                        dir.path().string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("data_batch_3.bin"), std::string::npos) << r.output;
}

TEST(Cli, ModelsCsvListsTheReferenceCounts) {
  const auto r = testing::run_helmholtz("models --dataset cifar10 --csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "setting,name,parameters\n0,all-cnns,701386\n1,cnns-dense-64,1079562\n"
            "2,all-cnnsx2,1144138\n3,cnns-x2-dense-128,1276618\n4,cnns-dense-128,1620298\n"
            "5,cnns-dense-128-256,1686090\n-,resnet18,11191242\n-,resnet34,21306826\n"
            "-,resnet50,23581642\n");
}

// One network by name; the text table adds the trainable count (torchvision's, less the
// 1000-way dense layer's difference: 11,689,512 - 990 x 513 for resnet18).
TEST(Cli, ModelsListsOneNetworkByName) {
  auto r = testing::run_helmholtz("models --dataset cifar10 --model resnet18");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("resnet18                 11191242     11181642"), std::string::npos)
      << r.output;
  r = testing::run_helmholtz("models --dataset audio-effects --model resnet18");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is an image network"), std::string::npos) << r.output;
}

TEST(Cli, ModelsListsAnArchitectureFileWithItsCount) {
  const auto r = testing::run_helmholtz("models --csv --dataset fashion-mnist --architecture '" +
                                        testing::tiny_architecture().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // conv 1*9*8+8, conv 8*9*16+16, dense 16*10+10.
  EXPECT_EQ(r.output, "setting,name,parameters\nfile,tiny,1418\n");
}

TEST(Cli, ModelsCsvListsTheReferenceAudioCounts) {
  const auto r = testing::run_helmholtz("models --dataset audio-effects --csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "setting,name,parameters\n0,cnn_x3_mlp_0,101412\n1,cnn_x4_mlp_128,170436\n"
            "2,cnn_x3_mlp_64_128,427492\n3,cnn_x3_mlp_128,808356\n4,cnn_x3_mlp_128x2,824868\n"
            "5,cnn_x2_mlp_128,3715460\n");
}

// Under the corrected protocol compress codes what train would: the training split less the
// validation images held out of it (a tenth by default: 5 of 50), the held-out ones, the test.
TEST(Cli, CompressJsonReportsEverySplit) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 50, 20, 2);
  const auto r = testing::run_helmholtz(
      "compress --dataset cifar10 --quality 10 --json --data-dir '" + dir.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["train"]["images"].get<int>(), 45);
  EXPECT_EQ(j["validation"]["images"].get<int>(), 5);
  EXPECT_EQ(j["test"]["images"].get<int>(), 20);
  EXPECT_GT(j["train"]["mean_bytes"].get<double>(), 100.0);
  EXPECT_LT(j["train"]["mean_bytes"].get<double>(), 3072.0);
  EXPECT_NEAR(j["train"]["bits_per_pixel"].get<double>(),
              j["train"]["mean_bytes"].get<double>() * 8 / 1024, 1e-9);
}

// `compress --protocol reference` codes the images transposed, as the reference did: other
// bytes for the same pixels, and the protocol in the figures.
TEST(Cli, CompressUnderTheReferenceProtocolCodesTransposed) {
  testing::TempDir dir;
  data::write_pattern_cifar10(dir.path(), 50, 20, 2);
  const std::string base =
      "compress --dataset cifar10 --quality 25 --json --data-dir '" + dir.path().string() + "'";
  const auto corrected = testing::run_helmholtz(base);
  const auto reference = testing::run_helmholtz(base + " --protocol reference");
  ASSERT_EQ(corrected.exit_code, 0) << corrected.output;
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const auto c = nlohmann::json::parse(corrected.output);
  const auto r = nlohmann::json::parse(reference.output);
  EXPECT_EQ(c["protocol"], "corrected");
  EXPECT_EQ(r["protocol"], "reference");
  EXPECT_NE(c["train"]["mean_bytes"].get<double>(), r["train"]["mean_bytes"].get<double>());
  const auto bad = testing::run_helmholtz(base + " --protocol keras");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--protocol 'keras': use corrected, reference"), std::string::npos)
      << bad.output;
}

// doctor on the CPU: the versions, each check's line (the GPU-only ones say why they are
// skipped), the throughput, the JSON beside it, exit 0.
TEST(Cli, DoctorRunsTheChecksThatApplyOnTheCpu) {
  testing::TempDir dir;
  const auto json = dir.path() / "doctor.json";
  const auto r = testing::run_helmholtz(
      "doctor --device cpu --threads 1 --images 64 --architecture " +
      testing::quoted(testing::tiny_architecture()) + " --json " + testing::quoted(json));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"device  cpu (1 threads)", "torch   ", "ok    bf16", "ok    channels-last",
                           "ok    checkpoint", "skip  cuda-graphs", "skip  augmentation",
                           "speed   tiny, fp32: ", "all 3 checks that apply passed (2 skipped)"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
  const auto j = nlohmann::json::parse(testing::read_text(json));
  EXPECT_EQ(j.at("device"), "cpu");
  ASSERT_EQ(j.at("checks").size(), 5u);
  std::vector<std::string> names;
  for (const auto& c : j.at("checks")) names.push_back(c.at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"cuda-graphs", "bf16", "augmentation",
                                             "channels-last", "checkpoint"}));
  EXPECT_EQ(j.at("checks")[1].at("status"), "ok");
  EXPECT_EQ(j.at("checks")[1].at("avoid"), "--precision fp32");
  EXPECT_GT(j.at("throughput").at("images_per_second").get<double>(), 0.0);
  EXPECT_EQ(j.at("throughput").at("model"), "tiny");
}

}  // namespace
}  // namespace helmholtz::commands
