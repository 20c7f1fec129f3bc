#pragma once
// A sweep's grid: every level (JPEG quality or MP3 bitrate) x setting x seed, each cell one
// `helmholtz train` run with its own run folder and config file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/train/options.hpp"

namespace helmholtz::sweep {

// "1,5,10" or ranges "0-5", "0,2-4" -> the numbers in order, without repeats. Throws
// core::UsageError naming `option` on anything else.
std::vector<std::int64_t> parse_numbers(const std::string& text, const std::string& option);

// "1,5,raw" -> levels checked as JPEG qualities (images) or MP3 bitrates (audio); ranges are not
// allowed here. Throws core::UsageError naming the option.
std::vector<std::string> parse_levels(const std::string& text, bool audio);

// The reference's grid: qualities 1,5,10,15,20,25,50,75,100 (images) or bitrates
// 8,16,32,64,96,128,160 (audio).
std::string default_levels(const std::string& dataset);

struct Cell {
  std::string id;               // "all-cnns-quality_5-seed_0": names its config and log files
  train::TrainOptions options;  // the whole run, log_dir set
  std::filesystem::path run_dir;
};

// Seeds outermost, then settings, then levels. Each cell's options are `base` with its level,
// setting and seed, and log_dir = train::run_directory of that. Throws core::UsageError when a
// cell's options are invalid (checked with train::validate, before anything runs).
std::vector<Cell> expand_grid(const train::TrainOptions& base,
                              const std::vector<std::string>& levels,
                              const std::vector<std::int64_t>& settings,
                              const std::vector<std::int64_t>& seeds);

enum class CellState { kFresh, kInterrupted, kFinished };

// kFinished when the run folder's summary says finished with at least the requested epochs,
// kInterrupted when it holds a last.pt, else kFresh.
CellState cell_state(const Cell& cell);

// Writes <dir>/<id>.toml (the cell's options as `helmholtz train --config` reads them) and
// returns its path.
std::filesystem::path write_cell_config(const Cell& cell, const std::filesystem::path& dir);

}  // namespace helmholtz::sweep
