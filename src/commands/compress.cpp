// helmholtz compress: the compression stage alone, with its figures; nothing is trained.

#include <chrono>
#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/compress.hpp"
#include "helmholtz/data/image_set.hpp"
#include "helmholtz/data/report_json.hpp"

namespace helmholtz::commands {

void register_compress(CLI::App& app) {
  struct Options {
    std::string dataset = "cifar10";
    std::filesystem::path data_dir;
    std::string quality = "5";
    std::string subsampling = "420";
    std::int64_t train_size = 0;
    std::int64_t val_size = 0;
    int threads = 0;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compress", "Encode and decode a dataset at a JPEG quality and print bytes, bits per pixel "
                  "and PSNR per split (no training)");
  auto& o = *options;
  add_image_data_options(*cmd, o.dataset, o.data_dir, o.quality);
  cmd->add_option("--subsampling", o.subsampling, "420 or 444")
      ->check(CLI::IsMember({"420", "444"}))
      ->capture_default_str();
  cmd->add_option("--train-size", o.train_size, "First N training images (0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--val-size", o.val_size, "First N test images (0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", o.threads, "Threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->callback([options] {
    const auto& o = *options;
    auto dataset = data::load_image_dataset(o.dataset, o.data_dir);
    if (o.train_size > 0) dataset.train.truncate(o.train_size);
    if (o.val_size > 0) dataset.test.truncate(o.val_size);
    const auto quality = data::Quality::parse(o.quality);
    const auto subsampling = codec::parse_subsampling(o.subsampling);
    const int threads = core::resolve_threads(o.threads);
    const auto start = std::chrono::steady_clock::now();
    const auto train = data::compress_images(dataset.train, quality, subsampling, threads);
    const auto test = data::compress_images(dataset.test, quality, subsampling, threads);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>(train.images + test.images) / seconds;
    if (o.json) {
      nlohmann::json j;
      j["dataset"] = o.dataset;
      j["quality"] = quality.to_string();
      j["subsampling"] = o.subsampling;
      j["threads"] = threads;
      j["seconds"] = seconds;
      j["images_per_second"] = rate;
      j["train"] = data::to_json(train);
      j["test"] = data::to_json(test);
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%s at quality %s (%s), %d threads: %.0f images/s\n", o.dataset.c_str(),
                quality.to_string().c_str(), o.subsampling.c_str(), threads, rate);
    std::printf("%-6s %8s %12s %11s %10s\n", "split", "images", "bytes/image", "bits/pixel",
                "PSNR (dB)");
    for (const auto& [name, s] : {std::pair{"train", train}, std::pair{"test", test}}) {
      std::printf("%-6s %8lld %12.1f %11.3f %10s\n", name, static_cast<long long>(s.images),
                  s.mean_bytes, s.bits_per_pixel,
                  s.mean_psnr ? std::to_string(*s.mean_psnr).substr(0, 6).c_str() : "n/a");
    }
  });
}

}  // namespace helmholtz::commands
