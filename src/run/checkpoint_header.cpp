#include "helmholtz/run/checkpoint_header.hpp"

#include <nlohmann/json.hpp>

#include "helmholtz/core/checked_file.hpp"
#include "helmholtz/core/error.hpp"

namespace helmholtz::run {

std::string checkpoint_bytes(int epoch, const std::string& identity, const std::string& archive) {
  const nlohmann::json header = {
      {"format", kCheckpointFormat}, {"epoch", epoch}, {"identity", identity}};
  return core::checked_bytes(core::CheckedKind::kCheckpoint, header.dump(), archive.data(),
                             archive.size());
}

bool is_framed_checkpoint(const std::uint8_t* data, std::size_t size) {
  return core::has_checked_magic(core::CheckedKind::kCheckpoint, data, size);
}

CheckpointHeader read_checkpoint_header(const std::uint8_t* data, std::size_t size,
                                        const std::string& name) {
  const core::CheckedView view =
      core::parse_checked_bytes(core::CheckedKind::kCheckpoint, data, size, name);
  const auto fault = [&name](const std::string& what) {
    return core::DataError("'" + name + "' has a damaged checkpoint header (" + what + ")");
  };
  const auto j = nlohmann::json::parse(view.header, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw fault("not a JSON object");
  const auto format = j.find("format");
  if (format == j.end() || !format->is_number_integer()) throw fault("no format");
  if (format->get<std::int64_t>() != kCheckpointFormat) {
    throw core::DataError("'" + name + "' is a checkpoint of format " + format->dump() +
                          "; this helmholtz reads format " + std::to_string(kCheckpointFormat));
  }
  const auto epoch = j.find("epoch");
  if (epoch == j.end() || !epoch->is_number_integer() || epoch->get<std::int64_t>() < 0 ||
      epoch->get<std::int64_t>() > 1000000) {
    throw fault("no epoch");
  }
  const auto identity = j.find("identity");
  if (identity == j.end() || !identity->is_string()) throw fault("no identity");
  CheckpointHeader h;
  h.epoch = static_cast<int>(epoch->get<std::int64_t>());
  h.identity = identity->get<std::string>();
  h.archive = view.payload;
  h.archive_bytes = view.payload_bytes;
  return h;
}

}  // namespace helmholtz::run
