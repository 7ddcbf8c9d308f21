// Tells systemd how the service is doing through libsystemd's sd_notify: READY, RELOADING,
// STOPPING, STATUS and WATCHDOG. Does nothing when lmpd was not started by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::app {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment (sd_notify(3),
  // sd_watchdog_enabled(3)).
  static SystemdNotifier from_environment();

  bool active() const { return active_; }
  // How often to send WATCHDOG=1: half the timeout systemd enforces, as sd_watchdog_enabled(3)
  // advises; empty when no watchdog is asked for.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
  // Sends one notification ("READY=1", "STATUS=...", newline-separated assignments). Failures
  // are logged, never thrown: a missing notification is systemd's to time out, not a reason to
  // stop serving.
  void send(std::string_view state) const;

  // "RELOADING=1\nMONOTONIC_USEC=..." with CLOCK_MONOTONIC now, as systemd 253+ expects and 252
  // accepts.
  static std::string reloading_message();

 private:
  SystemdNotifier(bool active, std::optional<std::chrono::microseconds> watchdog)
      : active_(active), watchdog_(watchdog) {}

  bool active_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace lmp::app
