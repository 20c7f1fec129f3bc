#pragma once
// The coded cache of a folder dataset: each original of a split, decoded to RGB, encoded once by
// the level's codec, and the coded file kept on disk, one folder per level:
//
//   <cache-dir>/folders/<dataset key>/<split>/<level>/<class>/<stem>.<ext>
//   <cache-dir>/folders/<dataset key>/<split>/<level>.manifest   (a checked file)
//   <cache-dir>/folders/<dataset key>/<split>/<level>.progress   (while coding)
//   <cache-dir>/folders/<dataset key>/<split>/<level>.lock
//
// <level> is the level's folder name (quality_50, webp_40, quality_raw; JPEG at 4:4:4 adds
// "-444"); <ext> the codec's (jpg, webp, avif, jxl, j2k); a stem two originals of one folder
// share (a.jpg, a.png) keeps the original's whole name (a.png.jpg). The manifest lists every
// file (coded path, original path, label, original width and height, bytes, payload bytes,
// PSNR, CRC-32) under a header naming the dataset key, split, level and codec library version;
// it is written atomically once the split is coded. While coding, each finished file is appended
// to the progress journal (one line, with its own checksum), so an interrupted pass keeps the
// files done and the next one codes the rest. A coded file that is missing or whose size or
// CRC-32 disagrees with the manifest (or journal) is recoded, with one warning line. Raw codes
// nothing: its manifest records the originals (read as they are) and their decoded pixel bytes.
// No torch.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_folder.hpp"

namespace spdlog {
class logger;
}

namespace helmholtz::data {

// One file of a level, as its manifest records it.
struct CodedFile {
  std::string coded;     // relative to the level folder ("cat/a.jpg"); "" for raw
  std::string original;  // relative to the split folder of the data dir ("cat/a.png")
  int label = 0;
  int width = 0;  // the original's
  int height = 0;
  std::uint64_t bytes = 0;     // the coded file's size (raw: width * height * 3)
  std::uint64_t payload = 0;   // the codec's payload measure (raw: width * height * 3)
  std::optional<double> psnr;  // decoded against the original, capped at kPsnrCap; raw: none
  std::uint32_t crc = 0;       // CRC-32 of the coded file (raw: 0)
};

// A split's figures at one level.
struct FolderStats {
  std::int64_t images = 0;
  double mean_bytes = 0.0;
  double mean_payload_bytes = 0.0;
  // All the split's coded bits over all its original pixels (raw: 24).
  double bits_per_pixel = 0.0;
  std::optional<double> mean_psnr;  // mean over images; raw: none
  double pixels = 0.0;              // all the originals' pixels
};

FolderStats folder_stats(const std::vector<CodedFile>& files);
// The figures of files[positions[0]], files[positions[1]], ...
FolderStats folder_stats(const std::vector<CodedFile>& files,
                         const std::vector<std::size_t>& positions);

struct CodedFolderRequest {
  std::filesystem::path cache_dir;  // <cache-dir>; must not be empty
  Quality quality;                  // codec and level, or raw
  codec::Subsampling subsampling = codec::Subsampling::k420;
  int threads = 0;               // 0: all cores
  bool verify_checksums = true;  // re-read every cached file's CRC-32 (false: sizes only)
  bool progress = false;         // a progress bar on a terminal
};

struct CodedSplit {
  std::string split;
  std::filesystem::path level_dir;     // <cache-dir>/folders/<key>/<split>/<level>
  std::filesystem::path manifest;      // <level_dir>.manifest
  std::filesystem::path original_dir;  // <data dir>/<split>: where CodedFile::original lies
  std::vector<CodedFile> files;        // in the listing's order
  FolderStats stats;
  bool from_cache = false;   // every file came from a complete manifest, nothing coded
  std::int64_t coded = 0;    // files coded by this call
  std::int64_t resumed = 0;  // files kept from an interrupted pass's journal
  std::int64_t recoded = 0;  // files found missing or damaged and coded again
  double seconds = 0.0;
};

// <cache-dir>/folders/<key>/<split>/<level>
std::filesystem::path coded_level_dir(const ImageFolder& folder, const std::string& split,
                                      const CodedFolderRequest& request);

// The file extension of a codec's files: "jpg", "webp", "avif", "jxl", "j2k".
std::string coded_extension(codec::ImageCodec codec);

// Codes (or reads from the cache) one split of `folder` at the request's level. `log` (may be
// null) gets the warning for damaged or missing files, the line for a resumed pass and for a
// manifest of another codec version. Throws core::DataError naming an original that is not a
// decodable JPEG or PNG (files coded before it stay in the journal), core::UsageError for an
// empty cache dir or a codec this build lacks, core::RunError when the cache cannot be written.
CodedSplit code_folder_split(const ImageFolder& folder, const std::string& split,
                             const CodedFolderRequest& request, spdlog::logger* log);

// Reads a coded file of a split and checks it against its record (size and CRC-32); throws
// core::DataError naming the file when it is missing or damaged. For the loaders.
std::vector<std::uint8_t> read_coded_file(const CodedSplit& split, const CodedFile& file);
// Throws core::DataError naming `path` when `bytes` (a coded file's, as read) are not the
// manifest's `size` bytes of CRC-32 `crc`.
void check_coded_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                       std::uint64_t size, std::uint32_t crc);

}  // namespace helmholtz::data
