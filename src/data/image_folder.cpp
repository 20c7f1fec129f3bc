#include "helmholtz/data/image_folder.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>

#include "helmholtz/codec/jpeg.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/hash.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;

namespace {


bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

// The class folders of a split, sorted (hidden ones skipped).
std::vector<std::string> class_folders(const fs::path& split_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(split_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (hidden(it->path())) continue;
    if (it->is_directory(ec)) out.push_back(it->path().filename().string());
  }
  if (ec) {
    throw core::DataError("cannot list " + quote(split_dir) + " (" + ec.message() +
                          "); check that it is a readable folder");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every regular, non-hidden file under a class folder (sub-folders included), as paths
// relative to the split folder.
void list_class(const fs::path& split_dir, const std::string& cls, int label,
                std::vector<FolderImage>& out) {
  const fs::path class_dir = split_dir / cls;
  std::error_code ec;
  const std::size_t before = out.size();
  fs::recursive_directory_iterator it(class_dir, fs::directory_options::follow_directory_symlink,
                                      ec);
  for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    if (hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string relative = it->path().lexically_relative(split_dir).generic_string();
    if (relative.find_first_of("\t\n\r") != std::string::npos) {
      throw core::DataError("file name " + quote(it->path()) +
                            " holds a tab or a line break; rename the file");
    }
    out.push_back(FolderImage{relative, label, it->file_size(ec)});
  }
  if (ec) {
    throw core::DataError("cannot list " + quote(class_dir) + " (" + ec.message() +
                          "); check that it is a readable folder");
  }
  if (out.size() == before) {
    throw core::DataError("class folder " + quote(class_dir) +
                          " holds no image files; put its JPEG or PNG images there, or remove "
                          "the folder");
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
            [](const FolderImage& a, const FolderImage& b) { return a.relative < b.relative; });
}

FolderSplit list_split(const fs::path& root, const std::string& name,
                       const std::vector<std::string>& classes) {
  FolderSplit split;
  split.name = name;
  split.dir = root / name;
  const auto folders = class_folders(split.dir);
  for (const auto& cls : folders) {
    const auto at = std::lower_bound(classes.begin(), classes.end(), cls);
    if (at == classes.end() || *at != cls) {
      throw core::DataError("class folder " + quote(split.dir / cls) + " has no match in " +
                            quote(root / "train") + " (its classes decide the labels); add " +
                            quote(root / "train" / cls) + " or remove this one");
    }
    list_class(split.dir, cls, static_cast<int>(at - classes.begin()), split.images);
  }
  return split;
}

std::string listing_key(const ImageFolder& folder) {
  std::string text = "helmholtz image folder 1\n" + folder.root.string() + "\n";
  for (const FolderSplit* split : {&folder.train, &folder.val}) {
    for (const auto& image : split->images) {
      std::error_code ec;
      const auto time = fs::last_write_time(split->dir / image.relative, ec);
      text += split->name + "/" + image.relative + "\t" + std::to_string(image.bytes) + "\t" +
              std::to_string(ec ? 0 : static_cast<long long>(time.time_since_epoch().count())) +
              "\n";
    }
  }
  return core::hex16(core::fnv1a(text));
}

// --- PNG through libpng ----------------------------------------------------------------------

struct PngSource {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t at;
};

void png_read_bytes(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->size - source->at < length) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, source->data + source->at, length);
  source->at += length;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* text = static_cast<std::string*>(png_get_error_ptr(png));
  if (text != nullptr && message != nullptr) *text = message;
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

// The libpng calls, with nothing between setjmp and them that needs a destructor (the buffers
// belong to the caller). Returns false on a libpng error (its message in `error`).
bool read_png(PngSource* source, RgbImage* image, std::vector<png_bytep>* rows,
              std::string* error) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, error, png_on_error, png_on_warning);
  if (png == nullptr) {
    *error = "cannot create a PNG reader (out of memory?)";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    *error = "cannot create a PNG info struct (out of memory?)";
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, source, png_read_bytes);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const std::string implausible = implausible_image_size(width, height, source->size);
  if (!implausible.empty()) png_error(png, implausible.c_str());
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (depth == 16) png_set_strip_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  // Transparency as a tRNS chunk becomes alpha (libpng's palette expansion does that anyway),
  // and alpha is dropped, as Pillow's convert("RGB") drops it.
  const bool trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  if (trns) png_set_tRNS_to_alpha(png);
  if ((color & PNG_COLOR_MASK_ALPHA) != 0 || trns) png_set_strip_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_gray_to_rgb(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != std::size_t{width} * 3) {
    png_error(png, "unexpected row size after conversion to RGB");
  }
  image->width = static_cast<int>(width);
  image->height = static_cast<int>(height);
  image->pixels.resize(std::size_t{width} * height * 3);
  rows->resize(height);
  for (png_uint_32 y = 0; y < height; ++y) {
    (*rows)[y] = image->pixels.data() + std::size_t{y} * width * 3;
  }
  png_read_image(png, rows->data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

RgbImage decode_png(const std::uint8_t* data, std::size_t size, const std::string& name) {
  PngSource source{data, size, 0};
  RgbImage image;
  std::vector<png_bytep> rows;
  std::string error = "unknown libpng error";
  if (!read_png(&source, &image, &rows, &error)) {
    throw core::DataError("'" + name + "' is not a decodable PNG (" + error +
                          "); replace the file with a good copy or remove it");
  }
  return image;
}

// A CMYK or YCCK JPEG (Photoshop's, whose Adobe marker says the samples are stored inverted) as
// RGB, as Pillow converts it: R = C' * K' / 255 (rounded) with the stored values C', K'. Returns
// false for a JPEG of another colour space; throws core::CodecError when it does not decode.
bool decode_cmyk_jpeg(const std::uint8_t* data, std::size_t size, RgbImage* image) {
  const std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
  if (!handle) throw core::CodecError("cannot create a TurboJPEG decompressor");
  int width = 0, height = 0, samp = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), data, static_cast<unsigned long>(size), &width, &height,
                          &samp, &colorspace) != 0 ||
      (colorspace != TJCS_CMYK && colorspace != TJCS_YCCK)) {
    return false;
  }
  if (const std::string why = implausible_image_size(width, height, size); !why.empty()) {
    throw core::CodecError(why);
  }
  std::vector<std::uint8_t> cmyk(static_cast<std::size_t>(width) * height * 4);
  if (tjDecompress2(handle.get(), data, static_cast<unsigned long>(size), cmyk.data(), width, 0,
                    height, TJPF_CMYK, TJFLAG_ACCURATEDCT) != 0) {
    throw core::CodecError(std::string("corrupt or truncated CMYK JPEG: ") +
                           tjGetErrorStr2(handle.get()));
  }
  image->width = width;
  image->height = height;
  image->pixels.resize(static_cast<std::size_t>(width) * height * 3);
  const auto muldiv255 = [](int a, int b) {
    const int t = a * b + 128;
    return static_cast<std::uint8_t>((t + (t >> 8)) >> 8);
  };
  for (std::size_t i = 0, n = static_cast<std::size_t>(width) * height; i < n; ++i) {
    const int k = cmyk[4 * i + 3];
    for (int c = 0; c < 3; ++c) image->pixels[3 * i + c] = muldiv255(cmyk[4 * i + c], k);
  }
  return true;
}

RgbImage decode_jpeg(const std::uint8_t* data, std::size_t size, const std::string& name) {
  thread_local codec::JpegDecoder decoder;
  RgbImage image;
  try {
    const auto header = decoder.read_header(data, size);
    if (const std::string why = implausible_image_size(header.width, header.height, size);
        !why.empty()) {
      throw core::CodecError(why);
    }
    image.width = header.width;
    image.height = header.height;
    image.pixels.resize(static_cast<std::size_t>(header.width) * header.height * 3);
    decoder.decode(data, size, image.pixels.data(), header.width, header.height, 3);
  } catch (const core::CodecError& e) {
    try {
      if (decode_cmyk_jpeg(data, size, &image)) return image;
    } catch (const core::CodecError& cmyk) {
      throw core::DataError("'" + name + "' is not a decodable JPEG (" + cmyk.what() +
                            "); replace the file with a good copy or remove it");
    }
    throw core::DataError("'" + name + "' is not a decodable JPEG (" + e.what() +
                          "); replace the file with a good copy or remove it");
  }
  return image;
}

}  // namespace

bool is_folder_dataset(const std::string& name) { return name == kFolderDataset; }

const FolderSplit& ImageFolder::split(const std::string& name) const {
  if (name == "train") return train;
  if (name == "val") return val;
  throw core::UsageError("folder dataset: no split '" + name + "' (train or val)");
}

const std::vector<std::string>& folder_split_names() {
  static const std::vector<std::string> names = {"train", "val"};
  return names;
}

ImageFolder list_image_folder(const fs::path& dir) {
  if (dir.empty()) {
    throw core::UsageError(
        "--dataset folder needs --data-dir D: a folder holding "
        "train/<class>/ and val/<class>/ image folders");
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw core::DataError("data dir " + quote(dir) +
                          " is not a folder; give --data-dir a folder holding train/<class>/ "
                          "and val/<class>/ image folders");
  }
  ImageFolder folder;
  folder.root = fs::canonical(dir, ec);
  if (ec) folder.root = fs::absolute(dir);
  for (const char* split : {"train", "val"}) {
    if (!fs::is_directory(folder.root / split, ec)) {
      throw core::DataError("data dir " + quote(dir) + " has no " + split +
                            "/ folder; a folder dataset holds train/<class>/ and val/<class>/ "
                            "image folders (torchvision's ImageFolder layout)");
    }
  }
  folder.classes = class_folders(folder.root / "train");
  if (folder.classes.empty()) {
    throw core::DataError(quote(folder.root / "train") +
                          " holds no class folders; put each class's images in "
                          "train/<class>/");
  }
  folder.train = list_split(folder.root, "train", folder.classes);
  folder.val = list_split(folder.root, "val", folder.classes);
  if (folder.val.images.empty()) {
    throw core::DataError(quote(folder.root / "val") +
                          " holds no class folders; put each class's validation images in "
                          "val/<class>/");
  }
  folder.key = listing_key(folder);
  return folder;
}

std::string implausible_image_size(std::uint64_t width, std::uint64_t height, std::size_t bytes) {
  constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 28;  // 268 M pixels: 805 MB as RGB
  constexpr std::uint64_t kMaxPixelsPerByte = 4096;
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width == 0 || height == 0) return "an image of " + size + " pixels";
  if (width > kMaxPixels || height > kMaxPixels || width * height > kMaxPixels) {
    return "an image of " + size + " pixels, over 2^28";
  }
  if (width * height > kMaxPixelsPerByte * static_cast<std::uint64_t>(bytes)) {
    return "a header of " + size + " pixels in a file of " + std::to_string(bytes) +
           " bytes, more than it can hold";
  }
  return "";
}

RgbImage decode_image(const std::uint8_t* data, std::size_t size, const std::string& name) {
  static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
    return decode_jpeg(data, size, name);
  }
  if (size >= 8 && std::memcmp(data, kPng, 8) == 0) return decode_png(data, size, name);
  std::string start;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 4); ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%s%02x", i == 0 ? "" : " ", data[i]);
    start += hex;
  }
  throw core::DataError("'" + name + "' is neither a JPEG nor a PNG file (" +
                        (size == 0 ? std::string("it is empty") : "it starts with " + start) +
                        "); convert it to JPEG or PNG, or move it out of the dataset folder");
}

RgbImage decode_image_file(const fs::path& file) {
  const auto bytes = core::read_file_bytes(file);
  return decode_image(bytes.data(), bytes.size(), file.string());
}

}  // namespace helmholtz::data
