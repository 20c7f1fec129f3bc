#pragma once
// The data half of a run, for either kind of dataset: the training and validation tensors on
// the training device, the network's input shape, and the codec figures for the summary.
//   images: load, hold out the validation images (corrected protocol), JPEG round trip at
//           --quality, uint8 [N, C, H, W] (under the reference protocol the test split validates)
//   audio:  scan, MP3 round trip at --bitrate, mel features float32 [N, 1, 96, frames] (from
//           the feature cache when it matches), the reference's per-class split, the training
//           part cut to a multiple of the batch size

#include "helmholtz/core/spdlog.hpp"
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/models/architecture.hpp"
#include "helmholtz/train/loop.hpp"
#include "helmholtz/run/spec.hpp"
#include "helmholtz/run/summary.hpp"

namespace helmholtz::train {

struct RunData {
  TensorData train;
  TensorData validation;  // chooses the best epoch and the weights kept
  TensorData test;        // scores the kept weights (the same tensor as validation where the
                          // test split validates)
  run::ValidationData validation_data = run::ValidationData::kHoldout;
  models::InputShape input;
  int num_classes = 0;
  nlohmann::json compression;           // the codec figures, as the summary shows them
  double bits_per_sample = 0;           // mean compressed file bits per image or clip
  double payload_bits_per_sample = 0;   // the same without what every file repeats
  // The lossless reference of the same samples (PNG or FLAC of the originals): file, payload.
  double lossless_bits_per_sample = 0;
  double lossless_payload_bits_per_sample = 0;
  double signal_bits_per_sample = 0;    // a sample as recorded (images: before padding)
  std::string distortion_metric;        // "psnr" (images) or "snr" (audio)
  std::optional<double> distortion_db;  // nullopt for raw
  double seconds = 0;                   // loading and coding (or reading the cache)
};

// Which parts of a run's data to prepare: all of them (training), or the test split alone
// (evaluating kept weights at other levels: the training and validation images of an image
// dataset are then neither coded nor returned).
enum class DataParts { kAll, kTestOnly };

// Loads, codes and moves to `device` the data that `spec` asks for.
RunData prepare_run_data(const run::RunSpec& spec, const torch::Device& device,
                         spdlog::logger& log, DataParts parts = DataParts::kAll);

// Drops positions evenly spread over `positions` so that a multiple of `multiple` remain (none
// when fewer than `multiple` are given: then all are kept). The reference cut its training data
// to a multiple of the batch size; spreading the cut keeps the class balance of a class-ordered
// list.
std::vector<std::size_t> cut_to_multiple(const std::vector<std::size_t>& positions,
                                         std::size_t multiple);

}  // namespace helmholtz::train
