// Tells systemd how the service is doing (sd_notify's datagram protocol): READY, RELOADING,
// STOPPING, STATUS and WATCHDOG. Does nothing when lmpd was not started by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::app {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  static SystemdNotifier from_environment();
  // Explicit socket path ("@name" for the abstract namespace) and watchdog timeout, for tests.
  SystemdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);

  bool active() const { return !socket_path_.empty(); }
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
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace lmp::app
