#include "helmholtz/sweep/grid.hpp"

#include <algorithm>
#include <cctype>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"
#include "helmholtz/train/run.hpp"
#include "helmholtz/train/run_data.hpp"

namespace helmholtz::sweep {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == ',') {
      parts.push_back(part);
      part.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      part += c;
    }
  }
  parts.push_back(part);
  return parts;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::vector<std::int64_t> parse_numbers(const std::string& text, const std::string& option) {
  std::vector<std::int64_t> out;
  const auto bad = [&](const std::string& part) {
    return core::UsageError(option + " '" + text + "': '" + part +
                            "' is not a number or a range (use e.g. 0,2,4 or 0-5)");
  };
  for (const auto& part : split(text)) {
    const auto dash = part.find('-');
    std::int64_t lo = 0, hi = 0;
    if (dash == std::string::npos) {
      if (!all_digits(part)) throw bad(part);
      lo = hi = std::stoll(part);
    } else {
      const auto a = part.substr(0, dash), b = part.substr(dash + 1);
      if (!all_digits(a) || !all_digits(b)) throw bad(part);
      lo = std::stoll(a);
      hi = std::stoll(b);
      if (hi < lo) throw bad(part);
    }
    for (std::int64_t v = lo; v <= hi; ++v) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  return out;
}

std::vector<std::string> parse_levels(const std::string& text, bool audio) {
  std::vector<std::string> out;
  for (const auto& part : split(text)) {
    std::string level;
    try {
      level =
          audio ? data::Bitrate::parse(part).to_string() : data::Quality::parse(part).to_string();
    } catch (const core::UsageError& e) {
      throw core::UsageError(std::string(audio ? "--bitrates" : "--qualities") + " '" + text +
                             "': " + e.what());
    }
    if (std::find(out.begin(), out.end(), level) == out.end()) out.push_back(level);
  }
  return out;
}

std::string default_levels(const std::string& dataset) {
  return data::is_audio_dataset(dataset) ? "8,16,32,64,96,128,160" : "1,5,10,15,20,25,50,75,100";
}

std::vector<Cell> expand_grid(const train::TrainOptions& base,
                              const std::vector<std::string>& levels,
                              const std::vector<std::int64_t>& settings,
                              const std::vector<std::int64_t>& seeds) {
  const bool audio = data::is_audio_dataset(base.dataset);
  std::vector<Cell> cells;
  for (auto seed : seeds) {
    for (auto setting : settings) {
      for (const auto& level : levels) {
        Cell c;
        c.options = base;
        (audio ? c.options.bitrate : c.options.quality) = level;
        c.options.setting = static_cast<int>(setting);
        c.options.seed = static_cast<std::uint64_t>(seed);
        c.options.log_dir.clear();
        c.options.resume = false;
        train::validate(c.options);
        c.run_dir = train::run_directory(c.options);
        c.options.log_dir = c.run_dir;
        c.id = train::run_architecture(c.options).name + "-" + train::level_folder(c.options) +
               "-seed_" + std::to_string(seed);
        cells.push_back(std::move(c));
      }
    }
  }
  return cells;
}

CellState cell_state(const Cell& cell) {
  if (train::run_finished(cell.run_dir, cell.options.epochs)) return CellState::kFinished;
  return fs::exists(cell.run_dir / "last.pt") ? CellState::kInterrupted : CellState::kFresh;
}

fs::path write_cell_config(const Cell& cell, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::RunError("cannot create '" + dir.string() + "': " + ec.message());
  const fs::path file = dir / (cell.id + ".toml");
  core::write_file_atomic(file, train::to_toml(cell.options));
  return file;
}

}  // namespace helmholtz::sweep
