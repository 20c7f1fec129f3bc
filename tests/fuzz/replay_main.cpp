// Replays inputs through a fuzz target without libFuzzer, so the normal build's ctest runs
// every committed regression input (tests/fuzz/regressions/<target>/) and the seed corpus:
//   fuzz_replay_<target> PATH...
// Each PATH is a file or a folder (its regular files, in name order); a missing folder is
// skipped. Fails when an input makes the target throw anything but core::Error (which the
// target itself lets pass), and when there was no input at all.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path path = argv[i];
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::exists(path, ec)) {
      inputs.push_back(path);
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs to replay (give files or folders of inputs)\n");
    return 1;
  }
  for (const auto& input : inputs) {
    // Named before it runs, so that a crash's output says which input it was.
    std::fprintf(stderr, "replaying %s\n", input.c_str());
    std::ifstream in(input, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: an exception escaped the reader: %s\n", input.c_str(), e.what());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "%s: an exception of unknown type escaped the reader\n", input.c_str());
      return 1;
    }
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return 0;
}
