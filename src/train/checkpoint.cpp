#include "helmholtz/train/checkpoint.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/run/spec.hpp"

namespace helmholtz::train {
namespace fs = std::filesystem;
namespace {

torch::Tensor string_tensor(const std::string& s) {
  auto t = torch::empty({static_cast<std::int64_t>(s.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr<std::uint8_t>(), s.data(), s.size());
  return t;
}

std::string tensor_string(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kCPU);
  return std::string(reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()),
                     static_cast<std::size_t>(c.numel()));
}

torch::Tensor history_tensor(const std::vector<run::EpochRecord>& history) {
  auto t = torch::zeros({static_cast<std::int64_t>(history.size()), 7}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& r = history[i];
    const double row[7] = {double(r.epoch), r.loss, r.acc, r.val_loss, r.val_acc, r.lr, r.seconds};
    for (int j = 0; j < 7; ++j) a[static_cast<std::int64_t>(i)][j] = row[j];
  }
  return t;
}

std::vector<run::EpochRecord> history_from(const torch::Tensor& t) {
  std::vector<run::EpochRecord> out;
  auto a = t.accessor<double, 2>();
  for (std::int64_t i = 0; i < t.size(0); ++i) {
    out.push_back(
        {static_cast<int>(a[i][0]), a[i][1], a[i][2], a[i][3], a[i][4], a[i][5], a[i][6]});
  }
  return out;
}

// Serialized to memory, then written by the checked atomic write: torch's own file writer
// throws from a destructor on a full disk and leaves its temporary file behind.
void save_archive_atomic(torch::serialize::OutputArchive& archive, const fs::path& file) {
  std::string bytes;
  try {
    archive.save_to([&bytes](const void* data, size_t size) -> size_t {
      bytes.append(static_cast<const char*>(data), size);
      return size;
    });
  } catch (const c10::Error& e) {
    throw core::RunError("cannot serialize '" + file.string() + "': " +
                         e.what_without_backtrace());
  }
  core::write_file_atomic(file, bytes);
}

void load_archive(torch::serialize::InputArchive& archive, const fs::path& file) {
  try {
    archive.load_from(file.string());
  } catch (const c10::Error&) {
    throw core::RunError("'" + file.string() + "' is not a readable checkpoint (damaged?)");
  }
}

}  // namespace

void save_weights(const fs::path& file, const torch::nn::Sequential& model) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  save_archive_atomic(archive, file);
}

void load_weights(const fs::path& file, torch::nn::Sequential& model) {
  torch::serialize::InputArchive archive;
  load_archive(archive, file);
  try {
    model->load(archive);
  } catch (const c10::Error&) {
    throw core::RunError("'" + file.string() + "' does not hold weights for this model");
  }
}

void save_checkpoint(const fs::path& file, const torch::nn::Sequential& model,
                     const Optimizer& optimizer, const TrainState& state,
                     const torch::Device& device) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  model->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("epoch", torch::tensor(static_cast<std::int64_t>(state.epoch)));
  archive.write("wall_seconds", torch::tensor(state.wall_seconds, torch::kFloat64));
  archive.write("train_seconds", torch::tensor(state.train_seconds, torch::kFloat64));
  archive.write("best_val_acc", torch::tensor(state.best_val_acc, torch::kFloat64));
  archive.write("best_epoch", torch::tensor(static_cast<std::int64_t>(state.best_epoch)));
  archive.write("history", history_tensor(state.history));
  archive.write("identity", string_tensor(state.identity));
  if (state.iterator.order.defined() && state.iterator.batches.defined()) {
    archive.write("iterator_order", state.iterator.order.to(torch::kCPU));
    archive.write("iterator_batches", state.iterator.batches.to(torch::kCPU));
    archive.write("iterator_next", torch::tensor(state.iterator.next));
  }
  archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state());
  if (!device.is_cpu()) {
    archive.write("rng_device", at::globalContext().defaultGenerator(device).get_state());
  }
  save_archive_atomic(archive, file);
}

TrainState load_checkpoint(const fs::path& file, torch::nn::Sequential& model, Optimizer& optimizer,
                           const torch::Device& device, const std::string& identity) {
  torch::serialize::InputArchive archive;
  load_archive(archive, file);
  TrainState state;
  {
    torch::Tensor stored;
    if (!archive.try_read("identity", stored)) {
      throw core::RunError("'" + file.string() + "' holds no run identity (damaged?)");
    }
    const auto differences = run::compare(run::parse_identity_line(tensor_string(stored)),
                                          run::parse_identity_line(identity));
    if (!differences.empty()) {
      throw core::UsageError("cannot resume from '" + file.string() +
                             "': it holds a run of other settings: " +
                             run::describe(differences) +
                             "; train into another folder with --log-dir or --log-root");
    }
  }
  try {
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model->load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
    // Each read needs a fresh tensor: reading into a defined one keeps its dtype.
    const auto read = [&archive](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t;
    };
    state.epoch = static_cast<int>(read("epoch").item<std::int64_t>());
    state.wall_seconds = read("wall_seconds").item<double>();
    state.train_seconds = read("train_seconds").item<double>();
    state.best_val_acc = read("best_val_acc").item<double>();
    state.best_epoch = static_cast<int>(read("best_epoch").item<std::int64_t>());
    state.history = history_from(read("history"));
    state.identity = tensor_string(read("identity"));
    torch::Tensor order;
    if (archive.try_read("iterator_order", order)) {
      state.iterator.order = order;
      state.iterator.batches = read("iterator_batches");
      state.iterator.next = read("iterator_next").item<std::int64_t>();
    }
    at::Generator cpu_generator = at::detail::getDefaultCPUGenerator();
    cpu_generator.set_state(read("rng_cpu"));
    torch::Tensor device_rng;
    if (!device.is_cpu() && archive.try_read("rng_device", device_rng)) {
      at::Generator device_generator = at::globalContext().defaultGenerator(device);
      device_generator.set_state(device_rng);
    }
  } catch (const c10::Error& e) {
    throw core::RunError("'" + file.string() + "' does not fit this run (" +
                         std::string(e.what_without_backtrace()) + ")");
  }
  model->to(device);
  return state;
}

}  // namespace helmholtz::train
