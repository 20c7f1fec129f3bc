#pragma once
// Cross-entropy with label smoothing (torchvision's --label-smoothing) on the probabilities of
// the recipe's Keras loss (loss.hpp): the target puts 1 - smoothing on the label and spreads
// smoothing evenly over all K classes, label included:
//   loss = (1 - smoothing) * (-log p[label]) + smoothing / K * sum_k (-log p[k])
// This is torch's cross_entropy(label_smoothing) except that p is Keras' renormalised softmax
// clipped to [1e-7, 1 - 1e-7], so smoothing 0 is keras_crossentropy exactly, and every term keeps
// its cap and its dead zone once its probability is clipped.

#include <torch/torch.h>

namespace helmholtz::train {

// Per-sample losses [N] (float32) of logits [N, classes] against int64 labels [N].
// Throws core::UsageError for a smoothing outside [0, 1).
torch::Tensor smoothed_crossentropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                    double smoothing);

}  // namespace helmholtz::train
