// The daemon's configuration as loaded from YAML: plain values, already validated, with every
// relative path resolved against the config file's folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings_table.hpp"
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
  std::string certificate_file;      // PEM: the server certificate first, then its chain; absolute
  std::string private_key_file;      // PEM: the key of that certificate; absolute
  std::string client_ca_file;        // PEM: CAs whose client certificates are accepted; "" for none
  bool require_client_certificate =  // needs client_ca_file
      default_boolean("listeners.*.tls.require_client_certificate");
  std::string min_version{default_text("listeners.*.tls.min_version")};  // "1.2" or "1.3"
};

// The defaults are the seat listener's; Config::admin_listener has the admin listener's.
struct Listener {
  std::string address{default_text("listeners.seat.address")};
  std::uint16_t port = default_integer("listeners.seat.port");
  bool enabled = default_boolean("listeners.seat.enabled");
  std::optional<Tls> tls;
};

// The storage module's options (the database) and the seat engine's batch size. The storage
// module keeps its own defaults; a test checks them against kSettings.
struct Storage : storage::Options {
  int max_batch = default_integer("storage.max_batch");  // most requests in one transaction
};

struct LeaseDefaults {
  std::int64_t duration_seconds = default_integer("leases.duration_seconds");
  std::int64_t heartbeat_seconds = default_integer("leases.heartbeat_seconds");
  std::int64_t reclaim_interval_ms = default_integer("leases.reclaim_interval_ms");
  std::int64_t max_wait_seconds = default_integer("leases.max_wait_seconds");
};

// What each limit does is in kSettings (and docs/configuration.md).
struct Limits {
  int invalid_code_burst = default_integer("limits.invalid_code_burst");
  int invalid_code_window_seconds = default_integer("limits.invalid_code_window_seconds");
  std::size_t max_connections = default_integer("limits.max_connections");
  std::size_t max_connections_per_address = default_integer("limits.max_connections_per_address");
  int idle_timeout_seconds = default_integer("limits.idle_timeout_seconds");
  int request_timeout_seconds = default_integer("limits.request_timeout_seconds");
  std::size_t max_unsent_bytes = default_integer("limits.max_unsent_bytes");
  int send_timeout_seconds = default_integer("limits.send_timeout_seconds");
  std::size_t max_waiters = default_integer("limits.max_waiters");
  int shutdown_timeout_seconds = default_integer("limits.shutdown_timeout_seconds");
  int tls_handshake_timeout_seconds = default_integer("limits.tls_handshake_timeout_seconds");

  bool operator==(const Limits&) const = default;
};

struct Logging {
  std::string level{default_text("logging.level")};  // debug, info, warning, error
};

// The usage records (domain spec, "Usage records and reports").
struct Usage {
  bool records = default_boolean("usage.records");
  std::int64_t retention_days = default_integer("usage.retention_days");
  std::int64_t rollup_interval_seconds = default_integer("usage.rollup_interval_seconds");
};

// The events the sweep raises (docs/events.md).
struct Events {
  std::int64_t sweep_interval_ms = default_integer("events.sweep_interval_ms");
  std::int64_t denials_per_hour = default_integer("events.denials_per_hour");
  std::string webhook_ca_file;  // absolute after loading; empty: the system's trust store
  bool operator==(const Events&) const = default;
};

// The site policy kept in a file (docs/operations.md, "Site policy").
struct Policy {
  std::string file;  // absolute after loading; empty: none (policies are set through the API)
};

// The vendor keys a site server trusts (docs/entitlements.md).
struct Trust {
  std::vector<std::string> vendor_keys;  // as written (JWK or PEM text), each checked on load
  std::int64_t clock_tolerance_seconds = default_integer("trust.clock_tolerance_seconds");
};

// The watched folder of entitlements (docs/entitlements.md, "The watched folder").
struct Entitlements {
  std::string directory;  // absolute after loading; empty: none
};

struct Server {
  // Empty when not configured: the daemon derives it (settings_table.hpp says how).
  std::string instance_id;
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
  Listener admin_listener{std::string(default_text("listeners.admin.address")),
                          default_integer("listeners.admin.port"),
                          default_boolean("listeners.admin.enabled"),
                          std::nullopt};  // HTTP: seat operations, health, admin API
  Storage storage;
  std::string plugin_directory;                 // absolute after loading
  std::vector<std::string> plugin_directories;  // more folders (plugins.directories), absolute
  LeaseDefaults leases;
  Limits limits;
  Logging logging;
  Server server;
  Usage usage;
  Events events;
  Policy policy;
  Trust trust;
  Entitlements entitlements;
  std::vector<Product> products;

  // Every plugin folder, in loading order.
  std::vector<std::string> plugin_folders() const {
    std::vector<std::string> folders{plugin_directory};
    folders.insert(folders.end(), plugin_directories.begin(), plugin_directories.end());
    return folders;
  }

  const Product* find_product(const std::string& code) const {
    for (const auto& p : products)
      if (p.code == code) return &p;
    return nullptr;
  }
};

}  // namespace lmp::config
