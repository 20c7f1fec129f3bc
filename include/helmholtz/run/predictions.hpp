#pragma once
// A run folder's predictions/<level>.csv: for one set of weights (the kept ones) on the test
// split coded at one level, each test sample's true class, predicted class and the probability
// the network gave its true class. Everything paired reads these: McNemar's test, the bootstrap
// over test images, comparisons across levels. This is the one place that knows the format.
// No torch.
//
//   # helmholtz predictions 2
//   # weights_epoch=12 level=quality_5 samples=10000 crc32=1a2b3c4d
//   index,label,predicted,p_true
//   0,9,9,0.981234
//   ...
//
// The CRC-32 (zlib) covers the header's fields (weights_epoch to samples, then a newline) and
// every line after the header line, so a truncated or edited file is refused, never read.
// Format 1, written by the first build that wrote these files, checksummed the lines after the
// header alone; it is still read. Rows are in test-split order, index 0 first.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::run {

struct Predictions {
  int weights_epoch = 0;
  std::string level;  // the test level's folder name: "quality_5", "webp_quality_50", "raw"
  std::vector<std::int32_t> label;
  std::vector<std::int32_t> predicted;
  std::vector<float> p_true;  // softmax probability of the true class

  std::size_t size() const { return label.size(); }
  bool correct(std::size_t i) const { return label[i] == predicted[i]; }
  double accuracy() const;  // fraction of samples predicted right (0 for none)
};

std::string predictions_csv(const Predictions& p);

// Writes atomically (core::write_file_atomic), creating the predictions folder.
void write_predictions(const std::filesystem::path& file, const Predictions& p);

// Throws core::DataError naming the file (and the line) when it is missing, of another format,
// truncated, or its checksum does not match.
Predictions read_predictions(const std::filesystem::path& file);

}  // namespace helmholtz::run
