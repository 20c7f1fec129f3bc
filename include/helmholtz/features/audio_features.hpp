#pragma once
// The audio data of a run: every clip of the dataset read, passed through the MP3 codec at one
// bitrate, padded or cut to the longest clip and turned into the reference's mel spectrogram.
// Computed once per (dataset files, bitrate, feature settings), in parallel over all cores,
// and kept in a checked cache file under the cache folder; a changed input, other settings or a
// damaged file are detected and the cache is rebuilt, never silently used.

#include "helmholtz/core/spdlog.hpp"
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/features/mel.hpp"

namespace helmholtz::features {

// Where scripts/fetch-idmt.sh unpacks IDMT-SMT-Audio-Effects.
std::filesystem::path default_audio_data_dir();

struct AudioFeatureRequest {
  std::filesystem::path data_dir;  // empty: default_audio_data_dir()
  std::string instrument = "guitar";
  data::Bitrate bitrate;
  MelOptions mel;
  std::filesystem::path cache_dir = "data/cache";  // empty: no cache
  int threads = 0;                                 // 0: all cores
  torch::Device device = torch::kCPU;              // where the STFTs run
  bool progress = true;                            // live progress bar on a terminal
};

struct AudioFeatures {
  torch::Tensor features;  // float32 [N, 1, n_mels, frames] on the CPU
  std::vector<int> labels;
  std::vector<std::string> classes;
  std::int64_t clip_samples = 0;  // the common clip length (the longest clip)
  data::AudioCompressionStats stats;
  bool from_cache = false;
  std::filesystem::path cache_file;  // empty without a cache
  double seconds = 0;                // reading the cache, or computing everything
};

// Throws core::DataError naming the file for a missing, empty or unreadable clip (see
// data::scan_audio_effects for the folder checks), core::RunError when the cache cannot be
// written.
AudioFeatures prepare_audio_features(const AudioFeatureRequest& request, spdlog::logger& log);

}  // namespace helmholtz::features
