#include "helmholtz/core/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "helmholtz/core/error.hpp"

namespace helmholtz::core {

std::shared_ptr<spdlog::logger> console_logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_level(spdlog::level::info);
    sink->set_pattern("[%H:%M:%S] %^%v%$");
    auto l = std::make_shared<spdlog::logger>("helmholtz", sink);
    l->set_level(spdlog::level::debug);
    l->flush_on(spdlog::level::debug);
    return l;
  }();
  return logger;
}

void add_file_sink(spdlog::logger& logger, const std::filesystem::path& file) {
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), false);
    sink->set_level(spdlog::level::debug);
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    logger.sinks().push_back(sink);
  } catch (const spdlog::spdlog_ex& e) {
    throw RunError("cannot open log file '" + file.string() + "': " + e.what());
  }
}

}  // namespace helmholtz::core
