// Fuzz target: a run folder as the report reads it (report::read_run: summary.json through
// run::RunFolder, then history.csv and cross_eval.csv when present) and as `train` asks it
// where it stands (run::RunFolder::status). An input is summary.json, kNextFile, history.csv,
// kNextFile, cross_eval.csv; a file left out is absent from the folder.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "fuzz_support.hpp"
#include "helmholtz/report/runs.hpp"
#include "helmholtz/run/folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  namespace fs = std::filesystem;
  const fs::path root = fuzz::scratch_dir() / "logs";
  const fs::path dir = root / "cifar10" / "all-cnns" / "quality_5";
  static const bool made = fs::create_directories(dir);
  (void)made;
  const run::RunFolder folder(dir);
  const std::array<fs::path, 3> files = {folder.summary(), folder.history(), folder.cross_eval()};
  const auto parts = fuzz::split_input(data, size, files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i < parts.size()) {
      fuzz::write_bytes(files[i], parts[i]);
    } else {
      std::error_code ec;
      fs::remove(files[i], ec);
    }
  }
  fuzz::refused_or_read([&] {
    const report::RunRecord r = report::read_run(dir, root);
    HELMHOLTZ_FUZZ_CHECK(!r.dataset.empty() && !r.model.empty());
    HELMHOLTZ_FUZZ_CHECK(r.level_kind == "quality" || r.level_kind == "bitrate");
    HELMHOLTZ_FUZZ_CHECK(!r.from_history || r.epochs_run == static_cast<int>(r.history.size()));
  });
  // The identity of the study's headline run, against whatever the summary holds.
  static const run::Identity wanted = [] {
    run::RunSpec spec;
    run::finalize(spec, {});
    return run::identity(spec);
  }();
  fuzz::refused_or_read([&] {
    const run::FolderStatus status = folder.status(wanted, 200);
    if (status.state == run::FolderState::kMismatch ||
        status.state == run::FolderState::kOldSchema) {
      HELMHOLTZ_FUZZ_CHECK(!folder.refusal(status, 200).empty());
    }
  });
  return 0;
}
