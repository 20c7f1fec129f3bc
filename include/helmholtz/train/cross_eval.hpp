#pragma once
// Cross-level evaluation: a finished (or interrupted) run's best weights (best.pt) on its
// validation data coded at other levels, as `helmholtz eval` and `sweep --cross-eval` do. The
// run's own settings (config.toml) decide everything but the level; each result is one row of
// the folder's cross_eval.csv (run/cross_eval_file.hpp), written as soon as it is known.

#include "helmholtz/core/spdlog.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/data/level.hpp"
#include "helmholtz/run/cross_eval_file.hpp"

namespace helmholtz::train {

struct CrossEvalRequest {
  std::filesystem::path run_dir;
  // Of the run's kind (qualities for images, bitrates audio), each through its own codec; with
  // run_codec, through the run's codec instead (checked against its range).
  std::vector<data::Level> levels;
  bool run_codec = false;
  std::optional<std::string> device;  // default: the run's
  std::optional<int> threads;         // default: the run's
  bool skip_done = false;  // leave out levels cross_eval.csv holds for these weights already
};

struct CrossEvalResult {
  std::filesystem::path file;               // the run's cross_eval.csv
  std::vector<run::CrossEvalEntry> entries;  // the rows evaluated now
  int skipped = 0;                          // levels left out by skip_done
};

// Throws core::DataError when `run_dir` is no run folder, has no best weights yet, or its
// config no longer matches its summary; core::UsageError on a codec or level that does not fit
// the run (naming the option and the choices) and when another process holds the folder.
CrossEvalResult cross_evaluate(const CrossEvalRequest& request, spdlog::logger& log);

}  // namespace helmholtz::train
