// Fuzz target: a folder dataset's image files (data::decode_image, JPEG through libjpeg-turbo
// and PNG through libpng, to RGB) and the streaming loader's read of one file (its DCT-scaled
// JPEG decode, crop and resize: data::load_sample) on any bytes.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "helmholtz/data/folder_loader.hpp"
#include "helmholtz/data/image_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace helmholtz;
  fuzz::refused_or_read([&] {
    const data::RgbImage image = data::decode_image(data, size, "input");
    // Decoded means a whole RGB image.
    HELMHOLTZ_FUZZ_CHECK(image.width > 0 && image.height > 0);
    HELMHOLTZ_FUZZ_CHECK(image.pixels.size() == static_cast<std::size_t>(image.width) *
                                                    static_cast<std::size_t>(image.height) * 3);
  });
  const auto file = fuzz::write_input("image.jpg", data, size);
  data::LoaderFiles files;
  files.files.push_back({file, 0});
  data::TransformOptions transform;
  transform.crop = 8;
  transform.resize = 9;
  for (const auto mode : {data::LoaderMode::kTrain, data::LoaderMode::kEval}) {
    fuzz::refused_or_read([&] {
      const auto pixels = data::load_sample(files, 0, mode, transform, 1, 0);
      HELMHOLTZ_FUZZ_CHECK(pixels.size() == 8u * 8u * 3u);
    });
  }
  return 0;
}
