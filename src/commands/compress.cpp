// helmholtz compress: the compression stage alone, with its figures; nothing is trained.

#include <cstdio>
#include <memory>

#include "commands/commands.hpp"
#include "helmholtz/core/parallel.hpp"
#include "helmholtz/data/prepare.hpp"
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
      "compress",
      "Encode and decode a dataset at a JPEG quality and print bytes, bits per pixel "
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
    const auto quality = data::Quality::parse(o.quality);
    const int threads = core::resolve_threads(o.threads);
    const auto prepared =
        data::prepare_images(o.dataset, o.data_dir, o.train_size, o.val_size, quality,
                             codec::parse_subsampling(o.subsampling), threads);
    const auto& train = prepared.train;
    const auto& test = prepared.test;
    const double seconds = prepared.compress_seconds;
    const double rate = static_cast<double>(train.images + test.images) / seconds;
    if (o.json) {
      nlohmann::json j;
      j["dataset"] = o.dataset;
      j["quality"] = quality.to_string();
      j["subsampling"] = o.subsampling;
      j["threads"] = threads;
      j["seconds"] = seconds;
      j["images_per_second"] = quality.raw ? nlohmann::json(nullptr) : nlohmann::json(rate);
      j["train"] = data::to_json(train);
      j["test"] = data::to_json(test);
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    if (quality.raw) {
      std::printf("%s, raw (no codec)\n", o.dataset.c_str());
    } else {
      std::printf("%s at quality %s (%s subsampling for colour), %d threads: %.0f images/s\n",
                  o.dataset.c_str(), quality.to_string().c_str(), o.subsampling.c_str(), threads,
                  rate);
    }
    std::printf("%-6s %8s %12s %11s %10s\n", "split", "images", "bytes/image", "bits/pixel",
                "PSNR (dB)");
    for (const auto& [name, s] : {std::pair{"train", train}, std::pair{"test", test}}) {
      char psnr[32] = "n/a";
      if (s.mean_psnr) std::snprintf(psnr, sizeof psnr, "%.2f", *s.mean_psnr);
      std::printf("%-6s %8lld %12.1f %11.3f %10s\n", name, static_cast<long long>(s.images),
                  s.mean_bytes, s.bits_per_pixel, psnr);
    }
  });
}

}  // namespace helmholtz::commands
