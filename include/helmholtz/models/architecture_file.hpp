#pragma once
// A user's own architecture, as a TOML file in the vocabulary of the built-in tables:
//
//   name = "tiny"                     # the run folder's <model> part
//   init = "keras"                    # or "torchvision" (ResNet's); default keras
//   [[layer]]
//   kind = "conv"                     # conv: kernel, filters, stride = 1, bias = true,
//   kernel = 3                        #   padding = "same"|"valid"|"torch"|N (torch: kernel / 2)
//   filters = 8
//   [[layer]]
//   kind = "relu"                     # relu, elu, flatten, globalavgpool, batchnorm-freq,
//                                     #   batchnorm: no keys
//                                     # basic, bottleneck: filters, stride = 1
//   [[layer]]
//   kind = "globalavgpool"
//   [[layer]]
//   kind = "dense"                    # dense: units (0 = the dataset's class count)
//   units = 0                         # dropout: rate; maxpool: size (Keras': stride = size),
//                                     #   or size, stride = size, padding = 0 (torch's)
//
// The input shape and class count come from the dataset; models::plan checks the fit. No torch.

#include <filesystem>

#include "helmholtz/models/architecture.hpp"

namespace helmholtz::models {

// Reads and checks the file's syntax and vocabulary. Throws core::UsageError naming the file,
// the layer and the key for anything unknown, missing or of the wrong type.
Architecture read_architecture_file(const std::filesystem::path& file);

}  // namespace helmholtz::models
