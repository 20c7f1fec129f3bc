// The checkpoint round trip: model, optimizer, epoch, history and identity come back as saved,
// and a checkpoint of other settings is refused, naming them, before any weight is read.

#include "helmholtz/train/checkpoint.hpp"

#include <gtest/gtest.h>

#include "helmholtz/core/error.hpp"
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
  save_checkpoint(file, saved.model, *saved.optimizer, state, torch::kCPU);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "last.pt.tmp"));

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

}  // namespace
}  // namespace helmholtz::train
