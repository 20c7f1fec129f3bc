#include "helmholtz/data/image_set.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/cifar10.hpp"
#include "helmholtz/data/fashion_mnist.hpp"

namespace helmholtz::data {

void ImageSet::keep_first(std::int64_t n, const std::string& asked_by) {
  if (n < 0) {
    throw core::UsageError(asked_by + ": cannot keep " + std::to_string(n) +
                           " images: the count must be >= 0");
  }
  if (n > count) {
    throw core::UsageError(asked_by + " has only " + std::to_string(count) +
                           " images; give at most " + std::to_string(count));
  }
  count = n;
  pixels.resize(static_cast<std::size_t>(n) * image_bytes());
  labels.resize(static_cast<std::size_t>(n));
}

const std::vector<std::string>& image_dataset_names() {
  static const std::vector<std::string> names = {"cifar10", "fashion-mnist"};
  return names;
}

namespace {

[[noreturn]] void throw_unknown_dataset(const std::string& dataset) {
  std::string valid;
  for (const auto& name : image_dataset_names()) valid += (valid.empty() ? "" : ", ") + name;
  throw core::UsageError("unknown image dataset '" + dataset + "': use one of " + valid);
}

}  // namespace

std::filesystem::path default_data_dir(const std::string& dataset) {
  if (dataset == "cifar10") return "data/cifar-10-batches-bin";
  if (dataset == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  throw_unknown_dataset(dataset);
}

ImageDataset load_image_dataset(const std::string& dataset, const std::filesystem::path& dir) {
  const std::filesystem::path folder = dir.empty() ? default_data_dir(dataset) : dir;
  if (dataset == "cifar10") return load_cifar10(folder);
  if (dataset == "fashion-mnist") return load_fashion_mnist(folder);
  throw_unknown_dataset(dataset);
}

}  // namespace helmholtz::data
