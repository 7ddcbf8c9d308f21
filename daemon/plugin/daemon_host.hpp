// The services the daemon lends every family plugin: logging into the daemon's log and the
// daemon's (injectable) clock.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/clock.hpp"
#include "lmp/sdk/family.hpp"

namespace lmp::plugin {

// One instance is shared by all loaded families. Thread-safe, as sdk::Host requires.
class DaemonHost final : public sdk::Host {
 public:
  // `clock` must outlive the host.
  explicit DaemonHost(const Clock& clock) : clock_(clock) {}

  // Writes one lmp::log line with event "plugin_<event>" and the text in a `message` field.
  // Characters of `event` outside [a-z0-9_] become '_', so a plugin cannot break the line format
  // or impersonate a daemon event; an empty event is logged as "plugin_event".
  void log(sdk::LogLevel level, std::string_view event, std::string_view message) override;

  std::int64_t now_unix_ms() override { return clock_.now_unix_ms(); }

 private:
  const Clock& clock_;
};

}  // namespace lmp::plugin
