#include "helmholtz/run/cross_eval_file.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "helmholtz/core/error.hpp"

namespace helmholtz::run {
namespace {

std::string number(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

double parse_number(const std::string& text, const std::filesystem::path& file, int line,
                    const char* column) {
  char* end = nullptr;
  const double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
    throw core::DataError(file.string() + ": line " + std::to_string(line) + ": " + column +
                          " '" + text + "' is not a number; delete the file and run `helmholtz "
                          "eval` again");
  }
  return v;
}

// A whole-number column (an epoch, a count) as `Int`: a value the type cannot hold (1e300) is
// damage like any other, where converting it would be undefined behaviour.
template <class Int>
Int parse_whole(const std::string& text, const std::filesystem::path& file, int line,
                const char* column) {
  const double v = parse_number(text, file, line, column);
  const double limit = std::ldexp(1.0, std::numeric_limits<Int>::digits);
  if (!(v > -limit && v < limit)) {
    throw core::DataError(file.string() + ": line " + std::to_string(line) + ": " + column +
                          " '" + text + "' is out of range; delete the file and run `helmholtz "
                          "eval` again");
  }
  return static_cast<Int>(v);
}

}  // namespace

std::string cross_eval_csv(const std::vector<CrossEvalEntry>& entries) {
  std::string out = std::string(kCrossEvalCsvHeader) + "\n";
  for (const auto& e : entries) {
    out += e.codec + "," + e.level + "," + std::to_string(e.weights_epoch) + "," +
           number(e.test_acc) + "," + number(e.test_loss) + "," +
           std::to_string(e.test_samples) + "," + number(e.payload_bits_per_sample) + "," +
           number(e.bits_per_sample) + "," + (e.distortion_db ? number(*e.distortion_db) : "") +
           "\n";
  }
  return out;
}

std::vector<CrossEvalEntry> read_cross_eval_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw core::DataError(file.string() + ": cannot be read");
  std::string line;
  if (!std::getline(in, line) || line != kCrossEvalCsvHeader) {
    throw core::DataError(file.string() + ": not a cross-evaluation table (its first line is not "
                          "the expected header); delete it and run `helmholtz eval` again");
  }
  std::vector<CrossEvalEntry> entries;
  int number_of_line = 1;
  while (std::getline(in, line)) {
    ++number_of_line;
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    if (f.size() != 9) {
      throw core::DataError(file.string() + ": line " + std::to_string(number_of_line) +
                            " has " + std::to_string(f.size()) + " fields, not 9; delete the "
                            "file and run `helmholtz eval` again");
    }
    const auto n = [&](std::size_t i, const char* column) {
      return parse_number(f[i], file, number_of_line, column);
    };
    CrossEvalEntry e;
    e.codec = f[0];
    e.level = f[1];
    e.weights_epoch = parse_whole<int>(f[2], file, number_of_line, "weights_epoch");
    e.test_acc = n(3, "test_acc");
    e.test_loss = n(4, "test_loss");
    e.test_samples =
        parse_whole<std::int64_t>(f[5], file, number_of_line, "test_samples");
    e.payload_bits_per_sample = n(6, "payload_bits_per_sample");
    e.bits_per_sample = n(7, "bits_per_sample");
    if (!f[8].empty()) e.distortion_db = n(8, "distortion_db");
    if (e.codec.empty() || e.level.empty()) {
      throw core::DataError(file.string() + ": line " + std::to_string(number_of_line) +
                            " names no codec or level");
    }
    merge_cross_eval(entries, e);
  }
  return entries;
}

void merge_cross_eval(std::vector<CrossEvalEntry>& entries, const CrossEvalEntry& entry) {
  for (auto& e : entries) {
    if (e.codec == entry.codec && e.level == entry.level) {
      e = entry;
      return;
    }
  }
  entries.push_back(entry);
}

}  // namespace helmholtz::run
