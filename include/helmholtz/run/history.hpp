#pragma once
// Per-epoch metrics of a run, their CSV file, and the reference's summary figures.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace helmholtz::run {

struct EpochRecord {
  int epoch = 0;  // 1-based
  double loss = 0, acc = 0, val_loss = 0, val_acc = 0, lr = 0, seconds = 0;
};

inline constexpr const char* kHistoryHeader = "epoch,loss,acc,val_loss,val_acc,lr,seconds";

std::string history_csv(const std::vector<EpochRecord>& history);
// Parses a history.csv; throws core::DataError naming the file and line on malformed content.
std::vector<EpochRecord> read_history_csv(const std::filesystem::path& file);

// Mean of the k highest val_acc values (all of them when fewer than k epochs ran).
double mean_top_val_acc(const std::vector<EpochRecord>& history, std::size_t k = 10);

// The reference's convergence epoch: the first epoch i at which the mean val_acc over epochs
// i..i+9 exceeds 0.99 x the run's maximum val_acc, the sum always divided by 10 as the
// reference's collect_epoch.py did (a window cut short by the end of the run holds what exists
// but still counts as 10, so it almost never passes; a run still improving at its end has none).
// The epoch is 1-based like every epoch here: the reference printed the 0-based index, one
// less. nullopt for an empty history or when no window passes.
std::optional<int> convergence_epoch(const std::vector<EpochRecord>& history,
                                     std::size_t window = 10, double fraction = 0.99);

}  // namespace helmholtz::run
