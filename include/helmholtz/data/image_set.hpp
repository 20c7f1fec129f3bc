#pragma once
// In-memory image datasets: 8-bit pixels, HWC interleaved, one image after another. No torch.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace helmholtz::data {

struct ImageSet {
  std::int64_t count = 0;
  int height = 0;
  int width = 0;
  int channels = 0;                  // 1 (grayscale) or 3 (RGB)
  std::vector<std::uint8_t> pixels;  // count * height * width * channels, image-major, HWC
  std::vector<std::uint8_t> labels;  // count

  std::size_t image_bytes() const { return static_cast<std::size_t>(height) * width * channels; }
  const std::uint8_t* image(std::int64_t i) const { return pixels.data() + i * image_bytes(); }
  std::uint8_t* image(std::int64_t i) { return pixels.data() + i * image_bytes(); }
  // Keeps the first n images. More than there are is refused, never cut quietly: a
  // core::UsageError that starts with `asked_by` (the option and the split: "--train-size 9:
  // cifar10's training split") and says how many there are.
  void keep_first(std::int64_t n, const std::string& asked_by);
  // Moves n images into the returned set, stratified by class: each class gives its share of n
  // (n x its count / count, the remainders to the largest fractions, ties to the lower label),
  // drawn by `seed` (mt19937_64 with an unbiased draw: the same split on every platform). Both
  // sets keep their images in the original order. The split depends on the labels alone, so
  // every codec level and training seed holds out the same images. n must lie in [1, count):
  // otherwise a core::UsageError that starts with `asked_by`.
  ImageSet hold_out(std::int64_t n, std::uint64_t seed, const std::string& asked_by);
};

// Which of the images of `labels` (class indices from 0) a hold-out of n takes, as
// ImageSet::hold_out describes: stratified by class, drawn by `seed`. n must lie in
// [1, labels.size()): otherwise a core::UsageError that starts with `asked_by`.
std::vector<bool> choose_holdout(const std::vector<int>& labels, std::int64_t n, std::uint64_t seed,
                                 const std::string& asked_by);

struct ImageDataset {
  std::string name;  // "cifar10", "fashion-mnist", ...
  int num_classes = 0;
  std::vector<std::string> class_names;
  ImageSet train;
  ImageSet test;
};

// The image datasets helmholtz knows.
const std::vector<std::string>& image_dataset_names();

// Default data folder of a dataset ("data/cifar-10-batches-bin",
// "/usr/share/datasets/fashion-mnist").
std::filesystem::path default_data_dir(const std::string& dataset);

// Loads a dataset by name from `dir` (empty = default_data_dir). Throws core::DataError when the
// folder or a file is missing (the message names the folder and the command that fetches it, and
// mentions the offline `--dataset fashion-mnist`) or a file is corrupt (names file and offset);
// core::UsageError for an unknown name.
ImageDataset load_image_dataset(const std::string& dataset, const std::filesystem::path& dir);

}  // namespace helmholtz::data
