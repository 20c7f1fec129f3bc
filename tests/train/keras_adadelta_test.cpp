#include "helmholtz/train/keras_adadelta.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "helmholtz/core/error.hpp"
#include "helmholtz/train/keras_sgd.hpp"
#include "train/optimizer_state.hpp"

namespace helmholtz::train {
namespace {

// A scalar parameter with loss p^2 / 2 (gradient = p), stepped by hand with Keras' formulas.
TEST(KerasAdadelta, MatchesKerasStepsWithDefaults) {
  auto p = torch::tensor({1.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta adadelta({p});
  EXPECT_DOUBLE_EQ(adadelta.current_lr(), 1.0);
  const double rho = 0.95, eps = 1e-7;
  double pe = 1.0, a = 0.0, d = 0.0;
  for (int t = 0; t < 5; ++t) {
    adadelta.zero_grad();
    (p * p / 2).sum().backward();
    adadelta.step();
    const double g = pe;
    a = rho * a + (1 - rho) * g * g;
    const double update = g * std::sqrt(d + eps) / std::sqrt(a + eps);
    pe -= 1.0 * update;
    d = rho * d + (1 - rho) * update * update;
    EXPECT_NEAR(p.item<double>(), pe, 1e-14) << "step " << t;
  }
  EXPECT_EQ(adadelta.iterations(), 5);
}

TEST(KerasAdadelta, FirstStepByHand) {
  // g = 1: a = 0.05, update = sqrt(1e-7) / sqrt(0.05 + 1e-7), p = 1 - update.
  auto p = torch::tensor({1.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta adadelta({p});
  (p * p / 2).sum().backward();
  adadelta.step();
  EXPECT_NEAR(p.item<double>(), 1.0 - std::sqrt(1e-7) / std::sqrt(0.05 + 1e-7), 1e-15);
}

TEST(KerasAdadelta, LearningRateAndRhoAreUsed) {
  auto p = torch::tensor({2.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta adadelta({p}, 0.5, 0.9, 1e-6);
  double pe = 2.0, a = 0.0, d = 0.0;
  for (int t = 0; t < 3; ++t) {
    adadelta.zero_grad();
    (p * p / 2).sum().backward();
    adadelta.step();
    const double g = pe;
    a = 0.9 * a + 0.1 * g * g;
    const double update = g * std::sqrt(d + 1e-6) / std::sqrt(a + 1e-6);
    pe -= 0.5 * update;
    d = 0.9 * d + 0.1 * update * update;
    EXPECT_NEAR(p.item<double>(), pe, 1e-14) << "step " << t;
  }
}

TEST(KerasAdadelta, SaveLoadRestoresAccumulatorsAndStep) {
  auto p = torch::tensor({1.0, -2.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta a({p});
  for (int t = 0; t < 3; ++t) {
    a.zero_grad();
    (p * p).sum().backward();
    a.step();
  }
  auto q = p.detach().clone().requires_grad_(true);
  KerasAdadelta b({q});
  testing::copy_state(a, b);
  EXPECT_EQ(b.iterations(), 3);
  for (int t = 0; t < 2; ++t) {
    a.zero_grad();
    b.zero_grad();
    (p * p).sum().backward();
    (q * q).sum().backward();
    a.step();
    b.step();
  }
  EXPECT_TRUE(torch::equal(p, q));
  // A fresh optimizer stepped from the same point differs: the state mattered.
  auto r = torch::tensor({1.0, -2.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta c({r});
  (r * r).sum().backward();
  c.step();
  EXPECT_FALSE(torch::allclose(r, p));
}

TEST(KerasAdadelta, LoadRejectsMismatchedState) {
  auto p = torch::zeros({3}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta a({p});
  torch::serialize::OutputArchive out;
  a.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  auto q = torch::zeros({4}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta b({q});
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  EXPECT_THROW(b.load(in), core::RunError);

  // An SGD state is not an Adadelta state.
  KerasSgd sgd({p}, 0.1, 0.9, true, 0.0);
  torch::serialize::OutputArchive sgd_out;
  sgd.save(sgd_out);
  std::stringstream sgd_buffer;
  sgd_out.save_to(sgd_buffer);
  KerasAdadelta c({p});
  torch::serialize::InputArchive sgd_in;
  sgd_in.load_from(sgd_buffer);
  EXPECT_THROW(c.load(sgd_in), core::RunError);
}

TEST(KerasAdadelta, UsableThroughTheOptimizerInterface) {
  auto p = torch::tensor({1.0}, torch::kFloat64).requires_grad_(true);
  KerasAdadelta adadelta({p});
  Optimizer& optimizer = adadelta;
  optimizer.zero_grad();
  (p * p / 2).sum().backward();
  optimizer.step();
  EXPECT_EQ(optimizer.iterations(), 1);
  EXPECT_LT(p.item<double>(), 1.0);
}

}  // namespace
}  // namespace helmholtz::train
