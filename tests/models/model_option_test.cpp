// --model: a built-in network chosen by name, beside --setting and --architecture. A network of
// the six settings named by --model is the same run as by --setting; a ResNet's run has no
// setting; the option round-trips through config.toml and conflicts are usage errors.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "helmholtz/core/error.hpp"
#include "helmholtz/models/architecture.hpp"
#include "helmholtz/run/settings_file.hpp"
#include "helmholtz/run/spec.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {

using testing::finalized;
using testing::value_of;

TEST(ModelOption, NamesASettingAsTheSameRun) {
  const RunSpec by_setting = finalized({{"setting", "1"}});
  const RunSpec by_name = finalized({{"model", "cnns-dense-64"}});
  EXPECT_EQ(by_name.recipe.setting, 1);
  EXPECT_EQ(identity(by_name), identity(by_setting));
  EXPECT_EQ(value_of(identity(by_name), "setting"), "1");
  // Both given and agreeing is fine.
  EXPECT_EQ(identity(finalized({{"model", "cnns-dense-64"}, {"setting", "1"}})),
            identity(by_setting));
  // A run chosen by --setting writes no model key: configs of existing runs read as before.
  EXPECT_EQ(to_toml(by_setting).find("model ="), std::string::npos);
}

TEST(ModelOption, AResNetRunHasNoSetting) {
  const RunSpec s = finalized({{"model", "resnet18"}});
  EXPECT_EQ(s.recipe.architecture.name, "resnet18");
  EXPECT_EQ(s.recipe.architecture.init, models::Init::kTorchvision);
  const Identity id = identity(s);
  EXPECT_EQ(value_of(id, "model"), "resnet18");
  EXPECT_EQ(value_of(id, "setting"), "(none)");
  EXPECT_NE(to_toml(s).find("model = \"resnet18\"\n"), std::string::npos) << to_toml(s);
  EXPECT_EQ(to_toml(s).find("setting ="), std::string::npos) << to_toml(s);
  // Two ResNets are two runs.
  const auto d = compare(id, identity(finalized({{"model", "resnet34"}})));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].key, "model");
}

TEST(ModelOption, RoundTripsThroughTheConfigFile) {
  testing::TempDir dir;
  for (const char* model : {"resnet50", "all-cnnsx2"}) {
    const RunSpec s = finalized({{"model", model}, {"seed", "3"}});
    const auto file = dir.path() / "config.toml";
    std::ofstream(file) << to_toml(s);
    RunSpec back;
    Given given;
    for (const auto& [key, value] : read_settings_file(file, "train")) {
      find_field(key)->set(back, value);
      given.insert(key);
    }
    finalize(back, given);
    EXPECT_EQ(identity(back), identity(s)) << model;
    EXPECT_EQ(to_toml(back), to_toml(s)) << model;
  }
}

TEST(ModelOption, ConflictsAreUsageErrors) {
  auto m = testing::error_message_of<core::UsageError>([] {
    finalized({{"model", "resnet18"}, {"setting", "2"}});
  });
  EXPECT_EQ(m,
            "--model resnet18 and --setting 2 disagree: resnet18 is none of the settings; give "
            "one of them");
  m = testing::error_message_of<core::UsageError>([] {
    finalized({{"model", "all-cnns"}, {"setting", "2"}});
  });
  EXPECT_NE(m.find("all-cnns is setting 0"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([] {
    finalized({{"model", "resnet18"}, {"architecture", testing::tiny_architecture().string()}});
  });
  EXPECT_NE(m.find("--model and --architecture both given"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([] { finalized({{"model", "resnet152"}}); });
  EXPECT_NE(m.find("--model 'resnet152' is no built-in network"), std::string::npos) << m;
  m = testing::error_message_of<core::UsageError>([] {
    finalized({{"dataset", "audio-effects"}, {"bitrate", "64"}, {"model", "resnet18"}});
  });
  EXPECT_NE(m.find("is an image network"), std::string::npos) << m;
  // The audio networks go by name too.
  const RunSpec audio =
      finalized({{"dataset", "audio-effects"}, {"bitrate", "64"}, {"model", "cnn_x3_mlp_128"}});
  EXPECT_EQ(audio.recipe.setting, 3);
}

}  // namespace
}  // namespace helmholtz::run
