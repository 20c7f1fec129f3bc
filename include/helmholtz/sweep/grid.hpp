#pragma once
// A sweep's grid: every codec x level (quality or bitrate in the codec's scale) x setting x seed,
// each cell one `helmholtz train` run with its own run folder and config file.

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

// "1,5,raw" -> levels checked as qualities (images) or bitrates (audio) of `codec`; ranges are
// not allowed here. Throws core::UsageError naming the option and the codec's range.
std::vector<data::Level> parse_levels(const std::string& text, const data::Codec& codec);
// The same for the dataset kind's default codec (JPEG, MP3).
std::vector<data::Level> parse_levels(const std::string& text, bool audio);
// "1,5,raw" -> levels not yet checked against a codec (Quality/Bitrate::parse_unchecked), for a
// caller that binds them to a codec it learns later (with_codec).
std::vector<data::Level> parse_unbound_levels(const std::string& text, bool audio);

// "jpeg,webp,avif" -> the codecs, in order, without repeats, all of one kind (`audio`). Throws
// core::UsageError naming --codecs.
std::vector<data::Codec> parse_codecs(const std::string& text, bool audio);

// A sweep's levels: for each codec in order, the list given for it ("webp=0,25,50"), else the
// list given for all ("5,50,raw"), else default_levels(codec). Raw is one level whatever the
// codec (it appears once). `lists` are the --qualities or --bitrates values. Throws
// core::UsageError naming `option` for a list of a codec not swept, two plain lists, or a level
// outside a codec's range.
std::vector<data::Level> sweep_levels(const std::vector<data::Codec>& codecs,
                                      const std::vector<std::string>& lists,
                                      const std::string& option);

// The default grid of a codec: JPEG the reference's qualities 1,5,10,15,20,25,50,75,100, MP3 its
// bitrates 8,16,32,64,96,128,160; the others a spread over their own scale.
std::string default_levels(const data::Codec& codec);
// The default codec's grid for a dataset.
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
