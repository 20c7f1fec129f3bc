#include "helmholtz/run/history.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "helmholtz/core/error.hpp"
#include "test_support.hpp"

namespace helmholtz::run {
namespace {

std::vector<EpochRecord> with_val_acc(const std::vector<double>& acc) {
  std::vector<EpochRecord> h;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    EpochRecord r;
    r.epoch = static_cast<int>(i) + 1;
    r.val_acc = acc[i];
    h.push_back(r);
  }
  return h;
}

TEST(History, MeanOfTenBest) {
  std::vector<double> acc;
  for (int i = 1; i <= 12; ++i) acc.push_back(i / 100.0);  // 0.01..0.12
  // ten best: 0.03..0.12 -> mean 0.075
  EXPECT_NEAR(mean_top_val_acc(with_val_acc(acc)), 0.075, 1e-12);
  EXPECT_NEAR(mean_top_val_acc(with_val_acc({0.5, 0.7})), 0.6, 1e-12);
}

TEST(History, ConvergenceEpochAsTheReferenceDefinesIt) {
  // max 0.9 -> threshold 0.891. Window from epoch 1 (0.5, 0.8, 0.9 x 10...) fails; the first
  // window whose mean exceeds 0.891 starts at epoch 3.
  std::vector<double> acc = {0.5, 0.8};
  for (int i = 0; i < 12; ++i) acc.push_back(0.9);
  EXPECT_EQ(convergence_epoch(with_val_acc(acc)), 3);
  // The sum is always divided by 10: windows cut short by the end of the run fail.
  EXPECT_FALSE(convergence_epoch(with_val_acc({0.1, 0.2, 0.3})).has_value());
  // 11 epochs, 0.5 then ten at 0.9: epoch 1's window averages 0.86, epoch 2's full window 0.9
  // passes; epoch 3's (nine epochs, / 10 = 0.81) would not.
  std::vector<double> eleven = {0.5};
  for (int i = 0; i < 10; ++i) eleven.push_back(0.9);
  EXPECT_EQ(convergence_epoch(with_val_acc(eleven)), 2);
  // A run still improving at its last epoch: the best is at the end, no window reaches it.
  std::vector<double> rising;
  for (int i = 0; i < 30; ++i) rising.push_back(0.3 + 0.02 * i);
  EXPECT_FALSE(convergence_epoch(with_val_acc(rising)).has_value());
  EXPECT_FALSE(convergence_epoch({}).has_value());
}

TEST(History, CsvRoundTrip) {
  testing::TempDir dir;
  std::vector<EpochRecord> h = {{1, 2.3, 0.1, 2.2, 0.15, 0.01, 12.5},
                                {2, 1.9, 0.3, 1.8, 0.35, 0.0099, 11.0}};
  const auto file = dir.path() / "history.csv";
  std::ofstream(file) << history_csv(h);
  const auto back = read_history_csv(file);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].epoch, 2);
  EXPECT_NEAR(back[1].val_acc, 0.35, 1e-9);
  EXPECT_NEAR(back[1].lr, 0.0099, 1e-12);
  std::ofstream(file) << "epoch,loss\n1,2\n";
  EXPECT_THROW(read_history_csv(file), core::DataError);
}

}  // namespace
}  // namespace helmholtz::run
