#include "helmholtz/run/predictions.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

namespace helmholtz::run {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMagic = "# helmholtz predictions 2";
// Format 1 (the first build that wrote these files) checksummed the rows alone.
constexpr const char* kMagicV1 = "# helmholtz predictions 1";
constexpr const char* kColumns = "index,label,predicted,p_true";

std::uint32_t crc_of(const std::string& text) {
  return core::crc_update(0, text.data(), text.size());
}

// The header's fields ("weights_epoch=E level=L samples=N"): the checksum covers them too.
std::string fields(int weights_epoch, const std::string& level, std::size_t samples) {
  return "weights_epoch=" + std::to_string(weights_epoch) + " level=" + level +
         " samples=" + std::to_string(samples);
}

// The columns line and the rows.
std::string body(const Predictions& p) {
  std::string out = std::string(kColumns) + "\n";
  out.reserve(p.size() * 24);
  char line[96];
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::snprintf(line, sizeof line, "%zu,%d,%d,%.6f\n", i, p.label[i], p.predicted[i],
                  static_cast<double>(p.p_true[i]));
    out += line;
  }
  return out;
}

[[noreturn]] void damaged(const fs::path& file, const std::string& what) {
  throw core::DataError("'" + file.string() + "' is not a predictions file of this helmholtz (" +
                        what + "); run `helmholtz eval` on its run folder to write it again");
}

}  // namespace

double Predictions::accuracy() const {
  if (label.empty()) return 0.0;
  std::size_t right = 0;
  for (std::size_t i = 0; i < label.size(); ++i) right += correct(i) ? 1 : 0;
  return static_cast<double>(right) / static_cast<double>(label.size());
}

std::string predictions_csv(const Predictions& p) {
  if (p.predicted.size() != p.size() || p.p_true.size() != p.size()) {
    throw core::RunError("predictions of " + p.level + ": columns of unequal length");
  }
  if (p.level.empty() || p.level.find_first_of(" \n") != std::string::npos) {
    throw core::RunError("predictions: the level name '" + p.level + "' is empty or has spaces");
  }
  const std::string head = fields(p.weights_epoch, p.level, p.size());
  const std::string rows = body(p);
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc_of(head + "\n" + rows));
  return std::string(kMagic) + "\n# " + head + " crc32=" + crc + "\n" + rows;
}

void write_predictions(const fs::path& file, const Predictions& p) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    throw core::RunError("cannot create '" + file.parent_path().string() + "': " + ec.message());
  }
  core::write_file_atomic(file, predictions_csv(p));
}

Predictions read_predictions(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw core::DataError("cannot open predictions file '" + file.string() + "'");
  std::string magic, header;
  if (!std::getline(in, magic) || (magic != kMagic && magic != kMagicV1)) {
    damaged(file, "first line is not '" + std::string(kMagic) + "'");
  }
  const bool v1 = magic == kMagicV1;
  if (!std::getline(in, header)) damaged(file, "no header line");
  std::ostringstream rest;
  rest << in.rdbuf();
  const std::string rows = rest.str();
  Predictions p;
  unsigned long long samples = 0;
  unsigned int crc = 0;
  char level[128] = {0};
  if (std::sscanf(header.c_str(), "# weights_epoch=%d level=%127s samples=%llu crc32=%8x",
                  &p.weights_epoch, level, &samples, &crc) != 4) {
    damaged(file, "header line '" + header + "'");
  }
  p.level = level;
  if (crc_of(v1 ? rows : fields(p.weights_epoch, p.level, samples) + "\n" + rows) != crc) {
    damaged(file, "checksum mismatch: truncated or edited");
  }
  std::istringstream lines(rows);
  std::string line;
  if (!std::getline(lines, line) || line != kColumns) damaged(file, "no columns line");
  std::size_t number = 3;
  while (std::getline(lines, line)) {
    ++number;
    unsigned long long index = 0;
    int label = 0, predicted = 0;
    float prob = 0;
    if (std::sscanf(line.c_str(), "%llu,%d,%d,%f", &index, &label, &predicted, &prob) != 4 ||
        index != p.size()) {
      damaged(file, "line " + std::to_string(number) + " '" + line + "'");
    }
    p.label.push_back(label);
    p.predicted.push_back(predicted);
    p.p_true.push_back(prob);
  }
  if (p.size() != samples) {
    damaged(file, std::to_string(p.size()) + " rows, the header says " + std::to_string(samples));
  }
  return p;
}

}  // namespace helmholtz::run
