#include "helmholtz/data/coded_folder.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <system_error>
#include <utility>

#include "helmholtz/codec/image_codecs.hpp"
#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/file_lock.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/core/progress.hpp"
#include "helmholtz/core/spdlog.hpp"
#include "helmholtz/data/coded_manifest.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;
using coded_manifest::header_text;
using coded_manifest::journal_line;
using coded_manifest::level_name;
using coded_manifest::read_journal;
using coded_manifest::read_manifest;
using coded_manifest::write_manifest;

namespace {

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path sibling(const fs::path& level_dir, const char* suffix) {
  return level_dir.parent_path() / (level_dir.filename().string() + suffix);
}

// What is wrong with a cached file ("" when nothing): missing, another size, another CRC.
std::string check_coded(const fs::path& file, const CodedFile& record, bool checksums) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return "missing";
  if (size != record.bytes) {
    return std::to_string(size) + " bytes, the manifest says " + std::to_string(record.bytes);
  }
  if (!checksums) return "";
  std::vector<std::uint8_t> bytes;
  try {
    bytes = core::read_file_bytes(file);
  } catch (const core::Error&) {
    return "unreadable";
  }
  if (bytes.size() != record.bytes) return "changed while read";
  if (core::crc_update(0, bytes.data(), bytes.size()) != record.crc) return "CRC-32 mismatch";
  return "";
}

// Writes a coded file through a temporary sibling and a rename, so that no half file takes its
// name (no fsync: the journal's size and CRC-32 catch what a crash loses).
void write_coded(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  const fs::path temp = file.string() + ".tmp";
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) {
    throw core::RunError("cannot write " + quote(temp) + " (" + std::strerror(errno) +
                         "); check that --cache-dir is writable");
  }
  const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const int error = std::ferror(f) != 0 ? errno : 0;
  const bool closed = std::fclose(f) == 0;
  if (written != bytes.size() || !closed) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw core::RunError("writing " + quote(file) + " failed (" +
                         std::strerror(error != 0 ? error : errno) +
                         "); is the disk full? Free space and run again: the files done are kept");
  }
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw core::RunError("cannot rename " + quote(temp) + " to " + quote(file) + " (" +
                         ec.message() + ")");
  }
}

// The records this split wants: original, label and coded name, nothing measured yet.
std::vector<CodedFile> plan(const FolderSplit& split, const CodedFolderRequest& r) {
  std::vector<CodedFile> out;
  out.reserve(split.images.size());
  std::map<std::string, int> stems;  // "<dir>/<stem>" -> how many originals share it
  const auto stem_key = [](const std::string& relative) {
    const std::size_t slash = relative.rfind('/');
    const std::size_t dot = relative.rfind('.');
    return (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
            dot == slash + 1)
               ? relative
               : relative.substr(0, dot);
  };
  for (const auto& image : split.images) ++stems[stem_key(image.relative)];
  const std::string ext = r.quality.raw ? "" : coded_extension(r.quality.codec);
  for (const auto& image : split.images) {
    CodedFile f;
    f.original = image.relative;
    f.label = image.label;
    if (!r.quality.raw) {
      const std::string stem = stem_key(image.relative);
      f.coded = (stems[stem] > 1 ? image.relative : stem) + "." + ext;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

FolderStats folder_stats(const std::vector<CodedFile>& files) {
  std::vector<std::size_t> all(files.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  return folder_stats(files, all);
}

FolderStats folder_stats(const std::vector<CodedFile>& files,
                         const std::vector<std::size_t>& positions) {
  FolderStats s;
  s.images = static_cast<std::int64_t>(positions.size());
  if (positions.empty()) return s;
  std::uint64_t bytes = 0, payload = 0;
  double pixels = 0, psnr = 0;
  std::size_t with_psnr = 0;
  for (const std::size_t p : positions) {
    const CodedFile& f = files[p];
    bytes += f.bytes;
    payload += f.payload;
    pixels += static_cast<double>(f.width) * f.height;
    if (f.psnr) {
      psnr += *f.psnr;
      ++with_psnr;
    }
  }
  const double n = static_cast<double>(positions.size());
  s.pixels = pixels;
  s.mean_bytes = static_cast<double>(bytes) / n;
  s.mean_payload_bytes = static_cast<double>(payload) / n;
  s.bits_per_pixel = pixels > 0 ? static_cast<double>(bytes) * 8.0 / pixels : 0.0;
  if (with_psnr > 0) s.mean_psnr = psnr / static_cast<double>(with_psnr);
  return s;
}

std::string coded_extension(codec::ImageCodec codec) {
  switch (codec) {
    case codec::ImageCodec::kJpeg:
      return "jpg";
    case codec::ImageCodec::kWebp:
      return "webp";
    case codec::ImageCodec::kAvif:
      return "avif";
    case codec::ImageCodec::kJxl:
      return "jxl";
    case codec::ImageCodec::kJ2k:
      return "j2k";
  }
  return "bin";
}

fs::path coded_level_dir(const ImageFolder& folder, const std::string& split,
                         const CodedFolderRequest& request) {
  folder.split(split);  // a known split
  return request.cache_dir / "folders" / folder.key / split / level_name(request);
}

CodedSplit code_folder_split(const ImageFolder& folder, const std::string& split_name,
                             const CodedFolderRequest& request, spdlog::logger* log) {
  const auto started = std::chrono::steady_clock::now();
  if (request.cache_dir.empty()) {
    throw core::UsageError(
        "--cache-dir '': a folder dataset is coded into the cache; give a "
        "cache folder (the default is data/cache)");
  }
  const FolderSplit& split = folder.split(split_name);
  const Quality& quality = request.quality;
  const bool raw = quality.raw;
  if (!raw) codec::make_image_coder(quality.codec, quality.value, request.subsampling);

  CodedSplit out;
  out.split = split_name;
  out.level_dir = coded_level_dir(folder, split_name, request);
  out.manifest = sibling(out.level_dir, ".manifest");
  out.original_dir = split.dir;
  const fs::path journal = sibling(out.level_dir, ".progress");
  std::error_code ec;
  fs::create_directories(out.level_dir, ec);
  if (ec) {
    throw core::RunError("cannot create the cache folder " + quote(out.level_dir) + " (" +
                         ec.message() + "); give a writable --cache-dir");
  }
  // Two processes coding one level take turns: the second reads what the first wrote.
  core::FileLock lock(sibling(out.level_dir, ".lock"), "coded cache " + quote(out.level_dir),
                      core::FileLock::Wait::kYes);

  std::vector<CodedFile> files = plan(split, request);
  const std::size_t n = files.size();
  const std::string header = header_text(folder, split_name, request, n);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index[files[i].original] = i;
  std::vector<char> done(n, 0);
  // Takes a record read back when it is one of this split's files under the same coded name.
  const auto take = [&](const CodedFile& record) {
    const auto at = index.find(record.original);
    if (at == index.end() || files[at->second].coded != record.coded ||
        files[at->second].label != record.label) {
      return false;
    }
    files[at->second] = record;
    done[at->second] = 1;
    return true;
  };

  // 1. The manifest of a finished pass.
  bool complete = false;
  if (fs::exists(out.manifest, ec)) {
    try {
      if (const auto records = read_manifest(out.manifest, header)) {
        for (const auto& r : *records) take(r);
        complete = std::all_of(done.begin(), done.end(), [](char d) { return d != 0; });
      } else if (log != nullptr) {
        log->info(
            "{} was made for other settings or another codec version; coding the split "
            "again",
            out.manifest.string());
      }
    } catch (const core::DataError& e) {
      if (log != nullptr) log->warn("{}; coding the split again", e.what());
    }
  }
  // 2. The journal of an interrupted pass.
  if (!complete && fs::exists(journal, ec)) {
    for (const auto& r : read_journal(journal, header)) {
      const auto at = index.find(r.original);
      const bool had = at != index.end() && done[at->second] != 0;
      if (take(r) && !had) ++out.resumed;
    }
  }
  // 3. Every file kept must still be what its record says.
  if (!raw) {
    std::vector<std::string> problems(n);
    std::atomic<std::size_t> next{0};
    const int threads = core::resolve_threads(request.threads);
    core::parallel_for(
        static_cast<std::size_t>(threads), threads, [&](int, std::size_t, std::size_t) {
          for (std::size_t i = next++; i < n; i = next++) {
            if (done[i] == 0) continue;
            problems[i] =
                check_coded(out.level_dir / files[i].coded, files[i], request.verify_checksums);
          }
        });
    std::size_t first = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (problems[i].empty()) continue;
      if (first == n) first = i;
      done[i] = 0;
      ++out.recoded;
    }
    if (out.recoded > 0 && log != nullptr) {
      log->warn("{} of {} missing or damaged (first: {}: {}); recoding {}",
                plural(static_cast<std::size_t>(out.recoded), "coded file", "coded files"),
                out.level_dir.string(), files[first].coded, problems[first],
                out.recoded == 1 ? "it" : "them");
    }
  }
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < n; ++i) {
    if (done[i] == 0) todo.push_back(i);
  }
  out.from_cache = complete && todo.empty();
  if (out.resumed > 0 && log != nullptr) {
    log->info("{} {}: resuming an interrupted pass, {} of {} done", split_name, level_name(request),
              out.resumed, n);
  }

  // 4. Code what is left, appending each finished file to the journal.
  if (!todo.empty()) {
    std::string kept = "# " + header + "\n";
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i] != 0) kept += journal_line(files[i]);
    }
    core::write_file_atomic(journal, kept);
    if (!raw) {
      for (const std::size_t i : todo) {
        fs::create_directories((out.level_dir / files[i].coded).parent_path(), ec);
        if (ec) {
          throw core::RunError("cannot create " +
                               quote((out.level_dir / files[i].coded).parent_path()) + " (" +
                               ec.message() + "); give a writable --cache-dir");
        }
      }
    }
    std::FILE* append = std::fopen(journal.c_str(), "ab");
    if (append == nullptr) {
      throw core::RunError("cannot append to " + quote(journal) + " (" + std::strerror(errno) +
                           "); give a writable --cache-dir");
    }
    std::mutex mutex;
    core::ProgressBar bar(request.progress);
    bar.start("coding " + split_name + " " + level_name(request));
    std::int64_t finished = 0;
    std::atomic<std::size_t> next{0};
    const int threads = core::resolve_threads(request.threads);
    try {
      core::parallel_for(
          static_cast<std::size_t>(threads), threads, [&](int, std::size_t, std::size_t) {
            std::unique_ptr<codec::ImageCoder> coder;
            if (!raw) {
              coder = codec::make_image_coder(quality.codec, quality.value, request.subsampling);
            }
            std::vector<std::uint8_t> decoded;
            for (std::size_t k = next++; k < todo.size(); k = next++) {
              CodedFile& f = files[todo[k]];
              const RgbImage image = decode_image_file(split.dir / f.original);
              f.width = image.width;
              f.height = image.height;
              const std::size_t pixel_bytes = image.pixels.size();
              if (raw) {
                f.bytes = f.payload = pixel_bytes;
              } else {
                std::vector<std::uint8_t> bytes;
                try {
                  bytes = coder->encode(image.pixels.data(), image.width, image.height, 3);
                  decoded.resize(pixel_bytes);
                  coder->decode(bytes.data(), bytes.size(), decoded.data(), image.width,
                                image.height, 3);
                  f.payload = coder->payload_bytes(bytes.data(), bytes.size());
                } catch (const core::CodecError& e) {
                  throw core::CodecError("coding '" + (split.dir / f.original).string() + "' (" +
                                         std::to_string(image.width) + "x" +
                                         std::to_string(image.height) + ") at " +
                                         level_name(request) + " failed: " + e.what());
                }
                f.psnr = std::min(codec::psnr(image.pixels.data(), decoded.data(), pixel_bytes),
                                  kPsnrCap);
                f.bytes = bytes.size();
                f.crc = core::crc_update(0, bytes.data(), bytes.size());
                write_coded(out.level_dir / f.coded, bytes);
              }
              const std::string line = journal_line(f);
              std::lock_guard<std::mutex> guard(mutex);
              std::fwrite(line.data(), 1, line.size(), append);
              std::fflush(append);
              bar.update(++finished, static_cast<std::int64_t>(todo.size()));
            }
          });
    } catch (...) {
      std::fclose(append);
      bar.clear();
      throw;
    }
    bar.clear();
    if (std::fclose(append) != 0) {
      throw core::RunError("writing " + quote(journal) + " failed (" + std::strerror(errno) +
                           "); is the disk full?");
    }
    out.coded = static_cast<std::int64_t>(todo.size());
  }

  // 5. The manifest, once every file is there; the journal has served.
  if (!out.from_cache) {
    write_manifest(out.manifest, header, files);
    fs::remove(journal, ec);
  }
  out.stats = folder_stats(files);
  out.files = std::move(files);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

std::vector<std::uint8_t> read_coded_file(const CodedSplit& split, const CodedFile& file) {
  const fs::path path = split.level_dir / file.coded;
  if (file.coded.empty()) {
    throw core::UsageError("read_coded_file: a raw level has no coded files; read the original " +
                           file.original);
  }
  auto bytes = core::read_file_bytes(path);
  check_coded_bytes(path, bytes, file.bytes, file.crc);
  return bytes;
}

void check_coded_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes,
                       std::uint64_t size, std::uint32_t crc) {
  if (bytes.size() != size || core::crc_update(0, bytes.data(), bytes.size()) != crc) {
    throw core::DataError(
        "coded file " + quote(path) + " is damaged (" +
        (bytes.size() != size ? "its size differs from the manifest's" : "CRC-32 mismatch") +
        "); run `helmholtz compress --dataset folder` again to recode it");
  }
}

}  // namespace helmholtz::data
