// sd_notify's protocol spoken directly (one datagram per message to $NOTIFY_SOCKET), so lmpd does
// not need libsystemd; systemd documents the protocol as a stable interface.
#include "app/systemd_notifier.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/log.hpp"

namespace lmp::app {

namespace {

std::optional<std::chrono::microseconds> watchdog_from_environment() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr || *usec == '\0') return std::nullopt;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the
  // environment must not answer for its parent.
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid != '\0') {
    char* end = nullptr;
    const long long value = std::strtoll(pid, &end, 10);
    if (*end != '\0' || value != static_cast<long long>(::getpid())) return std::nullopt;
  }
  char* end = nullptr;
  const unsigned long long value = std::strtoull(usec, &end, 10);
  if (*end != '\0' || value == 0) return std::nullopt;
  return std::chrono::microseconds(value);
}

}  // namespace

SystemdNotifier SystemdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return SystemdNotifier(socket != nullptr ? socket : "", watchdog_from_environment());
}

SystemdNotifier::SystemdNotifier(std::string socket_path,
                                 std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
  // Only a filesystem path or an abstract name can be a notification socket.
  if (!socket_path_.empty() && socket_path_[0] != '/' && socket_path_[0] != '@') {
    log::warning("notify_socket_ignored", {{"path", socket_path_}});
    socket_path_.clear();
  }
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
  if (!active() || !watchdog_) return std::nullopt;
  return *watchdog_ / 2;
}

void SystemdNotifier::send(std::string_view state) const {
  if (!active()) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof address.sun_path) {
    log::warning("notify_failed", {{"reason", "socket path too long"}});
    return;
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    log::warning("notify_failed", {{"reason", std::strerror(errno)}});
    return;
  }
  ssize_t sent = 0;
  do {
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&address), length);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) log::warning("notify_failed", {{"reason", std::strerror(errno)}});
  ::close(fd);
}

std::string SystemdNotifier::reloading_message() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

}  // namespace lmp::app
