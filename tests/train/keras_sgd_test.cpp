#include "helmholtz/train/keras_sgd.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "train/optimizer_state.hpp"

namespace helmholtz::train {
namespace {

// A scalar parameter with loss p^2 / 2 (gradient = p), stepped by hand with Keras' formulas.
TEST(KerasSgd, MatchesKerasNesterovWithDecay) {
  auto p = torch::tensor({1.0}, torch::kFloat64).requires_grad_(true);
  KerasSgd sgd({p}, 0.1, 0.9, true, 0.5);
  double pe = 1.0, v = 0.0;
  for (int t = 0; t < 4; ++t) {
    const double lr = 0.1 / (1.0 + 0.5 * t);
    EXPECT_DOUBLE_EQ(sgd.current_lr(), lr);
    sgd.zero_grad();
    (p * p / 2).sum().backward();
    sgd.step();
    const double g = pe;
    v = 0.9 * v - lr * g;
    pe = pe + 0.9 * v - lr * g;
    EXPECT_NEAR(p.item<double>(), pe, 1e-12) << "step " << t;
  }
  EXPECT_EQ(sgd.iterations(), 4);
}

TEST(KerasSgd, PlainMomentumAddsVelocity) {
  auto p = torch::tensor({2.0}, torch::kFloat64).requires_grad_(true);
  KerasSgd sgd({p}, 0.5, 0.5, false, 0.0);
  double pe = 2.0, v = 0.0;
  for (int t = 0; t < 3; ++t) {
    sgd.zero_grad();
    (p * p / 2).sum().backward();
    sgd.step();
    v = 0.5 * v - 0.5 * pe;
    pe += v;
    EXPECT_NEAR(p.item<double>(), pe, 1e-12);
  }
}

TEST(KerasSgd, SaveLoadRestoresVelocityAndStep) {
  auto p = torch::tensor({1.0, -2.0}, torch::kFloat64).requires_grad_(true);
  KerasSgd a({p}, 0.1, 0.9, true, 1e-3);
  for (int t = 0; t < 3; ++t) {
    a.zero_grad();
    (p * p).sum().backward();
    a.step();
  }
  auto q = p.detach().clone().requires_grad_(true);
  KerasSgd b({q}, 0.1, 0.9, true, 1e-3);
  testing::copy_state(a, b);
  EXPECT_EQ(b.iterations(), 3);
  EXPECT_DOUBLE_EQ(b.current_lr(), a.current_lr());
  for (auto* s : {&a, &b}) {
    s->zero_grad();
  }
  (p * p).sum().backward();
  (q * q).sum().backward();
  a.step();
  b.step();
  EXPECT_TRUE(torch::allclose(p, q));
}

}  // namespace
}  // namespace helmholtz::train
