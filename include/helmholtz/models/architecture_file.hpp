#pragma once
// A user's own architecture, as a TOML file in the vocabulary of the built-in tables:
//
//   name = "tiny"                     # the run folder's <model> part
//   [[layer]]
//   kind = "conv"                     # conv: kernel, filters, stride = 1, padding = "same"|"valid"
//   kernel = 3
//   filters = 8
//   [[layer]]
//   kind = "relu"                     # relu, elu, flatten, globalavgpool, batchnorm-freq: no keys
//   [[layer]]
//   kind = "globalavgpool"
//   [[layer]]
//   kind = "dense"                    # dense: units (0 = the dataset's class count)
//   units = 0                         # dropout: rate; maxpool: size
//
// The input shape and class count come from the dataset; models::plan checks the fit. No torch.

#include <filesystem>

#include "helmholtz/models/architecture.hpp"

namespace helmholtz::models {

// Reads and checks the file's syntax and vocabulary. Throws core::UsageError naming the file,
// the layer and the key for anything unknown, missing or of the wrong type.
Architecture read_architecture_file(const std::filesystem::path& file);

}  // namespace helmholtz::models
