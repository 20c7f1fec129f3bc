#include "helmholtz/train/smoothed_loss.hpp"

#include <sstream>
#include <string>

#include "helmholtz/core/error.hpp"
#include "helmholtz/train/loss.hpp"

namespace helmholtz::train {

torch::Tensor smoothed_crossentropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                    double smoothing) {
  if (!(smoothing >= 0.0 && smoothing < 1.0)) {
    std::ostringstream value;
    value << smoothing;
    throw core::UsageError("--label-smoothing " + value.str() +
                           ": use a value from 0 up to but not including 1");
  }
  // No smoothing is the recipe's loss itself, bit for bit.
  if (smoothing == 0.0) return keras_crossentropy(logits, labels);
  const auto log_p = keras_probabilities(logits).log();
  const auto label_term = -log_p.gather(1, labels.unsqueeze(1)).squeeze(1);
  const auto uniform_term = -log_p.mean(1);  // sum_k (-log p[k]) / K
  return label_term.mul(1.0 - smoothing).add(uniform_term, smoothing);
}

}  // namespace helmholtz::train
