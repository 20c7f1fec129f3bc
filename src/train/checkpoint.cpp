#include "helmholtz/train/checkpoint.hpp"

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"
#include "helmholtz/run/checkpoint_header.hpp"
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

// An archive's bytes, serialized in memory: torch's own file writer throws from a destructor
// on a full disk and leaves its temporary file behind.
std::string archive_bytes(torch::serialize::OutputArchive& archive, const fs::path& file) {
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
  return bytes;
}

void load_archive_bytes(torch::serialize::InputArchive& archive, const char* data,
                        std::size_t size, const fs::path& file) {
  try {
    archive.load_from(data, size);
  } catch (const c10::Error&) {
    throw core::DataError("'" + file.string() + "' is not a readable checkpoint (damaged?)");
  }
}

void load_archive(torch::serialize::InputArchive& archive, const fs::path& file) {
  const auto bytes = core::read_file_bytes(file);
  load_archive_bytes(archive, reinterpret_cast<const char*>(bytes.data()), bytes.size(), file);
}

// A torch archive is a zip file; a checkpoint of an older helmholtz is one, without our frame.
bool is_zip(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
}

constexpr const char* kWeightsEpochKey = "helmholtz_epoch";

}  // namespace

void save_weights(const fs::path& file, const torch::nn::Sequential& model, int epoch,
                  const fs::path& previous) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  if (epoch > 0) archive.write(kWeightsEpochKey, torch::tensor(static_cast<std::int64_t>(epoch)));
  const std::string bytes = archive_bytes(archive, file);
  core::write_file_atomic(file, {{bytes.data(), bytes.size()}}, previous);
}

int weights_epoch(const fs::path& file) {
  torch::serialize::InputArchive archive;
  load_archive(archive, file);
  torch::Tensor epoch;
  if (!archive.try_read(kWeightsEpochKey, epoch)) return 0;
  return static_cast<int>(epoch.item<std::int64_t>());
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

void save_checkpoint(const CheckpointFiles& files, const torch::nn::Sequential& model,
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
  const std::string bytes =
      run::checkpoint_bytes(state.epoch, state.identity, archive_bytes(archive, files.newest));
  core::write_file_atomic(files.newest, {{bytes.data(), bytes.size()}}, files.previous);
}

TrainState load_checkpoint(const fs::path& file, torch::nn::Sequential& model, Optimizer& optimizer,
                           const torch::Device& device, const std::string& identity) {
  const auto bytes = core::read_file_bytes(file);
  torch::serialize::InputArchive archive;
  if (is_zip(bytes)) {  // an older helmholtz: no checksum to verify
    load_archive_bytes(archive, reinterpret_cast<const char*>(bytes.data()), bytes.size(), file);
  } else {
    const run::CheckpointHeader header =
        run::read_checkpoint_header(bytes.data(), bytes.size(), file.string());
    load_archive_bytes(archive, reinterpret_cast<const char*>(header.archive),
                       header.archive_bytes, file);
  }
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
    throw core::DataError("'" + file.string() + "' does not fit this run (" +
                          std::string(e.what_without_backtrace()) + ")");
  }
  model->to(device);
  return state;
}

Resumed resume_from(const CheckpointFiles& files, torch::nn::Sequential& model,
                    Optimizer& optimizer, const torch::Device& device,
                    const std::string& identity) {
  std::error_code ec;
  Resumed r;
  std::string newest_problem;
  if (fs::exists(files.newest, ec)) {
    try {
      r.state = load_checkpoint(files.newest, model, optimizer, device, identity);
      r.from = files.newest;
      return r;
    } catch (const core::DataError& e) {  // damaged; a run of other settings is not caught
      newest_problem = e.what();
    }
  } else {
    newest_problem = "'" + files.newest.string() + "' is missing";
  }
  if (files.previous.empty() || !fs::exists(files.previous, ec)) {
    throw core::RunError(newest_problem + " and there is no previous checkpoint '" +
                         files.previous.string() + "' to fall back on; start the run again " +
                         "in a new folder (--log-dir), or remove this one");
  }
  try {
    r.state = load_checkpoint(files.previous, model, optimizer, device, identity);
  } catch (const core::DataError& e) {
    throw core::RunError(newest_problem + ", and the previous checkpoint is no better: " +
                         e.what() + "; start the run again in a new folder (--log-dir), or " +
                         "remove this one");
  }
  r.from = files.previous;
  r.fell_back = true;
  r.newest_problem = newest_problem;
  // The damaged file is kept aside for inspection, so that the next save does not rotate it
  // over the good previous generation.
  if (fs::exists(files.newest, ec)) {
    fs::path aside = files.newest;
    aside += ".damaged";
    fs::rename(files.newest, aside, ec);
  }
  return r;
}

}  // namespace helmholtz::train
