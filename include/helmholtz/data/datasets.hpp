#pragma once
// The datasets helmholtz knows, images and audio. No torch.

#include <string>
#include <vector>

namespace helmholtz::data {

inline constexpr const char* kAudioEffects = "audio-effects";

// cifar10, fashion-mnist (images), audio-effects (audio), folder (an ImageFolder tree of any
// size's JPEG and PNG files: `compress` codes it into the cache; training on it is not yet).
const std::vector<std::string>& dataset_names();

bool is_audio_dataset(const std::string& name);

// Throws core::UsageError "--dataset: unknown dataset 'x' (choose one of ...)".
void check_dataset_name(const std::string& name);

}  // namespace helmholtz::data
