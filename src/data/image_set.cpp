#include "helmholtz/data/image_set.hpp"

#include <algorithm>
#include <random>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/random.hpp"
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

std::vector<bool> choose_holdout(const std::vector<int>& labels, std::int64_t n, std::uint64_t seed,
                                 const std::string& asked_by) {
  const auto count = static_cast<std::int64_t>(labels.size());
  if (n < 1 || n >= count) {
    throw core::UsageError(asked_by + ": cannot hold out " + std::to_string(n) + " of " +
                           std::to_string(count) + " images; give 1 to " +
                           std::to_string(count - 1) + " (some must be left to train on)");
  }
  int classes = 0;
  for (const auto label : labels) classes = std::max(classes, label + 1);
  std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(classes));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    by_class[static_cast<std::size_t>(labels[i])].push_back(i);
  }
  // Each class's share: floor(n x size / count), the rest one by one to the largest remainders.
  std::vector<std::int64_t> share(by_class.size());
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;
  std::int64_t given = 0;
  for (std::size_t c = 0; c < by_class.size(); ++c) {
    const auto size = static_cast<std::int64_t>(by_class[c].size());
    share[c] = n * size / count;
    given += share[c];
    remainders.emplace_back(n * size % count, c);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < n; ++k, ++given) ++share[remainders[k].second];
  // A partial Fisher-Yates shuffle per class picks its share.
  std::mt19937_64 rng(seed);
  std::vector<bool> held(static_cast<std::size_t>(count), false);
  for (std::size_t c = 0; c < by_class.size(); ++c) {
    auto& idx = by_class[c];
    for (std::int64_t k = 0; k < share[c]; ++k) {
      const auto left = idx.size() - static_cast<std::size_t>(k);
      std::swap(idx[static_cast<std::size_t>(k)],
                idx[static_cast<std::size_t>(k) + core::uniform_below(rng, left)]);
      held[idx[static_cast<std::size_t>(k)]] = true;
    }
  }
  return held;
}

ImageSet ImageSet::hold_out(std::int64_t n, std::uint64_t seed, const std::string& asked_by) {
  const std::vector<bool> held =
      choose_holdout(std::vector<int>(labels.begin(), labels.end()), n, seed, asked_by);
  ImageSet out;
  out.height = height;
  out.width = width;
  out.channels = channels;
  ImageSet kept = out;
  const std::size_t bytes = image_bytes();
  for (std::size_t i = 0; i < held.size(); ++i) {
    ImageSet& to = held[i] ? out : kept;
    to.pixels.insert(to.pixels.end(), pixels.begin() + static_cast<std::ptrdiff_t>(i * bytes),
                     pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * bytes));
    to.labels.push_back(labels[i]);
    ++to.count;
  }
  *this = std::move(kept);
  return out;
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
