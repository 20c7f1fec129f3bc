#include "helmholtz/data/datasets.hpp"

#include <algorithm>

#include "helmholtz/core/error.hpp"
#include "helmholtz/data/image_folder.hpp"
#include "helmholtz/data/image_set.hpp"

namespace helmholtz::data {

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    auto all = image_dataset_names();
    all.push_back(kAudioEffects);
    all.push_back(kFolderDataset);  // compress only, for now (data/image_folder.hpp)
    return all;
  }();
  return names;
}

bool is_audio_dataset(const std::string& name) { return name == kAudioEffects; }

void check_dataset_name(const std::string& name) {
  const auto& names = dataset_names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw core::UsageError("--dataset: unknown dataset '" + name + "' (choose one of " + list + ")");
}

}  // namespace helmholtz::data
