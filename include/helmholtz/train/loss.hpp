#pragma once
// The recipe's loss: Keras' categorical_crossentropy on a softmax output (Keras 2 with the
// TensorFlow backend, as the reference trained). The probabilities are renormalised, clipped to
// [1e-7, 1 - 1e-7] and the loss is -log p[label]: a sample's loss is capped at -log(1e-7), about
// 16.12, and its gradient is zero once its probability is clipped. LibTorch's cross_entropy
// (log-softmax) has neither cap nor dead zone, so it trains differently on confident mistakes.

#include <torch/torch.h>

namespace helmholtz::train {

inline constexpr double kKerasEpsilon = 1e-7;  // keras.backend.epsilon()

// Keras' probabilities of logits [N, classes]: softmax in float32, renormalised, clipped.
torch::Tensor keras_probabilities(const torch::Tensor& logits);

// Per-sample losses [N] (float32) of logits [N, classes] against int64 labels [N].
torch::Tensor keras_crossentropy(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace helmholtz::train
