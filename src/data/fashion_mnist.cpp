#include "helmholtz/data/fashion_mnist.hpp"

#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/core/parallel.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr int kFashionClasses = 10;
constexpr int kFashionPad = 32;

std::uint32_t read_be32(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (static_cast<std::uint32_t>(bytes[offset]) << 24) |
         (static_cast<std::uint32_t>(bytes[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(bytes[offset + 2]) << 8) |
         static_cast<std::uint32_t>(bytes[offset + 3]);
}

void put_be32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

std::string hex32(std::uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

[[noreturn]] void throw_bad(const fs::path& file, const std::string& what) {
  throw core::DataError("IDX file '" + file.string() + "' " + what +
                        "; the file is damaged: reinstall or fetch it again");
}

// Checks the header (magic + dimensions) and the exact size; returns the item count.
std::uint32_t check_header(const fs::path& file, const std::vector<std::uint8_t>& bytes,
                           std::uint32_t magic, std::size_t header_bytes, const char* kind) {
  if (bytes.size() < header_bytes) {
    throw_bad(file, "has " + std::to_string(bytes.size()) +
                        " bytes (uncompressed), fewer than its " + std::to_string(header_bytes) +
                        "-byte header");
  }
  const std::uint32_t found = read_be32(bytes, 0);
  if (found != magic) {
    throw_bad(file, "has magic number " + hex32(found) + " at byte offset 0, expected " +
                        hex32(magic) + " for an IDX " + kind + " file");
  }
  return read_be32(bytes, 4);
}

// Writes `raw` gzip-compressed to `path` (atomically).
void write_gzip(const fs::path& path, const std::string& raw) {
  z_stream stream{};
  // windowBits 15 + 16 = gzip wrapper.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw core::RunError("cannot start gzip compression for '" + path.string() + "'");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(raw.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  stream.avail_in = static_cast<uInt>(raw.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  const std::size_t written = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END)
    throw core::RunError("gzip compression failed for '" + path.string() + "'");
  out.resize(written);
  core::write_file_atomic(path, out);
}

// "name.gz" if present, else the uncompressed "name" if present, else empty.
fs::path find_idx(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::is_regular_file(dir / (name + ".gz"), ec)) return dir / (name + ".gz");
  if (fs::is_regular_file(dir / name, ec)) return dir / name;
  return {};
}

}  // namespace

ImageSet read_idx_images(const fs::path& images_file, const fs::path& labels_file, int num_classes,
                         int pad_to) {
  if (num_classes < 1 || num_classes > 256) {
    throw core::UsageError("read_idx_images: num_classes " + std::to_string(num_classes) +
                           " is not in 1..256");
  }
  const std::vector<std::uint8_t> images = core::read_gzip_file(images_file);
  const std::uint32_t count = check_header(images_file, images, kImagesMagic, 16, "images");
  const std::uint32_t rows = read_be32(images, 8);
  const std::uint32_t cols = read_be32(images, 12);
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
    throw_bad(images_file, "declares images of " + std::to_string(rows) + "x" +
                               std::to_string(cols) + " pixels (byte offsets 8 and 12)");
  }
  const std::size_t item = static_cast<std::size_t>(rows) * cols;
  const std::size_t expected = 16 + static_cast<std::size_t>(count) * item;
  if (images.size() != expected) {
    throw_bad(images_file, "has " + std::to_string(images.size()) +
                               " bytes (uncompressed), expected " + std::to_string(expected) +
                               " for " + std::to_string(count) + " images of " +
                               std::to_string(rows) + "x" + std::to_string(cols) +
                               (images.size() < expected ? " (truncated)" : " (trailing bytes)"));
  }

  const std::vector<std::uint8_t> labels = core::read_gzip_file(labels_file);
  const std::uint32_t label_count = check_header(labels_file, labels, kLabelsMagic, 8, "labels");
  if (label_count != count) {
    throw_bad(labels_file, "holds " + std::to_string(label_count) +
                               " labels (byte offset 4) but '" + images_file.string() + "' holds " +
                               std::to_string(count) + " images");
  }
  if (labels.size() != 8 + static_cast<std::size_t>(count)) {
    throw_bad(labels_file,
              "has " + std::to_string(labels.size()) + " bytes (uncompressed), expected " +
                  std::to_string(8 + count) +
                  (labels.size() < 8 + static_cast<std::size_t>(count) ? " (truncated)"
                                                                       : " (trailing bytes)"));
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (labels[8 + i] >= num_classes) {
      throw_bad(labels_file, "has label " + std::to_string(labels[8 + i]) + " for item " +
                                 std::to_string(i) + " (byte offset " + std::to_string(8 + i) +
                                 " uncompressed), expected 0.." + std::to_string(num_classes - 1));
    }
  }

  const int out_h = pad_to > 0 ? pad_to : static_cast<int>(rows);
  const int out_w = pad_to > 0 ? pad_to : static_cast<int>(cols);
  if (out_h < static_cast<int>(rows) || out_w < static_cast<int>(cols)) {
    throw core::UsageError("cannot pad the " + std::to_string(rows) + "x" + std::to_string(cols) +
                           " images of '" + images_file.string() + "' to " +
                           std::to_string(pad_to) + "x" + std::to_string(pad_to));
  }
  ImageSet set;
  set.count = count;
  set.height = out_h;
  set.width = out_w;
  set.channels = 1;
  set.labels.assign(labels.begin() + 8, labels.end());
  set.pixels.assign(static_cast<std::size_t>(count) * set.image_bytes(), 0);
  const std::size_t top = static_cast<std::size_t>(out_h - static_cast<int>(rows)) / 2;
  const std::size_t left = static_cast<std::size_t>(out_w - static_cast<int>(cols)) / 2;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* src = images.data() + 16 + i * item;
    std::uint8_t* dst = set.image(static_cast<std::int64_t>(i));
    for (std::size_t y = 0; y < rows; ++y) {
      std::memcpy(dst + (top + y) * out_w + left, src + y * cols, cols);
    }
  }
  return set;
}

void write_idx_gz(const fs::path& images_file, const fs::path& labels_file,
                  const ImageSet& images) {
  if (images.channels != 1 || images.height <= 0 || images.width <= 0) {
    throw core::UsageError("cannot write '" + images_file.string() +
                           "' as IDX: the images must be 1-channel (grayscale)");
  }
  if (images.labels.size() != static_cast<std::size_t>(images.count) ||
      images.pixels.size() != static_cast<std::size_t>(images.count) * images.image_bytes()) {
    throw core::UsageError("cannot write '" + images_file.string() +
                           "': the image set's pixel or label count does not match its count");
  }
  std::string raw;
  raw.reserve(16 + images.pixels.size());
  put_be32(raw, kImagesMagic);
  put_be32(raw, static_cast<std::uint32_t>(images.count));
  put_be32(raw, static_cast<std::uint32_t>(images.height));
  put_be32(raw, static_cast<std::uint32_t>(images.width));
  raw.append(images.pixels.begin(), images.pixels.end());
  write_gzip(images_file, raw);

  raw.clear();
  put_be32(raw, kLabelsMagic);
  put_be32(raw, static_cast<std::uint32_t>(images.count));
  raw.append(images.labels.begin(), images.labels.end());
  write_gzip(labels_file, raw);
}

ImageDataset load_fashion_mnist(const fs::path& dir) {
  const std::string hint =
      "install it with `apt-get install dataset-fashion-mnist` (it lands in "
      "/usr/share/datasets/fashion-mnist), or pass the folder that holds the four IDX .gz files";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw core::DataError("Fashion-MNIST not found in '" + dir.string() +
                          "' (no such folder): " + hint);
  }
  const std::array<std::string, 4> names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  std::array<fs::path, 4> files;
  for (std::size_t i = 0; i < names.size(); ++i) {
    files[i] = find_idx(dir, names[i]);
    if (files[i].empty()) {
      throw core::DataError("Fashion-MNIST not found in '" + dir.string() + "' (missing " +
                            names[i] + ".gz): " + hint);
    }
  }

  ImageDataset dataset;
  dataset.name = "fashion-mnist";
  dataset.num_classes = kFashionClasses;
  dataset.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  // Inflating the train split dominates; read both splits at once.
  core::parallel_for(2, 2, [&](int, std::size_t begin, std::size_t end) {
    for (std::size_t split = begin; split < end; ++split) {
      ImageSet& set = split == 0 ? dataset.train : dataset.test;
      set = read_idx_images(files[2 * split], files[2 * split + 1], kFashionClasses, kFashionPad);
    }
  });
  return dataset;
}

}  // namespace helmholtz::data
