#pragma once
// One spdlog logger per job: console at info, and optionally a file in the run folder at debug.

#include "helmholtz/core/spdlog.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace helmholtz::core {

// A logger that prints to stderr (info and above). Created once, reused.
std::shared_ptr<spdlog::logger> console_logger();

// Adds a file sink at debug level (appending) to `logger`; returns the logger for chaining.
void add_file_sink(spdlog::logger& logger, const std::filesystem::path& file);

}  // namespace helmholtz::core
