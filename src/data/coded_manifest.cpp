#include "helmholtz/data/coded_manifest.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/hash.hpp"

namespace helmholtz::data::coded_manifest {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "helmholtz coded folder 1";

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

// One record as a line of tab-separated fields (no line break).
std::string record_text(const CodedFile& f) {
  char numbers[160];
  char psnr[40] = "";
  if (f.psnr) std::snprintf(psnr, sizeof psnr, "%.17g", *f.psnr);
  std::snprintf(numbers, sizeof numbers, "%d\t%d\t%d\t%llu\t%llu\t%s\t%08x", f.label, f.width,
                f.height, static_cast<unsigned long long>(f.bytes),
                static_cast<unsigned long long>(f.payload), psnr, f.crc);
  return f.coded + "\t" + f.original + "\t" + numbers;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

bool parse_unsigned(const std::string& text, unsigned long long* out, int base = 10) {
  if (text.empty() || text.size() > 20) return false;
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(text.c_str(), &end, base);
  return errno == 0 && end == text.c_str() + text.size() && text[0] != '-';
}

std::optional<CodedFile> parse_record(const std::vector<std::string>& fields) {
  if (fields.size() < 9) return std::nullopt;
  CodedFile f;
  f.coded = fields[0];
  f.original = fields[1];
  unsigned long long label = 0, width = 0, height = 0, bytes = 0, payload = 0, crc = 0;
  if (!parse_unsigned(fields[2], &label) || !parse_unsigned(fields[3], &width) ||
      !parse_unsigned(fields[4], &height) || !parse_unsigned(fields[5], &bytes) ||
      !parse_unsigned(fields[6], &payload) || !parse_unsigned(fields[8], &crc, 16) ||
      label > 1u << 30 || width > 1u << 30 || height > 1u << 30 || crc > 0xFFFFFFFFull) {
    return std::nullopt;
  }
  f.label = static_cast<int>(label);
  f.width = static_cast<int>(width);
  f.height = static_cast<int>(height);
  f.bytes = bytes;
  f.payload = payload;
  f.crc = static_cast<std::uint32_t>(crc);
  if (!fields[7].empty()) {
    char* end = nullptr;
    const double v = std::strtod(fields[7].c_str(), &end);
    if (end != fields[7].c_str() + fields[7].size() || !std::isfinite(v)) return std::nullopt;
    f.psnr = v;
  }
  return f;
}

}  // namespace

std::string level_name(const CodedFolderRequest& r) {
  std::string name = r.quality.folder_name();
  if (!r.quality.raw && r.quality.codec == codec::ImageCodec::kJpeg &&
      r.subsampling == codec::Subsampling::k444) {
    name += "-444";
  }
  return name;
}

std::string header_text(const ImageFolder& folder, const std::string& split,
                        const CodedFolderRequest& r, std::size_t files) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["dataset_key"] = folder.key;
  j["data_dir"] = folder.root.string();
  j["split"] = split;
  j["level"] = level_name(r);
  j["codec"] = r.quality.raw ? "raw" : codec::to_string(r.quality.codec);
  j["codec_version"] = r.quality.raw ? "" : codec::image_codec_version(r.quality.codec);
  j["subsampling"] = codec::to_string(r.subsampling);
  j["files"] = files;
  return j.dump();
}

std::optional<std::vector<CodedFile>> read_manifest(const fs::path& file,
                                                    const std::string& header) {
  std::string payload;
  const bool read =
      core::read_checked_file(file, [&](const std::string& found, std::size_t bytes) -> void* {
        if (found != header) return nullptr;
        payload.resize(bytes);
        return payload.data();
      });
  if (!read) return std::nullopt;
  std::vector<CodedFile> out;
  std::istringstream lines(payload);
  std::string line;
  while (std::getline(lines, line)) {
    const auto record = parse_record(split_tabs(line));
    if (!record) {
      throw core::DataError("manifest " + quote(file) +
                            " is damaged (a line that does not parse: " + line.substr(0, 80) + ")");
    }
    out.push_back(*record);
  }
  return out;
}

void write_manifest(const fs::path& file, const std::string& header,
                    const std::vector<CodedFile>& files) {
  std::string payload;
  for (const auto& f : files) payload += record_text(f) + "\n";
  core::write_checked_file(file, header, payload.data(), payload.size());
}

std::vector<CodedFile> read_journal(const fs::path& file, const std::string& header) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!std::getline(in, line) || line != "# " + header) return {};
  std::vector<CodedFile> out;
  while (std::getline(in, line)) {
    const std::size_t tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    const std::string body = line.substr(0, tab);
    if (line.substr(tab + 1) != core::hex16(core::fnv1a(body))) continue;
    if (const auto record = parse_record(split_tabs(body))) out.push_back(*record);
  }
  return out;
}

std::string journal_line(const CodedFile& f) {
  const std::string body = record_text(f);
  return body + "\t" + core::hex16(core::fnv1a(body)) + "\n";
}

}  // namespace helmholtz::data::coded_manifest
