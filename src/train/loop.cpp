#include "helmholtz/train/loop.hpp"

#include "helmholtz/train/augment.hpp"

namespace helmholtz::train {

TensorData to_tensors(const data::ImageSet& set, const torch::Device& device) {
  TensorData out;
  auto pixels = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                                 {set.count, set.height, set.width, set.channels}, torch::kUInt8);
  out.images = pixels.permute({0, 3, 1, 2}).contiguous().to(device);
  // With one channel the permuted view is already contiguous, so on the CPU nothing above
  // copied: the tensor must own its pixels, not borrow the set's.
  if (out.images.data_ptr() == static_cast<const void*>(set.pixels.data())) {
    out.images = out.images.clone();
  }
  auto labels =
      torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {set.count}, torch::kUInt8);
  out.labels = labels.to(torch::kInt64).to(device);
  return out;
}

torch::Tensor to_unit_float(const torch::Tensor& images) {
  return images.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor model_input(const torch::Tensor& samples) {
  return samples.scalar_type() == torch::kUInt8 ? to_unit_float(samples)
                                                : samples.to(torch::kFloat32);
}

void use_channels_last(torch::nn::Sequential& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

namespace {
torch::Tensor batch_layout(torch::Tensor x, bool channels_last) {
  return channels_last ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}
}  // namespace

Metrics train_epoch(torch::nn::Sequential& model, Optimizer& optimizer, const TensorData& data,
                    const EpochOptions& options, const ProgressFn& progress) {
  model->train();
  const auto device = data.images.device();
  const std::int64_t n = data.size();
  const auto order = torch::randperm(n, torch::TensorOptions().dtype(torch::kInt64).device(device));
  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  for (std::int64_t begin = 0; begin < n; begin += options.batch_size) {
    const std::int64_t end = std::min<std::int64_t>(n, begin + options.batch_size);
    const auto index = order.slice(0, begin, end);
    auto x = batch_layout(
        augment(model_input(data.images.index_select(0, index)), options.shift, options.flip),
        options.channels_last);
    const auto y = data.labels.index_select(0, index);
    optimizer.zero_grad();
    const auto logits = model->forward(x);
    const auto loss = torch::nn::functional::cross_entropy(logits, y);
    loss.backward();
    optimizer.step();
    {
      torch::NoGradGuard no_grad;
      loss_sum += loss.detach().to(torch::kFloat64) * static_cast<double>(end - begin);
      correct += logits.argmax(1).eq(y).sum();
    }
    if (progress) progress(end, n);
  }
  return {loss_sum.item<double>() / static_cast<double>(n),
          static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n)};
}

Metrics evaluate(torch::nn::Sequential& model, const TensorData& data, int batch_size,
                 bool channels_last) {
  c10::InferenceMode inference;
  model->eval();
  const auto device = data.images.device();
  const std::int64_t n = data.size();
  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  for (std::int64_t begin = 0; begin < n; begin += batch_size) {
    const std::int64_t end = std::min<std::int64_t>(n, begin + batch_size);
    const auto x = batch_layout(model_input(data.images.slice(0, begin, end)), channels_last);
    const auto y = data.labels.slice(0, begin, end);
    const auto logits = model->forward(x);
    loss_sum +=
        torch::nn::functional::cross_entropy(
            logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .to(torch::kFloat64);
    correct += logits.argmax(1).eq(y).sum();
  }
  model->train();
  if (n == 0) return {};
  return {loss_sum.item<double>() / static_cast<double>(n),
          static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n)};
}

}  // namespace helmholtz::train
