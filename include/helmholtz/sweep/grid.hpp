#pragma once
// A sweep's grid: every level (JPEG quality or MP3 bitrate) x setting x seed, each cell one
// `helmholtz train` run with its own run folder and config file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/data/level.hpp"
#include "helmholtz/run/folder.hpp"
#include "helmholtz/run/spec.hpp"

namespace helmholtz::sweep {

// "1,5,10" or ranges "0-5", "0,2-4" -> the numbers in order, without repeats. Throws
// core::UsageError naming `option` on anything else.
std::vector<std::int64_t> parse_numbers(const std::string& text, const std::string& option);

// "1,5,raw" -> levels checked as JPEG qualities (images) or MP3 bitrates (audio); ranges are not
// allowed here. Throws core::UsageError naming the option.
std::vector<data::Level> parse_levels(const std::string& text, bool audio);

// The reference's grid: qualities 1,5,10,15,20,25,50,75,100 (images) or bitrates
// 8,16,32,64,96,128,160 (audio).
std::string default_levels(const std::string& dataset);

struct Cell {
  std::string id;      // "all-cnns-quality_5-seed_0": names its config and log files
  run::RunSpec spec;   // the whole run, log_dir set
  std::filesystem::path run_dir;
};

// Seeds outermost, then settings, then levels. Each cell's spec is `base` (finalized) with its
// level, setting and seed, and log_dir = run::run_directory of that. An empty `settings` keeps
// base's architecture (an --architecture file). Throws core::UsageError when a cell's spec is
// invalid (checked with run::validate, before anything runs).
std::vector<Cell> expand_grid(const run::RunSpec& base, const std::vector<data::Level>& levels,
                              const std::vector<std::int64_t>& settings,
                              const std::vector<std::int64_t>& seeds);

// The cell's run folder against the cell's identity and epochs (run::RunFolder::status).
run::FolderStatus cell_status(const Cell& cell);

// Whether a sweep must refuse the cell: its folder holds a run of other settings or of an
// older schema (run::FolderState::kMismatch, kOldSchema).
bool refused(const run::FolderStatus& status);

// Writes <dir>/<id>.toml (the cell's options as `helmholtz train --config` reads them) and
// returns its path.
std::filesystem::path write_cell_config(const Cell& cell, const std::filesystem::path& dir);

}  // namespace helmholtz::sweep
