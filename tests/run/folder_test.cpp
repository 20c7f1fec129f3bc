// The run folder: its layout and its state against the run a command asks for.

#include "helmholtz/run/folder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {
namespace fs = std::filesystem;

RunSpec spec_with(const Given& given, const std::vector<std::pair<std::string, std::string>>& kv) {
  RunSpec s;
  for (const auto& [k, v] : kv) find_field(k)->set(s, v);
  finalize(s, given);
  return s;
}

TEST(RunFolderLayout, DatasetModelLevelAndSeed) {
  EXPECT_EQ(run_directory(spec_with({}, {})), fs::path("logs/cifar10/all-cnns/quality_5"));
  EXPECT_EQ(run_directory(spec_with({"dataset"}, {{"dataset", "fashion-mnist"}})),
            fs::path("logs/fashion-mnist/all-cnns/quality_5"));
  EXPECT_EQ(run_directory(spec_with({"seed", "setting", "quality"},
                                    {{"seed", "3"}, {"setting", "1"}, {"quality", "raw"}})),
            fs::path("logs/cifar10/cnns-dense-64/quality_raw/seed_3"));
  EXPECT_EQ(run_directory(spec_with({"dataset", "bitrate"},
                                    {{"dataset", "audio-effects"}, {"bitrate", "32"}})),
            fs::path("logs/audio-effects/cnn_x3_mlp_0/bitrate_32"));
  EXPECT_EQ(run_directory(spec_with({"log-dir"}, {{"log-dir", "here"}})), fs::path("here"));
}

class RunFolderState : public ::testing::Test {
 protected:
  void write_summary(const Identity& id, bool finished, int epochs, bool schema = true) {
    Summary m = testing::sample_summary(id);
    m.finished = finished;
    m.status = finished ? RunStatus::kFinished : RunStatus::kRunning;
    m.epochs_completed = epochs;
    nlohmann::json j = to_json(m);
    if (!schema) j.erase("schema");
    std::ofstream(folder_.summary()) << j.dump();
  }
  void touch(const fs::path& file) { std::ofstream(file) << "x"; }

  testing::TempDir dir_;
  RunFolder folder_{dir_.path()};
  Identity wanted_ = identity(spec_with({}, {}));
};

TEST_F(RunFolderState, FreshInterruptedFinished) {
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kFresh);
  write_summary(wanted_, false, 1);
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kFresh);  // no checkpoint yet
  touch(folder_.checkpoint());
  const auto interrupted = folder_.status(wanted_, 3);
  EXPECT_EQ(interrupted.state, FolderState::kInterrupted);
  EXPECT_EQ(interrupted.epochs_completed, 1);
  EXPECT_NE(folder_.refusal(interrupted, 3).find("(1 of 3 epochs); add --resume"),
            std::string::npos);
  write_summary(wanted_, true, 3);
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kInterrupted);  // no model.pt
  touch(folder_.final_weights());
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kFinished);
  EXPECT_EQ(folder_.status(wanted_, 2).state, FolderState::kFinished);
  // More epochs on a finished run: it continues from its checkpoint.
  const auto more = folder_.status(wanted_, 5);
  EXPECT_EQ(more.state, FolderState::kInterrupted);
  EXPECT_NE(folder_.refusal(more, 5).find("finished after 3 epochs; add --resume to train it on "
                                          "to 5"),
            std::string::npos)
      << folder_.refusal(more, 5);
}

TEST_F(RunFolderState, OtherSettingsAreAMismatchNamingEachDifference) {
  write_summary(wanted_, true, 3);
  touch(folder_.checkpoint());
  touch(folder_.final_weights());
  Identity other = identity(spec_with({"lr", "quality"}, {{"lr", "0.5"}, {"quality", "50"}}));
  const auto s = folder_.status(other, 3);
  ASSERT_EQ(s.state, FolderState::kMismatch);  // never "finished"
  ASSERT_EQ(s.differences.size(), 2u);
  const auto message = folder_.refusal(s, 3);
  EXPECT_NE(message.find("this folder holds quality 5, you asked for quality 50; lr 0.01, you "
                         "asked for lr 0.5"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--log-dir or --log-root"), std::string::npos) << message;
}

TEST_F(RunFolderState, OlderSchemaIsSaidPlainly) {
  write_summary(wanted_, true, 3, /*schema=*/false);
  const auto s = folder_.status(wanted_, 3);
  ASSERT_EQ(s.state, FolderState::kOldSchema);
  EXPECT_NE(folder_.refusal(s, 3).find("written by an older helmholtz"), std::string::npos);
  EXPECT_THROW(folder_.read_summary(), core::DataError);
  // A damaged summary beside a checkpoint: the checkpoint's own identity decides on resume.
  std::ofstream(folder_.summary()) << "{not json";
  touch(folder_.checkpoint());
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kInterrupted);
}

TEST_F(RunFolderState, ADivergedRunIsAStateOfItsOwnNamingItsEpoch) {
  Summary m = testing::sample_summary(wanted_);
  m.finished = false;
  m.epochs_completed = 4;
  m.status = RunStatus::kDiverged;
  m.diverged_epoch = 4;
  std::ofstream(folder_.summary()) << to_json(m).dump();
  touch(folder_.checkpoint());
  const auto s = folder_.status(wanted_, 10);
  ASSERT_EQ(s.state, FolderState::kDiverged);
  EXPECT_EQ(s.diverged_epoch, 4);
  const auto message = folder_.refusal(s, 10);
  EXPECT_NE(message.find("diverged at epoch 4"), std::string::npos) << message;
  EXPECT_NE(message.find("--resume --on-divergence continue"), std::string::npos) << message;
  // Other settings still come first: a diverged run of another lr is a mismatch.
  Identity other = identity(spec_with({"lr"}, {{"lr", "0.5"}}));
  EXPECT_EQ(folder_.status(other, 10).state, FolderState::kMismatch);
}

TEST_F(RunFolderState, OnlyThePreviousCheckpointIsStillAnInterruptedRun) {
  // A process killed between the two renames of a checkpoint save leaves last.pt.prev alone.
  write_summary(wanted_, false, 2);
  touch(folder_.previous_checkpoint());
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kInterrupted);
}

TEST_F(RunFolderState, ARunStoppedEarlyIsFinishedAtFewerEpochs) {
  Summary m = testing::sample_summary(wanted_);
  m.epochs_completed = 7;
  m.patience = 3;
  m.stopped_early = true;
  std::ofstream(folder_.summary()) << to_json(m).dump();
  touch(folder_.checkpoint());
  touch(folder_.final_weights());
  EXPECT_EQ(folder_.status(wanted_, 30).state, FolderState::kFinished);
  m.stopped_early = false;  // the same epochs without early stopping: it has more to train
  std::ofstream(folder_.summary()) << to_json(m).dump();
  EXPECT_EQ(folder_.status(wanted_, 30).state, FolderState::kInterrupted);
}

TEST_F(RunFolderState, ADamagedFieldStillLetsTheIdentityDecide) {
  const auto write = [&](const Identity& id, const std::function<void(nlohmann::json&)>& damage) {
    nlohmann::json j = to_json(testing::sample_summary(id));
    damage(j);
    std::ofstream(folder_.summary()) << j.dump();
  };
  // This run's summary with a field broken: rewritten from the checkpoint, or trained afresh.
  write(wanted_, [](nlohmann::json& j) { j["wall_seconds"] = "long"; });
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kFresh);
  touch(folder_.checkpoint());
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kInterrupted);
  // Another run's, with a field broken: still a run of other settings, never overwritten.
  const Identity other = identity(spec_with({"lr"}, {{"lr", "0.5"}}));
  write(other, [](nlohmann::json& j) { j.erase("test_best"); });
  EXPECT_EQ(folder_.status(wanted_, 3).state, FolderState::kMismatch);
  // An identity that does not read: refused, saying the summary is damaged.
  write(wanted_, [](nlohmann::json& j) {
    j["identity"] = 7;
    j.erase("level");
  });
  const auto s = folder_.status(wanted_, 3);
  ASSERT_EQ(s.state, FolderState::kOldSchema);
  EXPECT_NE(folder_.refusal(s, 3).find("holds a damaged summary"), std::string::npos)
      << folder_.refusal(s, 3);
}

TEST(RunSummary, RoundTripsEveryField) {
  // A whole identity, as train writes it (an older one reads back with the defaults of its
  // time added: StoredIdentitiesWithoutProtocolReadAsCorrected).
  Summary m = testing::sample_summary(identity(spec_with({}, {})));
  m.stop_signal = "SIGTERM";
  m.diverged_epoch = 2;
  m.validation_data = ValidationData::kTest;
  m.protocol = Protocol::kReference;
  m.predictions = "predictions/quality_5.csv";
  m.distortion_db.reset();
  m.test_last.reset();
  const Summary back = summary_from_json(to_json(m), "summary.json");
  EXPECT_EQ(to_json(back), to_json(m));
  EXPECT_EQ(back.identity, m.identity);
  EXPECT_EQ(back.validation_data, ValidationData::kTest);
  EXPECT_EQ(back.test_best->epoch, 3);
  EXPECT_FALSE(back.test_last.has_value());
}

TEST(RunSummary, ADamagedFieldIsNamedWithItsFile) {
  nlohmann::json j = to_json(testing::sample_summary());
  j["test_best"]["acc"] = "high";
  auto message = testing::error_message_of<core::DataError>(
      [&] { summary_from_json(j, "runs/a/summary.json"); });
  EXPECT_NE(message.find("'runs/a/summary.json': \"test_best.acc\" is not a number"),
            std::string::npos)
      << message;
  j = to_json(testing::sample_summary());
  j.erase("validation_data");
  message = testing::error_message_of<core::DataError>([&] { summary_from_json(j, "s.json"); });
  EXPECT_NE(message.find("\"validation_data\" is missing"), std::string::npos) << message;
  j = to_json(testing::sample_summary());
  j["schema"] = 2;
  message = testing::error_message_of<core::DataError>([&] { summary_from_json(j, "s.json"); });
  EXPECT_NE(message.find("has summary schema 2; this helmholtz reads schema 3"),
            std::string::npos)
      << message;
}

TEST(RunStatusWords, RoundTripAndRefuseOthers) {
  for (const auto s : {RunStatus::kRunning, RunStatus::kFinished, RunStatus::kInterrupted,
                       RunStatus::kDiverged}) {
    EXPECT_EQ(parse_run_status(to_string(s)), s);
  }
  EXPECT_THROW(parse_run_status("done"), core::DataError);
}

TEST(RunFolderClaim, RemovesTheTemporaryFilesAKilledProcessLeft) {
  testing::TempDir dir;
  const fs::path run = dir.path() / "run";
  fs::create_directories(run);
  std::ofstream(run / "last.pt.tmp") << "half a checkpoint";
  std::ofstream(run / "summary.json") << "{}";
  {
    RunFolder::Claim claim{RunFolder(run)};
    claim.keep();
  }
  EXPECT_FALSE(fs::exists(run / "last.pt.tmp"));
  EXPECT_TRUE(fs::exists(run / "summary.json"));
}

TEST(RunFolderClaim, RemovesWhatItMadeUnlessKept) {
  testing::TempDir dir;
  const fs::path run = dir.path() / "a" / "b" / "run";
  { RunFolder::Claim claim{RunFolder(run)}; EXPECT_TRUE(fs::exists(run / ".lock")); }
  EXPECT_FALSE(fs::exists(dir.path() / "a"));
  {
    RunFolder::Claim claim{RunFolder(run)};
    claim.keep();
  }
  EXPECT_TRUE(fs::exists(run));
}

}  // namespace
}  // namespace helmholtz::run
