// Fuzz target: the Fashion-MNIST IDX reader (data::read_idx_images) and, through it, the gzip
// reader (core::read_gzip_file). An input is the images file, kNextFile, the labels file; each
// may be gzip-compressed or plain, as the reader accepts both.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "helmholtz/data/fashion_mnist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  const auto parts = fuzz::split_input(data, size, 2);
  const auto images = fuzz::scratch_dir() / "train-images-idx3-ubyte.gz";
  const auto labels = fuzz::scratch_dir() / "train-labels-idx1-ubyte.gz";
  fuzz::write_bytes(images, parts[0]);
  fuzz::write_bytes(labels, parts.size() > 1 ? parts[1] : std::string_view());
  // As load_fashion_mnist reads it (padded to 32x32), and unpadded.
  for (const int pad_to : {32, 0}) {
    fuzz::refused_or_read([&] {
      const data::ImageSet set = data::read_idx_images(images, labels, 10, pad_to);
      HELMHOLTZ_FUZZ_CHECK(set.channels == 1 && set.height > 0 && set.width > 0);
      HELMHOLTZ_FUZZ_CHECK(pad_to == 0 || (set.height == pad_to && set.width == pad_to));
      HELMHOLTZ_FUZZ_CHECK(set.labels.size() == static_cast<std::size_t>(set.count));
      HELMHOLTZ_FUZZ_CHECK(set.pixels.size() ==
                           static_cast<std::size_t>(set.count) * set.image_bytes());
      for (const std::uint8_t label : set.labels) HELMHOLTZ_FUZZ_CHECK(label < 10);
    });
  }
  return 0;
}
