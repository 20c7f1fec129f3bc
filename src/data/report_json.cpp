#include "helmholtz/data/report_json.hpp"

namespace helmholtz::data {

nlohmann::json to_json(const CompressionStats& stats) {
  nlohmann::json j;
  j["images"] = stats.images;
  j["mean_bytes"] = stats.mean_bytes;
  j["mean_payload_bytes"] = stats.mean_payload_bytes;
  j["mean_lossless_bytes"] = stats.mean_lossless_bytes;
  j["mean_lossless_payload_bytes"] = stats.mean_lossless_payload_bytes;
  j["bits_per_pixel"] = stats.bits_per_pixel;
  j["mean_psnr"] = stats.mean_psnr ? nlohmann::json(*stats.mean_psnr) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json to_json(const FolderStats& stats) {
  nlohmann::json j;
  j["images"] = stats.images;
  j["mean_bytes"] = stats.mean_bytes;
  j["mean_payload_bytes"] = stats.mean_payload_bytes;
  j["bits_per_pixel"] = stats.bits_per_pixel;
  j["mean_psnr"] = stats.mean_psnr ? nlohmann::json(*stats.mean_psnr) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json to_json(const AudioCompressionStats& s) {
  nlohmann::json j;
  j["clips"] = s.clips;
  j["seconds_of_audio"] = s.seconds_of_audio;
  j["mean_bytes"] = s.mean_bytes;
  j["mean_payload_bytes"] = s.mean_payload_bytes;
  j["mean_lossless_bytes"] = s.mean_lossless_bytes;
  j["mean_lossless_payload_bytes"] = s.mean_lossless_payload_bytes;
  j["kbps"] = s.kbps;
  j["output_sample_rates"] = s.output_sample_rates;
  j["mean_snr_db"] = s.mean_snr_db ? nlohmann::json(*s.mean_snr_db) : nlohmann::json(nullptr);
  j["mean_delay_seconds"] = s.mean_delay_seconds;
  j["max_delay_seconds"] = s.max_delay_seconds;
  return j;
}

AudioCompressionStats audio_stats_from_json(const nlohmann::json& j) {
  AudioCompressionStats s;
  s.clips = j.at("clips").get<std::int64_t>();
  s.seconds_of_audio = j.at("seconds_of_audio").get<double>();
  s.mean_bytes = j.at("mean_bytes").get<double>();
  s.mean_payload_bytes = j.at("mean_payload_bytes").get<double>();
  s.mean_lossless_bytes = j.at("mean_lossless_bytes").get<double>();
  s.mean_lossless_payload_bytes = j.at("mean_lossless_payload_bytes").get<double>();
  s.kbps = j.at("kbps").get<double>();
  s.output_sample_rates = j.at("output_sample_rates").get<std::vector<int>>();
  if (!j.at("mean_snr_db").is_null()) s.mean_snr_db = j.at("mean_snr_db").get<double>();
  s.mean_delay_seconds = j.at("mean_delay_seconds").get<double>();
  s.max_delay_seconds = j.at("max_delay_seconds").get<double>();
  return s;
}

}  // namespace helmholtz::data
