#pragma once

#include <nlohmann/json.hpp>

#include "helmholtz/data/audio_compress.hpp"
#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/compress.hpp"

namespace helmholtz::data {

// {"images":..,"mean_bytes":..,"bits_per_pixel":..,"mean_psnr":.. or null}
nlohmann::json to_json(const CompressionStats& stats);

// A folder dataset's split at one level:
// {"images":..,"mean_bytes":..,"mean_payload_bytes":..,"bits_per_pixel":..,"mean_psnr":.. or null}
nlohmann::json to_json(const FolderStats& stats);

// {"clips":..,"seconds_of_audio":..,"mean_bytes":..,"kbps":..,"output_sample_rates":[..],
//  "mean_snr_db":.. or null,"mean_delay_seconds":..,"max_delay_seconds":..}
nlohmann::json to_json(const AudioCompressionStats& stats);
// The inverse, for stats kept in a cache file; throws nlohmann::json::exception when a key is
// missing.
AudioCompressionStats audio_stats_from_json(const nlohmann::json& j);

}  // namespace helmholtz::data
