#pragma once
// Copies one optimizer's saved state into another through an in-memory archive, as a checkpoint
// would.

#include <sstream>

#include "helmholtz/train/optimizer.hpp"

namespace helmholtz::train::testing {

inline void copy_state(const Optimizer& from, Optimizer& to) {
  torch::serialize::OutputArchive out;
  from.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  to.load(in);
}

}  // namespace helmholtz::train::testing
