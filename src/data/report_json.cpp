#include "helmholtz/data/report_json.hpp"

namespace helmholtz::data {

nlohmann::json to_json(const CompressionStats& stats) {
  nlohmann::json j;
  j["images"] = stats.images;
  j["mean_bytes"] = stats.mean_bytes;
  j["bits_per_pixel"] = stats.bits_per_pixel;
  j["mean_psnr"] = stats.mean_psnr ? nlohmann::json(*stats.mean_psnr) : nlohmann::json(nullptr);
  return j;
}

}  // namespace helmholtz::data
