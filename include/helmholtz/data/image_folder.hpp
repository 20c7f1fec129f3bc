#pragma once
// A folder dataset in torchvision's ImageFolder layout: D/train/<class>/... and D/val/<class>/...
// holding JPEG and PNG files of any size. The class names are train's sub-folders, sorted; a
// class's index is its position in that list, for both splits. Files may sit in sub-folders of a
// class folder; names starting with '.' (.DS_Store, editors' files) are skipped. The listing
// checks the tree (missing splits, an empty class, a val class that train lacks); whether a file
// is a decodable JPEG or PNG is checked when it is read. No torch.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::data {

inline constexpr const char* kFolderDataset = "folder";

bool is_folder_dataset(const std::string& name);

struct FolderImage {
  std::string relative;  // to the split's folder, '/'-separated: "cat/a.jpg"
  int label = 0;         // the class's index in ImageFolder::classes
  std::uintmax_t bytes = 0;
};

struct FolderSplit {
  std::string name;                 // "train", "val"
  std::filesystem::path dir;        // <root>/<name>
  std::vector<FolderImage> images;  // sorted by relative path
};

struct ImageFolder {
  std::filesystem::path root;        // canonical
  std::vector<std::string> classes;  // train's class folders, sorted
  FolderSplit train;
  FolderSplit val;
  // 16 hex digits: a hash of the canonical root and the listing (every file's path, size and
  // modification time), so a folder whose files change gets another key (and cache folder).
  std::string key;

  // "train" or "val"; throws core::UsageError for another name.
  const FolderSplit& split(const std::string& name) const;
  // "<name>@<key>": the folder's name and listing hash, as a run's identity holds it.
  std::string id() const { return root.filename().string() + "@" + key; }
};

// The splits, in the order they are coded and printed.
const std::vector<std::string>& folder_split_names();

// Lists and checks the tree. Throws core::DataError naming the folder or file and what to do:
// a missing data dir, train/ or val/; no class folders; an empty class folder; a val class that
// train lacks; a file name holding a tab or a newline (the cache's manifest is tab-separated).
ImageFolder list_image_folder(const std::filesystem::path& dir);

// An 8-bit RGB image, rows top to bottom, interleaved.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 3
};

// Why a file of `bytes` bytes cannot hold an image of width x height pixels, "" when it can:
// no pixels, over 2^28 pixels, or more than 4096 pixels per byte of the file (a real JPEG or
// PNG of one flat colour holds a few hundred; a header that claims more is damaged, and would
// have the decoder allocate for pixels the file cannot give).
std::string implausible_image_size(std::uint64_t width, std::uint64_t height, std::size_t bytes);

// Decodes a JPEG (libjpeg-turbo) or PNG (libpng) file, told apart by their signatures, to RGB:
// grayscale is repeated into the three channels, alpha is dropped (as Pillow's convert("RGB")),
// 16-bit PNG samples keep their high byte, palettes are expanded. EXIF orientation is not
// applied (as torchvision). Throws core::DataError naming `name` for bytes that are neither
// format, a damaged or truncated file, or an implausible size (implausible_image_size).
RgbImage decode_image(const std::uint8_t* data, std::size_t size, const std::string& name);
// The same for a file on disk (read whole; a missing file is a core::DataError naming it).
RgbImage decode_image_file(const std::filesystem::path& file);

}  // namespace helmholtz::data
