#include "helmholtz/data/info.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_folder.hpp"

namespace helmholtz::data {

ImageDatasetInfo image_dataset_info(const std::string& dataset) {
  if (dataset == "cifar10") return {dataset, 3, 32, 32, 10, 32, 32};
  if (dataset == "fashion-mnist") return {dataset, 1, 32, 32, 10, 28, 28};
  if (is_folder_dataset(dataset)) {
    throw core::UsageError(
        "--dataset folder: a folder's images have no fixed shape (the network "
        "sees --crop x --crop crops of them); this command takes cifar10 or "
        "fashion-mnist");
  }
  throw core::UsageError("--dataset: unknown dataset '" + dataset +
                         "' (choose cifar10 or fashion-mnist)");
}

ImageDatasetInfo dataset_info(const std::string& dataset) {
  if (dataset == "audio-effects") return {dataset, 1, 96, 173, 12};
  return image_dataset_info(dataset);
}

}  // namespace helmholtz::data
