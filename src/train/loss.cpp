#include "helmholtz/train/loss.hpp"

namespace helmholtz::train {

torch::Tensor keras_probabilities(const torch::Tensor& logits) {
  auto p = torch::softmax(logits.to(torch::kFloat32), 1);
  p = p / p.sum(1, /*keepdim=*/true);  // Keras renormalises its softmax output
  return p.clamp(kKerasEpsilon, 1.0 - kKerasEpsilon);
}

torch::Tensor keras_crossentropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return -keras_probabilities(logits).gather(1, labels.unsqueeze(1)).squeeze(1).log();
}

}  // namespace helmholtz::train
