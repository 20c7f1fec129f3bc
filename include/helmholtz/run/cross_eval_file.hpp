#pragma once
// A run folder's cross_eval.csv: the run's kept weights (best.pt) evaluated on the test split
// coded at other levels (`helmholtz eval`), one row per (codec, level). Written by the evaluation,
// read by the report; this is the one place that knows its columns. No torch.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace helmholtz::run {

struct CrossEvalEntry {
  std::string codec;  // the codec the test data went through ("jpeg", "mp3")
  std::string level;  // its level: "5", "32", "raw"
  int weights_epoch = 0;  // the epoch of the best weights (best.pt) evaluated
  double test_acc = 0.0;
  double test_loss = 0.0;
  std::int64_t test_samples = 0;
  double payload_bits_per_sample = 0.0;  // of the test data at that level
  double bits_per_sample = 0.0;
  std::optional<double> distortion_db;  // PSNR or SNR of that level; none for raw
};

inline constexpr const char* kCrossEvalCsvHeader =
    "codec,level,weights_epoch,test_acc,test_loss,test_samples,payload_bits_per_sample,"
    "bits_per_sample,distortion_db";

std::string cross_eval_csv(const std::vector<CrossEvalEntry>& entries);

// Throws core::DataError naming the file and line on anything damaged.
std::vector<CrossEvalEntry> read_cross_eval_csv(const std::filesystem::path& file);

// Puts `entry` into `entries`, replacing the row of the same codec and level.
void merge_cross_eval(std::vector<CrossEvalEntry>& entries, const CrossEvalEntry& entry);

}  // namespace helmholtz::run
