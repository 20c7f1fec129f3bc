#include "helmholtz/data/cifar10.hpp"

#include <array>
#include <string>
#include <system_error>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

namespace helmholtz::data {
namespace fs = std::filesystem;

namespace {

constexpr int kSide = 32;
constexpr int kPlane = kSide * kSide;    // 1,024 bytes per colour plane
constexpr int kImageBytes = 3 * kPlane;  // 3,072
constexpr int kNumClasses = 10;
constexpr const char* kTestFile = "test_batch.bin";
constexpr std::array<const char*, 5> kTrainFiles = {"data_batch_1.bin", "data_batch_2.bin",
                                                    "data_batch_3.bin", "data_batch_4.bin",
                                                    "data_batch_5.bin"};

const char* const kRefetch = "delete it and run scripts/fetch-cifar10.sh again";

ImageSet empty_cifar_set() {
  ImageSet set;
  set.height = kSide;
  set.width = kSide;
  set.channels = 3;
  return set;
}

// Checks a batch file's bytes and appends its records to `out` (planar RGB -> HWC).
void append_records(const fs::path& file, const std::vector<std::uint8_t>& bytes, ImageSet& out) {
  if (bytes.empty()) {
    throw core::DataError("CIFAR-10 batch '" + file.string() + "' is empty: " + kRefetch);
  }
  if (bytes.size() % kCifarRecordBytes != 0) {
    throw core::DataError(
        "CIFAR-10 batch '" + file.string() + "' has " + std::to_string(bytes.size()) +
        " bytes, not a multiple of the 3,073-byte record (truncated?): " + kRefetch);
  }
  const std::int64_t n = static_cast<std::int64_t>(bytes.size() / kCifarRecordBytes);
  // Labels first, so a corrupt file is rejected before any work is done.
  for (std::int64_t r = 0; r < n; ++r) {
    const std::uint8_t label = bytes[static_cast<std::size_t>(r) * kCifarRecordBytes];
    if (label >= kNumClasses) {
      throw core::DataError("CIFAR-10 batch '" + file.string() + "': record " + std::to_string(r) +
                            " (byte offset " + std::to_string(r * kCifarRecordBytes) +
                            ") has label " + std::to_string(label) +
                            ", expected 0..9: " + kRefetch);
    }
  }
  const std::int64_t first = out.count;
  out.count += n;
  out.labels.resize(static_cast<std::size_t>(out.count));
  out.pixels.resize(static_cast<std::size_t>(out.count) * kImageBytes);
  for (std::int64_t r = 0; r < n; ++r) {
    const std::uint8_t* record = bytes.data() + static_cast<std::size_t>(r) * kCifarRecordBytes;
    out.labels[static_cast<std::size_t>(first + r)] = record[0];
    const std::uint8_t* red = record + 1;
    const std::uint8_t* green = red + kPlane;
    const std::uint8_t* blue = green + kPlane;
    std::uint8_t* dst = out.image(first + r);
    for (int p = 0; p < kPlane; ++p) {
      dst[3 * p] = red[p];
      dst[3 * p + 1] = green[p];
      dst[3 * p + 2] = blue[p];
    }
  }
}

// The fetch command to suggest for a CIFAR-10 folder: the script unpacks into
// <arg>/cifar-10-batches-bin, default arg "data".
std::string fetch_hint(const fs::path& dir) {
  fs::path folder = dir.lexically_normal();
  if (!folder.has_filename()) folder = folder.parent_path();  // "a/b/" -> "a/b"
  if (folder.filename() != "cifar-10-batches-bin") {
    return "run scripts/fetch-cifar10.sh DIR to download it into DIR/cifar-10-batches-bin and "
           "pass that folder";
  }
  const fs::path parent = folder.parent_path();
  if (parent == "data") return "run scripts/fetch-cifar10.sh to download it";
  return "run scripts/fetch-cifar10.sh '" + (parent.empty() ? std::string(".") : parent.string()) +
         "' to download it";
}

[[noreturn]] void throw_not_found(const fs::path& dir, const std::string& what) {
  throw core::DataError("CIFAR-10 not found in '" + dir.string() + "' (" + what +
                        "): " + fetch_hint(dir) +
                        ", or use the offline --dataset fashion-mnist (Debian package "
                        "dataset-fashion-mnist)");
}

}  // namespace

ImageSet read_cifar10_batch(const fs::path& file) {
  ImageSet set = empty_cifar_set();
  append_records(file, core::read_file_bytes(file), set);
  return set;
}

void write_cifar10_batch(const fs::path& file, const ImageSet& images) {
  if (images.height != kSide || images.width != kSide || images.channels != 3) {
    throw core::UsageError("cannot write '" + file.string() + "' as a CIFAR-10 batch: images are " +
                           std::to_string(images.height) + "x" + std::to_string(images.width) +
                           "x" + std::to_string(images.channels) + ", the format needs 32x32x3");
  }
  if (images.labels.size() != static_cast<std::size_t>(images.count) ||
      images.pixels.size() != static_cast<std::size_t>(images.count) * kImageBytes) {
    throw core::UsageError("cannot write '" + file.string() +
                           "': the image set's pixel or label count does not match its count");
  }
  std::string bytes(static_cast<std::size_t>(images.count) * kCifarRecordBytes, '\0');
  for (std::int64_t r = 0; r < images.count; ++r) {
    char* record = bytes.data() + static_cast<std::size_t>(r) * kCifarRecordBytes;
    record[0] = static_cast<char>(images.labels[static_cast<std::size_t>(r)]);
    const std::uint8_t* src = images.image(r);
    for (int c = 0; c < 3; ++c) {
      char* plane = record + 1 + c * kPlane;
      for (int p = 0; p < kPlane; ++p) plane[p] = static_cast<char>(src[3 * p + c]);
    }
  }
  core::write_file_atomic(file, bytes);
}

ImageDataset load_cifar10(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw_not_found(dir, "no such folder");
  std::uintmax_t train_bytes = 0;
  for (const char* name : kTrainFiles) {
    const fs::path file = dir / name;
    if (!fs::is_regular_file(file, ec)) throw_not_found(dir, std::string("missing ") + name);
    train_bytes += fs::file_size(file, ec);
  }
  if (!fs::is_regular_file(dir / kTestFile, ec)) {
    throw_not_found(dir, std::string("missing ") + kTestFile);
  }

  ImageDataset dataset;
  dataset.name = "cifar10";
  dataset.num_classes = kNumClasses;
  dataset.class_names = {"airplane", "automobile", "bird",  "cat",  "deer",
                         "dog",      "frog",       "horse", "ship", "truck"};
  dataset.train = empty_cifar_set();
  dataset.train.pixels.reserve(train_bytes / kCifarRecordBytes * kImageBytes);
  dataset.train.labels.reserve(train_bytes / kCifarRecordBytes);
  for (const char* name : kTrainFiles) {
    const fs::path file = dir / name;
    append_records(file, core::read_file_bytes(file), dataset.train);
  }
  dataset.test = read_cifar10_batch(dir / kTestFile);
  return dataset;
}

}  // namespace helmholtz::data
