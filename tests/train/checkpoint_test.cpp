// The checkpoint round trip: model, optimizer, epoch, history and identity come back as saved,
// and a checkpoint of other settings is refused, naming them, before any weight is read. Two
// generations: a damaged newest checkpoint is detected by its checksum and resuming falls back
// on the previous one.

#include "helmholtz/train/checkpoint.hpp"

#include <gtest/gtest.h>


#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/run/checkpoint_header.hpp"
#include "helmholtz/models/architecture_file.hpp"
#include "helmholtz/train/network.hpp"
#include "helmholtz/train/setup.hpp"
#include "test_support.hpp"

namespace helmholtz::train {
namespace {

struct Net {
  torch::nn::Sequential model{nullptr};
  std::unique_ptr<Optimizer> optimizer;
};

Net make_net(std::uint64_t seed) {
  torch::manual_seed(seed);
  run::Recipe recipe;  // Keras SGD, the image recipe
  Net n;
  n.model = build(models::read_architecture_file(testing::tiny_architecture()), {3, 8, 8}, 10);
  n.optimizer = make_optimizer(recipe, n.model->parameters());
  return n;
}

void one_step(Net& n) {
  const auto loss = n.model->forward(torch::rand({4, 3, 8, 8})).pow(2).mean();
  n.optimizer->zero_grad();
  loss.backward();
  n.optimizer->step();
}

TEST(Checkpoint, RoundTripsTheStateAndRefusesOtherSettingsFirst) {
  testing::TempDir dir;
  const auto file = dir.path() / "last.pt";
  Net saved = make_net(1);
  one_step(saved);
  TrainState state;
  state.epoch = 2;
  state.best_val_acc = 0.25;
  state.best_epoch = 1;
  state.history = {{1, 2.0, 0.1, 2.1, 0.25, 0.01, 1.5}, {2, 1.5, 0.2, 1.9, 0.2, 0.0099, 1.4}};
  state.identity = "dataset=cifar10;quality=5;lr=0.01";
  // The reference protocol's carried iterator: sample order, batch order, batches done.
  state.iterator = {torch::randperm(10, torch::kInt64), torch::randperm(3, torch::kInt64), 2};
  save_checkpoint({file, dir.path() / "last.pt.prev"}, saved.model, *saved.optimizer, state,
                  torch::kCPU);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "last.pt.tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "last.pt.prev"));  // nothing to keep yet

  // Other settings: refused before the weights are touched.
  Net other = make_net(2);
  const auto before = other.model->parameters().front().clone();
  const auto message = testing::error_message_of<core::UsageError>([&] {
    load_checkpoint(file, other.model, *other.optimizer, torch::kCPU,
                    "dataset=cifar10;quality=50;lr=0.01");
  });
  EXPECT_NE(message.find("quality 5, you asked for quality 50"), std::string::npos) << message;
  EXPECT_TRUE(torch::equal(other.model->parameters().front(), before));

  // The same settings: everything back, and the next step is the one the saved run would take.
  const TrainState loaded =
      load_checkpoint(file, other.model, *other.optimizer, torch::kCPU, state.identity);
  EXPECT_EQ(loaded.epoch, 2);
  EXPECT_EQ(loaded.best_epoch, 1);
  EXPECT_DOUBLE_EQ(loaded.best_val_acc, 0.25);
  ASSERT_EQ(loaded.history.size(), 2u);
  EXPECT_DOUBLE_EQ(loaded.history[1].lr, 0.0099);
  EXPECT_EQ(loaded.identity, state.identity);
  ASSERT_TRUE(loaded.iterator.order.defined());
  EXPECT_TRUE(torch::equal(loaded.iterator.order, state.iterator.order));
  EXPECT_TRUE(torch::equal(loaded.iterator.batches, state.iterator.batches));
  EXPECT_EQ(loaded.iterator.next, 2);
  const auto a = saved.model->parameters();
  const auto b = other.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
  EXPECT_DOUBLE_EQ(other.optimizer->current_lr(), saved.optimizer->current_lr());
  torch::manual_seed(9);
  one_step(saved);
  torch::manual_seed(9);
  one_step(other);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::allclose(a[i], b[i])) << i;
}

TrainState state_of_epoch(int epoch) {
  TrainState s;
  s.epoch = epoch;
  s.identity = "dataset=cifar10;quality=5";
  for (int e = 1; e <= epoch; ++e) s.history.push_back({e, 1.0 / e, 0.1, 1.0, 0.1, 0.01, 1.0});
  return s;
}

TEST(Checkpoint, TheFrameCarriesEpochAndIdentityAndAChecksumOverTheArchive) {
  testing::TempDir dir;
  const CheckpointFiles files{dir.path() / "last.pt", dir.path() / "last.pt.prev"};
  Net net = make_net(1);
  save_checkpoint(files, net.model, *net.optimizer, state_of_epoch(3), torch::kCPU);
  const auto bytes = core::read_file_bytes(files.newest);
  const auto header = run::read_checkpoint_header(bytes.data(), bytes.size(), "last.pt");
  EXPECT_EQ(header.epoch, 3);
  EXPECT_EQ(header.identity, "dataset=cifar10;quality=5");
  // The archive inside is torch's zip, and the frame is that plus what it adds, no more.
  ASSERT_GT(header.archive_bytes, 4u);
  EXPECT_EQ(header.archive[0], 'P');
  EXPECT_EQ(header.archive[1], 'K');
  const std::string header_json = R"({"epoch":3,"format":1,"identity":"dataset=cifar10;quality=5"})";
  EXPECT_EQ(bytes.size(), 32u + header_json.size() + header.archive_bytes + 4u);

  testing::flip_byte(files.newest, static_cast<std::streamoff>(bytes.size() / 2), 0x20);
  Net other = make_net(2);
  const auto message = testing::error_message_of<core::DataError>([&] {
    load_checkpoint(files.newest, other.model, *other.optimizer, torch::kCPU,
                    "dataset=cifar10;quality=5");
  });
  EXPECT_NE(message.find("last.pt' is damaged (checksum mismatch)"), std::string::npos)
      << message;
}

TEST(Checkpoint, ADamagedNewestFallsBackOnThePreviousGenerationAndIsSetAside) {
  testing::TempDir dir;
  const CheckpointFiles files{dir.path() / "last.pt", dir.path() / "last.pt.prev"};
  Net net = make_net(1);
  save_checkpoint(files, net.model, *net.optimizer, state_of_epoch(1), torch::kCPU);
  one_step(net);
  const auto weights_of_2 = net.model->parameters().front().clone();
  save_checkpoint(files, net.model, *net.optimizer, state_of_epoch(2), torch::kCPU);
  one_step(net);
  save_checkpoint(files, net.model, *net.optimizer, state_of_epoch(3), torch::kCPU);
  // Two generations, the newest the last saved.
  {
    Net probe = make_net(3);
    EXPECT_EQ(load_checkpoint(files.previous, probe.model, *probe.optimizer, torch::kCPU,
                              "dataset=cifar10;quality=5")
                  .epoch,
              2);
  }
  const auto size = std::filesystem::file_size(files.newest);
  std::filesystem::resize_file(files.newest, size - 100);  // a torn write

  Net resumed = make_net(4);
  const Resumed r = resume_from(files, resumed.model, *resumed.optimizer, torch::kCPU,
                                "dataset=cifar10;quality=5");
  EXPECT_TRUE(r.fell_back);
  EXPECT_EQ(r.from, files.previous);
  EXPECT_EQ(r.state.epoch, 2);
  ASSERT_EQ(r.state.history.size(), 2u);  // the epoch of the damaged file is dropped
  EXPECT_NE(r.newest_problem.find("last.pt' is damaged"), std::string::npos) << r.newest_problem;
  EXPECT_TRUE(torch::equal(resumed.model->parameters().front(), weights_of_2));
  EXPECT_FALSE(std::filesystem::exists(files.newest));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "last.pt.damaged"));
  // The next save keeps the good generation as the previous one.
  save_checkpoint(files, resumed.model, *resumed.optimizer, state_of_epoch(3), torch::kCPU);
  Net probe = make_net(5);
  EXPECT_EQ(load_checkpoint(files.previous, probe.model, *probe.optimizer, torch::kCPU,
                            "dataset=cifar10;quality=5")
                .epoch,
            2);
}

TEST(Checkpoint, NeitherGenerationReadableIsOneErrorNamingBoth) {
  testing::TempDir dir;
  const CheckpointFiles files{dir.path() / "last.pt", dir.path() / "last.pt.prev"};
  core::write_file_atomic(files.newest, std::string("HELMHOLTZ-CKPT1\nnot really"));
  core::write_file_atomic(files.previous, std::string("garbage"));
  Net net = make_net(1);
  const auto message = testing::error_message_of<core::RunError>([&] {
    resume_from(files, net.model, *net.optimizer, torch::kCPU, "dataset=cifar10;quality=5");
  });
  EXPECT_NE(message.find("last.pt'"), std::string::npos) << message;
  EXPECT_NE(message.find("last.pt.prev'"), std::string::npos) << message;
  EXPECT_NE(message.find("--log-dir"), std::string::npos) << message;
}

TEST(Checkpoint, BestWeightsRecordTheirEpochAndKeepThePreviousGeneration) {
  testing::TempDir dir;
  const auto best = dir.path() / "best.pt";
  const auto previous = dir.path() / "best.pt.prev";
  Net net = make_net(1);
  save_weights(best, net.model, 2, previous);
  save_weights(best, net.model, 5, previous);
  EXPECT_EQ(weights_epoch(best), 5);
  EXPECT_EQ(weights_epoch(previous), 2);
  // A weights file still loads into a fresh network: the epoch is an extra entry.
  Net other = make_net(2);
  load_weights(best, other.model);
  EXPECT_TRUE(torch::equal(other.model->parameters().front(), net.model->parameters().front()));
}

}  // namespace
}  // namespace helmholtz::train
