// Config, start, kill and license creation for LmpdInstance.
#include "support/lmpd_instance.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/tls_client.hpp"

namespace lmp::test {

std::uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot pick an unused port");
  ::close(fd);
  return ntohs(address.sin_port);
}

LmpdInstance::LmpdInstance(std::filesystem::path dir, const std::string& seat_tls,
                           const std::string& more_yaml, const std::string& admin_tls)
    : dir_(std::move(dir)),
      port_(unused_port()),
      tls_(!seat_tls.empty()),
      admin_tls_(!admin_tls.empty()) {
  std::ofstream(dir_ / "lmpd.yaml")
      << "listeners:\n  seat:\n    address: 127.0.0.1\n    port: " << port_ << "\n"
      << (tls_ ? "    tls:\n" + seat_tls : "") << "  admin:\n    address: 127.0.0.1\n    port: 0\n"
      << (admin_tls_ ? "    tls:\n" + admin_tls : "") << "storage:\n  sqlite:\n    path: lmpd.db\n"
      << "leases:\n  reclaim_interval_ms: 100\n"
      << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR << "\n"
      << "products:\n  - code: cad\n    name: CAD Studio\n    family: software\n"
      << "    unit: seats\n    settings:\n      lease_seconds: 10\n      heartbeat_seconds: 2\n"
      << more_yaml;
}

std::string LmpdInstance::http_url() const {
  if (!process_) throw std::runtime_error("lmpd is not running");
  return std::string(admin_tls_ ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(process_->admin_port());
}

void LmpdInstance::start() {
  process_.reset();
  process_ = std::make_unique<DaemonProcess>(dir_ / "lmpd.yaml", dir_ / "lmpd.log");
}

void LmpdInstance::kill_hard() {
  if (process_) process_->kill_hard();
  process_.reset();
}

std::string LmpdInstance::create_license(int units) {
  return admin_create_license(dir_ / "lmpd.yaml", units);
}

int LmpdInstance::release_all_leases(const std::string& reason) {
  if (token_.empty()) {
    auto r = run_command({LMP_TEST_LMPD_BINARY, "admin", "--config", (dir_ / "lmpd.yaml").string(),
                          "init", "--name", "parent"});
    auto at = r.out.find("API token: ");
    if (r.exit_code != 0 || at == std::string::npos)
      throw std::runtime_error("lmpd admin init failed: " + r.err);
    token_ = r.out.substr(at + 11, r.out.find('\n', at) - at - 11);
  }
  auto call = [&](const std::string& method, const std::string& target) {
    HttpClient client(process_->admin_port());
    client.send_raw(
        request_text(method, target, "", "application/json", {"Authorization: Bearer " + token_}));
    auto reply = client.read_reply();
    if (!reply || reply->status != 200)
      throw std::runtime_error(method + " " + target + " failed: " + (reply ? reply->body : ""));
    return reply->json();
  };
  int released = 0;
  const auto listed = call("GET", "/v1/leases");
  for (const auto& lease : listed.at("items").as_array()) {
    call("DELETE", "/v1/leases/" + std::string(lease.at("id").as_string()) + "?reason=" + reason);
    ++released;
  }
  return released;
}

int LmpdInstance::units_in_use(const std::string& code) const {
  const std::string request = "STATUS code=" + code;
  if (tls_) return std::stoi(fields_of(TlsClient(port_).request(request))["used"]);
  return std::stoi(fields_of(LineClient(port_).request(request))["used"]);
}

}  // namespace lmp::test
