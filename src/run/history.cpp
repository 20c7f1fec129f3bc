#include "helmholtz/run/history.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>

#include "helmholtz/core/error.hpp"

namespace helmholtz::run {

std::string history_csv(const std::vector<EpochRecord>& history) {
  std::string out = std::string(kHistoryHeader) + "\n";
  char line[256];
  for (const auto& r : history) {
    std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.6f,%.9g,%.3f\n", r.epoch, r.loss, r.acc,
                  r.val_loss, r.val_acc, r.lr, r.seconds);
    out += line;
  }
  return out;
}

std::vector<EpochRecord> read_history_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw core::DataError("cannot open '" + file.string() + "'");
  std::string line;
  if (!std::getline(in, line) || line != kHistoryHeader) {
    throw core::DataError("'" + file.string() + "' line 1: expected the header '" + kHistoryHeader +
                          "'");
  }
  std::vector<EpochRecord> out;
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    EpochRecord r;
    char tail = 0;
    if (std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf,%lf%c", &r.epoch, &r.loss, &r.acc,
                    &r.val_loss, &r.val_acc, &r.lr, &r.seconds, &tail) != 7) {
      throw core::DataError("'" + file.string() + "' line " + std::to_string(line_number) +
                            ": expected 7 numbers");
    }
    out.push_back(r);
  }
  return out;
}

double mean_top_val_acc(const std::vector<EpochRecord>& history, std::size_t k) {
  if (history.empty()) return 0.0;
  std::vector<double> acc;
  for (const auto& r : history) acc.push_back(r.val_acc);
  std::sort(acc.begin(), acc.end(), std::greater<>());
  const std::size_t n = std::min(k, acc.size());
  return std::accumulate(acc.begin(), acc.begin() + static_cast<long>(n), 0.0) /
         static_cast<double>(n);
}

std::optional<int> convergence_epoch(const std::vector<EpochRecord>& history, std::size_t window,
                                     double fraction) {
  if (history.empty()) return std::nullopt;
  double best = history.front().val_acc;
  for (const auto& r : history) best = std::max(best, r.val_acc);
  for (std::size_t i = 0; i < history.size(); ++i) {
    const std::size_t end = std::min(history.size(), i + window);
    double sum = 0;
    for (std::size_t j = i; j < end; ++j) sum += history[j].val_acc;
    // Always divided by the window, as the reference's sum(acc[i:i+10]) / 10.0: a window cut
    // short by the end of the run almost never passes.
    if (sum / static_cast<double>(window) > fraction * best) return history[i].epoch;
  }
  return std::nullopt;
}

}  // namespace helmholtz::run
