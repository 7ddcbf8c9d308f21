// The daemon's sdk::Host: plugin log lines go through lmp::log under a "plugin_" event prefix.
#include "plugin/daemon_host.hpp"

#include <string>

#include "core/log.hpp"

namespace lmp::plugin {
namespace {

log::Level to_log_level(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::debug:
      return log::Level::debug;
    case sdk::LogLevel::info:
      return log::Level::info;
    case sdk::LogLevel::warning:
      return log::Level::warning;
    case sdk::LogLevel::error:
      return log::Level::error;
  }
  return log::Level::error;
}

}  // namespace

void DaemonHost::log(sdk::LogLevel level, std::string_view event, std::string_view message) {
  std::string name = "plugin_";
  if (event.empty()) {
    name += "event";
  } else {
    for (char c : event) {
      const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      name.push_back(allowed ? c : '_');
    }
  }
  log::write(to_log_level(level), name, {{"message", message}});
}

}  // namespace lmp::plugin
