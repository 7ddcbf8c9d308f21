// The notifications through libsystemd (sd_notify, sd_watchdog_enabled), which knows the
// protocol's details: abstract socket names, WATCHDOG_PID, and what newer systemd versions add.
#include "app/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/log.hpp"

namespace lmp::app {

SystemdNotifier SystemdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const bool active = socket != nullptr && *socket != '\0';
  std::optional<std::chrono::microseconds> watchdog;
  std::uint64_t usec = 0;
  // Positive only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, names this process: a
  // child that inherited the environment must not answer for its parent.
  const int enabled = ::sd_watchdog_enabled(0, &usec);
  if (enabled < 0) {
    log::warning("watchdog_ignored", {{"reason", std::strerror(-enabled)}});
  } else if (enabled > 0 && usec > 0) {
    watchdog = std::chrono::microseconds(usec);
  }
  return SystemdNotifier(active, watchdog);
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
  if (!active() || !watchdog_) return std::nullopt;
  return *watchdog_ / 2;
}

void SystemdNotifier::send(std::string_view state) const {
  if (!active()) return;
  const std::string message(state);
  const int sent = ::sd_notify(0, message.c_str());
  if (sent < 0) log::warning("notify_failed", {{"reason", std::strerror(-sent)}});
}

std::string SystemdNotifier::reloading_message() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

}  // namespace lmp::app
