// libFuzzer target: config::load_string on arbitrary YAML text. It must neither throw nor crash,
// every refusal must be a positioned message rather than a caught internal error, and an accepted
// config must hold every range and cross-check that config/lmpd.yaml documents.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/fuzz_check.hpp"
#include "config/config_loader.hpp"

namespace {

using lmp::fuzz::check;

bool in(std::int64_t value, std::int64_t min, std::int64_t max) {
  return value >= min && value <= max;
}

bool valid_address(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

bool valid_product_code(const std::string& code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

void check_accepted(const lmp::config::Config& c, std::string_view yaml) {
  check(valid_address(c.seat_listener.address), "accepted listener address is no IP", yaml);
  check(c.storage.backend == lmp::storage::Backend::sqlite, "accepted an unknown storage backend",
        yaml);
  check(c.storage.synchronous == lmp::storage::Synchronous::full ||
            c.storage.synchronous == lmp::storage::Synchronous::normal,
        "accepted an unknown synchronous mode", yaml);
  check(in(c.storage.busy_timeout_seconds, 1, 3600), "busy_timeout_seconds out of range", yaml);
  check(in(c.storage.max_batch, 1, 100000), "max_batch out of range", yaml);
  check(!c.storage.sqlite_path.empty() && c.storage.sqlite_path.front() == '/',
        "sqlite path is not absolute", yaml);
  check(!c.plugin_directory.empty() && c.plugin_directory.front() == '/',
        "plugin directory is not absolute", yaml);
  const auto& l = c.leases;
  check(in(l.duration_seconds, 5, 604800), "duration_seconds out of range", yaml);
  check(in(l.heartbeat_seconds, 1, l.duration_seconds - 1), "heartbeat not below duration", yaml);
  check(in(l.reclaim_interval_ms, 10, 60000), "reclaim_interval_ms out of range", yaml);
  check(in(l.max_wait_seconds, 0, 300), "max_wait_seconds out of range", yaml);
  check(in(c.limits.invalid_code_burst, 1, 1000000), "invalid_code_burst out of range", yaml);
  check(in(c.limits.invalid_code_window_seconds, 1, 86400), "invalid_code_window out of range",
        yaml);
  check(in(static_cast<std::int64_t>(c.limits.max_connections), 1, 1000000),
        "max_connections out of range", yaml);
  check(in(c.limits.idle_timeout_seconds, 1, 86400), "idle_timeout_seconds out of range", yaml);
  check(in(static_cast<std::int64_t>(c.limits.max_connections_per_address), 1, 1000000),
        "max_connections_per_address out of range", yaml);
  check(in(static_cast<std::int64_t>(c.limits.max_unsent_bytes), 1024, 1073741824),
        "max_unsent_bytes out of range", yaml);
  check(in(c.limits.send_timeout_seconds, 1, 3600), "send_timeout_seconds out of range", yaml);
  check(in(static_cast<std::int64_t>(c.limits.max_waiters), 0, 1000000), "max_waiters out of range",
        yaml);
  const std::string& level = c.logging.level;
  check(level == "debug" || level == "info" || level == "warning" || level == "error",
        "accepted an unknown log level", yaml);
  std::set<std::string> codes;
  for (const auto& p : c.products) {
    check(valid_product_code(p.code), "accepted a malformed product code", p.code);
    check(codes.insert(p.code).second, "accepted a repeated product code", p.code);
    check(!p.family.empty() && p.family.size() <= 31, "accepted a malformed family", p.family);
    check(c.find_product(p.code) == &p, "find_product does not find a product", p.code);
    if (p.end_of_sale_unix && p.end_of_life_unix) {
      check(*p.end_of_life_unix >= *p.end_of_sale_unix, "end_of_life before end_of_sale", p.code);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  // An absolute base keeps path resolution off the file system and the current directory.
  const lmp::config::LoadResult result = lmp::config::load_string(yaml, "fuzz.yaml", "/etc/lmpd");
  check(result.ok() == result.config.has_value(), "config set without ok() or the reverse", yaml);
  for (const auto& error : result.errors) {
    check(!error.message.empty(), "error without a message", yaml);
    // load_string turns any std::exception into "internal error: ...": a bug, not a config fault.
    check(error.message.rfind("internal error", 0) != 0, "loader hit an internal error",
          error.message);
    check(error.position.line >= 0 && error.position.column >= 0, "negative error position",
          error.to_string());
    check(error.position.file == "fuzz.yaml" || error.position.line == 0,
          "error names another file", error.to_string());
  }
  if (result.config) check_accepted(*result.config, yaml);
  return 0;
}
