#pragma once
// Training throughput of one network and recipe, the data pipeline included (permutation,
// batch gather, augmentation, forward, backward, update), on generated uint8 images of the
// dataset's shape and with the training run's own set-up: `bench train` and `doctor` measure
// through it.

#include <cstdint>
#include <string>

#include "helmholtz/run/spec.hpp"
#include "helmholtz/train/setup.hpp"

namespace helmholtz::train {

struct Throughput {
  double train_images_per_second = 0;
  double eval_images_per_second = 0;
  double last_loss = 0;      // the last timed epoch's training loss
  bool cuda_graphs = false;  // steps replayed from CUDA graphs
  std::int64_t parameters = 0;
};

// `count` generated images of a dataset's shape (run::dataset_info; data::make_pattern_images
// from `seed`), on `device`: what the measurement and doctor's checks train on.
TensorData pattern_tensors(const data::ImageDatasetInfo& info, std::int64_t count,
                           std::uint64_t seed, const torch::Device& device);

// `warmup_steps` untimed steps and one untimed evaluation, then `epochs` timed epochs over
// `images` images and one timed evaluation. Throws core::RunError when the loss is not finite.
Throughput measure_training(const run::RunSpec& spec, const Backend& backend, std::int64_t images,
                            int epochs, int warmup_steps);

}  // namespace helmholtz::train
