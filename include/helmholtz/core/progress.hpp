#pragma once
// A one-line progress bar on stderr, redrawn at most ~10 times a second, shown only when
// stderr is a terminal. clear() erases it so that log lines print cleanly.

#include <chrono>
#include <cstdint>
#include <string>

namespace helmholtz::core {

class ProgressBar {
 public:
  // enabled: draw at all (also requires stderr to be a terminal).
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void start(const std::string& label);
  void update(std::int64_t done, std::int64_t total);
  void clear();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace helmholtz::core
