#pragma once

#include <nlohmann/json.hpp>

#include "helmholtz/data/compress.hpp"

namespace helmholtz::data {

// {"images":..,"mean_bytes":..,"bits_per_pixel":..,"mean_psnr":.. or null}
nlohmann::json to_json(const CompressionStats& stats);

}  // namespace helmholtz::data
