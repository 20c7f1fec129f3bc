#include "helmholtz/data/info.hpp"

#include "helmholtz/core/error.hpp"

namespace helmholtz::data {

ImageDatasetInfo image_dataset_info(const std::string& dataset) {
  if (dataset == "cifar10") return {dataset, 3, 32, 32, 10};
  if (dataset == "fashion-mnist") return {dataset, 1, 32, 32, 10};
  throw core::UsageError("--dataset: unknown dataset '" + dataset +
                         "' (choose cifar10 or fashion-mnist)");
}

}  // namespace helmholtz::data
