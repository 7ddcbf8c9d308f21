// The daemon's configuration as loaded from YAML: plain values, already validated, with every
// relative path resolved against the config file's folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lmp/sdk/family.hpp"
#include "storage/storage_options.hpp"

namespace lmp::config {

// Where in a YAML file a value came from; 1-based, for messages.
struct Position {
  std::string file;
  int line = 0;
  int column = 0;
};

// A listener's TLS: when present the listener speaks TLS only. The files are read when the
// listener starts and again on every reload (so a rotated certificate is picked up).
struct Tls {
  std::string certificate_file;  // PEM: the server certificate first, then its chain; absolute
  std::string private_key_file;  // PEM: the key of that certificate; absolute
  std::string client_ca_file;    // PEM: CAs whose client certificates are accepted; "" for none
  bool require_client_certificate = false;  // needs client_ca_file
  std::string min_version = "1.2";          // "1.2" or "1.3"
};

struct Listener {
  std::string address = "127.0.0.1";
  std::uint16_t port = 27400;
  bool enabled = true;
  std::optional<Tls> tls;
};

// The storage module's options (the database) and the seat engine's batch size.
struct Storage : storage::Options {
  int max_batch = 1024;  // most requests committed in one transaction
};

struct LeaseDefaults {
  std::int64_t duration_seconds = 300;      // a lease lives this long without a heartbeat
  std::int64_t heartbeat_seconds = 60;      // the interval the server advises
  std::int64_t reclaim_interval_ms = 1000;  // how often expired leases are swept
  std::int64_t max_wait_seconds = 300;      // the largest `wait=` accepted
};

struct Limits {
  int invalid_code_burst = 10;           // invalid_code answers a peer may get in a row...
  int invalid_code_window_seconds = 60;  // ...within this window before `rate_limited`
  std::size_t max_connections = 10000;   // per listener
  std::size_t max_connections_per_address = 1000;  // per listener and peer address
  int idle_timeout_seconds = 600;          // a connection that sends nothing this long is closed
  std::size_t max_unsent_bytes = 1 << 20;  // a seat connection's unwritten answers; then no reads
  int send_timeout_seconds = 30;           // a write the client does not take this long drops it
  std::size_t max_waiters = 100000;        // queued `wait` checkouts, all licenses together
  int shutdown_timeout_seconds = 10;  // on stop, connections still writing answers then are cut
  int tls_handshake_timeout_seconds = 10;  // a TLS peer that has not finished its handshake is cut

  bool operator==(const Limits&) const = default;
};

struct Logging {
  std::string level = "info";  // debug, info, warning, error
};

struct Product {
  std::string code;
  std::string name;
  std::string family;  // plugin family name, e.g. "software"
  sdk::UnitType unit = sdk::UnitType::seats;
  std::map<std::string, std::string> settings;        // family settings, scalar values as written
  std::map<std::string, Position> setting_positions;  // where each setting was written
  // A suite's component products, by code: its license checks out any of them with `product=`.
  std::vector<std::string> components;
  // The two letters its registration keys start with (`key_prefix`); empty when not set: the
  // catalog then derives them from the code (registration_key::default_prefix).
  std::string key_prefix;
  std::optional<std::int64_t> end_of_sale_unix;  // from `end_of_sale: YYYY-MM-DD` (UTC midnight)
  std::optional<std::int64_t> end_of_life_unix;
  Position position;  // where the product's entry starts
};

struct Config {
  std::string source_file;  // the file it was loaded from
  Listener seat_listener;
  Listener admin_listener{"127.0.0.1", 27480, true,
                          std::nullopt};  // HTTP: seat operations, health, admin API
  Storage storage;
  std::string plugin_directory;  // absolute after loading
  LeaseDefaults leases;
  Limits limits;
  Logging logging;
  std::vector<Product> products;

  const Product* find_product(const std::string& code) const {
    for (const auto& p : products)
      if (p.code == code) return &p;
    return nullptr;
  }
};

}  // namespace lmp::config
