// A real lmpd for client tests: its own folder and database, a seat port that stays the same
// across restarts (so a client's server list survives them), and one product "cad" counted in
// seats whose leases last 10 s and are heartbeated every 2 s.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/daemon_process.hpp"

namespace lmp::test {

// A loopback TCP port nobody listens on right now (the kernel's pick, released again).
std::uint16_t unused_port();

class LmpdInstance {
 public:
  // Writes the config into `dir`; the server is not started yet. A non-empty `seat_tls` is the
  // YAML of listeners.seat.tls (its keys indented by six spaces): the seat listener speaks TLS.
  // `more_yaml` is appended to the config (top-level sections, such as `policy:`). A non-empty
  // `admin_tls` is listeners.admin.tls in the same way: the HTTP listener speaks https (then
  // release_all_leases, which speaks plain HTTP, cannot be used).
  explicit LmpdInstance(std::filesystem::path dir, const std::string& seat_tls = "",
                        const std::string& more_yaml = "", const std::string& admin_tls = "");

  void start();
  void kill_hard();  // SIGKILL: nothing is flushed or answered any more
  bool running() const { return process_ != nullptr; }

  // Creates a license of `units` seats of "cad" with `lmpd admin`; returns its activation code.
  std::string create_license(int units);
  // The units of the license in use now, asked over the seat protocol (STATUS).
  int units_in_use(const std::string& code) const;

  // Releases every live lease through the admin API (DELETE /v1/leases/{id}) as the parent,
  // whose token `lmpd admin init` makes on the first call. Returns how many it released.
  int release_all_leases(const std::string& reason);

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The HTTP listener of the running server ("http://127.0.0.1:PORT", https with `admin_tls`;
  // it moves on a restart).
  std::string http_url() const;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_;
  bool tls_;
  bool admin_tls_;
  std::unique_ptr<DaemonProcess> process_;
  std::string token_;
};

}  // namespace lmp::test
