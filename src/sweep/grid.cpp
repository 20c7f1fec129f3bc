#include "helmholtz/sweep/grid.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/datasets.hpp"

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

std::vector<data::Level> parse_levels(const std::string& text, const data::Codec& codec) {
  const bool audio = data::is_audio(codec);
  std::vector<data::Level> out;
  for (const auto& part : split(text)) {
    std::optional<data::Level> level;
    try {
      level = audio ? data::Level(data::Bitrate::parse(part, std::get<codec::AudioCodec>(codec)))
                    : data::Level(data::Quality::parse(part, std::get<codec::ImageCodec>(codec)));
    } catch (const core::UsageError& e) {
      throw core::UsageError(std::string(audio ? "--bitrates" : "--qualities") + " '" + text +
                             "': " + e.what());
    }
    if (std::find(out.begin(), out.end(), *level) == out.end()) out.push_back(*level);
  }
  return out;
}

std::vector<data::Level> parse_levels(const std::string& text, bool audio) {
  return parse_levels(
      text, audio ? data::Codec(codec::AudioCodec::kMp3) : data::Codec(codec::ImageCodec::kJpeg));
}

std::vector<data::Level> parse_unbound_levels(const std::string& text, bool audio) {
  std::vector<data::Level> out;
  for (const auto& part : split(text)) {
    std::optional<data::Level> level;
    try {
      level = audio ? data::Level(data::Bitrate::parse_unchecked(part))
                    : data::Level(data::Quality::parse_unchecked(part));
    } catch (const core::UsageError& e) {
      throw core::UsageError(std::string(audio ? "--bitrate" : "--quality") + " '" + text +
                             "': " + e.what());
    }
    if (std::find(out.begin(), out.end(), *level) == out.end()) out.push_back(*level);
  }
  return out;
}

std::vector<data::Codec> parse_codecs(const std::string& text, bool audio) {
  std::vector<data::Codec> out;
  for (const auto& name : split(text)) {
    data::Codec c = data::parse_codec(name);
    if (data::is_audio(c) != audio) {
      throw core::UsageError(
          "--codecs " + text + ": " + name + " is " +
          (audio ? "an image codec; audio takes mp3, opus, vorbis"
                 : "an audio codec; images take " + codec::built_image_codec_names()));
    }
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  if (out.empty()) throw core::UsageError("--codecs: give at least one codec");
  return out;
}

std::vector<data::Level> sweep_levels(const std::vector<data::Codec>& codecs,
                                      const std::vector<std::string>& lists,
                                      const std::string& option) {
  std::optional<std::string> common;
  std::vector<std::pair<data::Codec, std::string>> own;
  for (const auto& list : lists) {
    const auto eq = list.find('=');
    if (eq == std::string::npos) {
      if (common) {
        throw core::UsageError(option + " given twice for all codecs ('" + *common + "', '" + list +
                               "'): give one list, and CODEC=LIST for a codec's own");
      }
      common = list;
      continue;
    }
    const std::string name = list.substr(0, eq);
    data::Codec c = data::parse_codec(name);
    if (std::find(codecs.begin(), codecs.end(), c) == codecs.end()) {
      throw core::UsageError(option + " " + list + ": " + name +
                             " is not one of the swept --codecs");
    }
    own.emplace_back(c, list.substr(eq + 1));
  }
  std::vector<data::Level> out;
  for (const auto& c : codecs) {
    std::string text = common ? *common : default_levels(c);
    for (const auto& [which, list] : own) {
      if (which == c) text = list;
    }
    for (const auto& level : parse_levels(text, c)) {
      if (std::find(out.begin(), out.end(), level) == out.end()) out.push_back(level);
    }
  }
  return out;
}

std::string default_levels(const data::Codec& c) {
  if (const auto* image = std::get_if<codec::ImageCodec>(&c)) {
    switch (*image) {
      case codec::ImageCodec::kWebp:
        return "0,5,10,25,50,75,90";
      case codec::ImageCodec::kAvif:
        return "0,10,25,40,50,60,75,90";
      case codec::ImageCodec::kJxl:
        return "5,10,25,50,75,90";
      case codec::ImageCodec::kJ2k:
        return "15,20,25,30,35,40,50";
      default:
        return "1,5,10,15,20,25,50,75,100";
    }
  }
  switch (std::get<codec::AudioCodec>(c)) {
    case codec::AudioCodec::kOpus:
      return "6,8,12,16,24,32,64,96,128";
    case codec::AudioCodec::kVorbis:
      return "48,64,80,96,128,160";
    default:
      return "8,16,32,64,96,128,160";
  }
}

std::string default_levels(const std::string& dataset) {
  return data::is_audio_dataset(dataset) ? default_levels(data::Codec(codec::AudioCodec::kMp3))
                                         : default_levels(data::Codec(codec::ImageCodec::kJpeg));
}

std::vector<Cell> expand_grid(const run::RunSpec& base, const std::vector<data::Level>& levels,
                              const std::vector<std::int64_t>& settings,
                              const std::vector<std::int64_t>& seeds) {
  std::vector<Cell> cells;
  const std::vector<std::int64_t> own{-1};  // the base's architecture, as it is
  for (auto seed : seeds) {
    for (auto setting : settings.empty() ? own : settings) {
      for (const auto& level : levels) {
        Cell c;
        c.spec = base;
        c.spec.data.level = level;
        if (setting >= 0) c.spec.recipe.setting = static_cast<int>(setting);
        c.spec.recipe.seed = static_cast<std::uint64_t>(seed);
        c.spec.runtime.log_dir.clear();
        run::resolve_architecture(c.spec);
        run::validate(c.spec);
        c.run_dir = run::run_directory(c.spec);
        c.spec.runtime.log_dir = c.run_dir;
        c.id = run::model_label(c.spec.recipe.architecture.name, c.spec.recipe.protocol,
                                c.spec.data.storage_budget) +
               "-" + level.folder_name() + "-seed_" + std::to_string(seed);
        cells.push_back(std::move(c));
      }
    }
  }
  return cells;
}

run::FolderStatus cell_status(const Cell& cell) {
  return run::RunFolder(cell.run_dir).status(run::identity(cell.spec), cell.spec.recipe.epochs);
}

bool refused(const run::FolderStatus& status) {
  return status.state == run::FolderState::kMismatch ||
         status.state == run::FolderState::kOldSchema;
}

fs::path write_cell_config(const Cell& cell, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::RunError("cannot create '" + dir.string() + "': " + ec.message());
  const fs::path file = dir / (cell.id + ".toml");
  core::write_file_atomic(file, run::to_toml(cell.spec));
  return file;
}

}  // namespace helmholtz::sweep
