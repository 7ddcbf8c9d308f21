// Every fixed key of lmpd.yaml declared once: its path, type, range or choices, default and one
// line of doc. The loader takes its checks from here (config_loader.cpp), config.hpp its defaults,
// and the settings tables of docs/configuration.md are generated from it (settings_doc.hpp), so
// none of them can disagree. Products and their family settings are not here: a product's keys
// are the loader's, its settings the family plugin's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace lmp::config {

enum class SettingType {
  integer,    // plain digits, within [min, max]
  boolean,    // true or false
  text,       // a non-empty string
  path,       // a non-empty string; relative to the config file's folder
  path_list,  // a list of paths, each as `path`
  key_list,   // a list of Ed25519 public keys, each a JWK object or a PEM block
  address,    // an IPv4 or IPv6 address
  choice,     // one of `choices`
};

struct Setting {
  // The dotted path in the YAML file. `*` stands for either listener, seat or admin
  // (listeners.*.tls.certificate): the key is the same under both.
  std::string_view key;
  SettingType type = SettingType::text;
  std::int64_t min = 0;  // integer: the accepted range
  std::int64_t max = 0;
  std::span<const std::string_view> choices;  // choice: the accepted values, in message order
  // As written in YAML ("10000", "true", "info"); empty when the key has no default of its own.
  std::string_view default_value;
  // For the docs: what applies without a default_value ("required", "none"), or a remark after it.
  std::string_view default_note;
  // For the docs, when the range depends on another key (it is then checked against that key).
  std::string_view range_note;
  std::string_view doc;  // one line, markdown

  // The last part of the key: the name the key has in its YAML map.
  constexpr std::string_view name() const { return key.substr(key.rfind('.') + 1); }
};

namespace settings_detail {

inline constexpr std::string_view kBackends[] = {"sqlite", "postgresql"};
inline constexpr std::string_view kSynchronous[] = {"full", "normal"};
inline constexpr std::string_view kTlsVersions[] = {"1.2", "1.3"};
inline constexpr std::string_view kLogLevels[] = {"debug", "info", "warning", "error"};

constexpr Setting integer(std::string_view key, std::int64_t min, std::int64_t max,
                          std::string_view default_value, std::string_view doc,
                          std::string_view range_note = {}) {
  return Setting{key, SettingType::integer, min, max, {}, default_value, {}, range_note, doc};
}
constexpr Setting boolean(std::string_view key, std::string_view default_value,
                          std::string_view doc) {
  return Setting{key, SettingType::boolean, 0, 0, {}, default_value, {}, {}, doc};
}
constexpr Setting choice(std::string_view key, std::span<const std::string_view> choices,
                         std::string_view default_value, std::string_view doc) {
  return Setting{key, SettingType::choice, 0, 0, choices, default_value, {}, {}, doc};
}
// `default_value` empty: `default_note` says what applies instead.
constexpr Setting of_type(SettingType type, std::string_view key, std::string_view default_value,
                          std::string_view default_note, std::string_view doc) {
  return Setting{key, type, 0, 0, {}, default_value, default_note, {}, doc};
}

}  // namespace settings_detail

// In the order of docs/configuration.md.
inline constexpr Setting kSettings[] = {
    // clang-format off
    settings_detail::of_type(SettingType::address, "listeners.seat.address", "127.0.0.1", {},
        "the seat protocol (`docs/protocol.md`); `0.0.0.0` or `::` listens everywhere"),
    Setting{"listeners.seat.port", SettingType::integer, 0, 65535, {}, "27400",
        "(`27401` with `tls`)", {}, "0 picks a free port"},
    settings_detail::boolean("listeners.seat.enabled", "true", "serve the seat protocol"),
    settings_detail::of_type(SettingType::address, "listeners.admin.address", "127.0.0.1", {},
        "the HTTP/JSON API (`docs/admin-api.md`): seat operations, `/healthz`, `/readyz`, "
        "`/metrics` (`docs/operations.md`), administration"),
    settings_detail::integer("listeners.admin.port", 0, 65535, "27480", "0 picks a free port"),
    settings_detail::boolean("listeners.admin.enabled", "true", "serve the HTTP/JSON API"),

    settings_detail::of_type(SettingType::path, "listeners.*.tls.certificate", {}, "required",
        "PEM file: the server certificate first, then any intermediate CA certificates"),
    settings_detail::of_type(SettingType::path, "listeners.*.tls.private_key", {}, "required",
        "PEM file: the certificate's private key (unencrypted; readable by the `lmpd` user only)"),
    settings_detail::of_type(SettingType::path, "listeners.*.tls.client_ca", {}, "none",
        "PEM file of the CAs whose client certificates are accepted. With it, a client that "
        "offers a certificate must offer a valid one from these CAs (else the handshake fails); "
        "a client may still offer none unless `require_client_certificate` is set"),
    settings_detail::boolean("listeners.*.tls.require_client_certificate", "false",
        "every client must present a valid certificate from `client_ca`; others are refused at "
        "the handshake (`event=tls_handshake_failed reason=no_client_certificate` or "
        "`bad_client_certificate`)"),
    settings_detail::choice("listeners.*.tls.min_version", settings_detail::kTlsVersions, "1.2",
        "the oldest TLS version accepted (TLS 1.0 and 1.1 are never accepted)"),

    settings_detail::integer("limits.max_connections", 1, 1000000, "4096",
        "counted per listener. When the listener is full, a new connection takes the place of the "
        "one that has waited longest for a request (it has sent none since connecting, or only "
        "part of one), which is closed (`connection_dropped reason=listener_full`); when no "
        "connection is waiting so, the new one is answered `ERR unavailable msg=too many "
        "connections` (HTTP: 503 `unavailable`) and closed; logged `connection_refused "
        "reason=max_connections`. Each connection holds a file descriptor: at start lmpd raises "
        "its soft open-file limit to both listeners' worth plus 128, within the hard limit "
        "(`LimitNOFILE=`), and logs `fd_limit_low` when the hard limit is lower. The default needs "
        "8320 descriptors, within the usual hard limits: systemd's 524288, the package's "
        "`LimitNOFILE=65536`, containers' 1048576"),
    settings_detail::integer("limits.max_connections_per_address", 1, 1000000, "1000",
        "counted per listener and client address (an IPv4-mapped IPv6 address counts as the IPv4 "
        "address). Over it: `ERR unavailable msg=too many connections from this address` (HTTP: "
        "503), closed; logged `reason=max_connections_per_address`"),
    settings_detail::integer("limits.idle_timeout_seconds", 1, 86400, "600",
        "a connection that sends nothing this long while nothing of it is in flight (a waiting "
        "checkout is in flight) is closed; logged `connection_idle_closed`"),
    settings_detail::integer("limits.request_timeout_seconds", 1, 3600, "30",
        "the longest one request may take to arrive once its first byte has: a seat-protocol "
        "line, or an HTTP request's head and body together. Past it the connection is closed "
        "(plain HTTP first answers 408 `request_timeout`); logged `connection_dropped "
        "reason=request_timeout`. The idle timeout starts again with every byte; this does not"),
    settings_detail::integer("limits.max_unsent_bytes", 1024, 1073741824, "1048576",
        "seat protocol: when a connection's answers not yet written to its socket reach this many "
        "bytes, lmpd stops reading its requests until the client has read enough of them"),
    settings_detail::integer("limits.send_timeout_seconds", 1, 3600, "30",
        "both listeners: a write of answers (HTTP: of a response) that the client does not take "
        "within this time drops the connection; logged `connection_dropped reason=send_timeout`"),
    settings_detail::integer("limits.tls_handshake_timeout_seconds", 1, 3600, "10",
        "a peer of a TLS listener that has not completed its handshake this long after "
        "connecting is disconnected (`tls_handshake_failed reason=timeout`), so a silent peer "
        "cannot hold a connection slot. Also bounds the close_notify exchange when a TLS "
        "connection ends"),
    settings_detail::integer("limits.shutdown_timeout_seconds", 1, 3600, "10",
        "on SIGTERM lmpd stops accepting, answers and commits what is in flight, and waits this "
        "long for clients to take their last answers; connections still open then are cut "
        "(`shutdown_dropped_connections`). Keep it below the unit's `TimeoutStopSec` (30)"),
    settings_detail::integer("limits.max_waiters", 0, 1000000, "100000",
        "checkouts queued by `wait=`, all licenses together. A checkout that would wait beyond it "
        "is answered `no_seats` (`msg=the wait queue is full`) at once; 0 turns waiting off"),
    settings_detail::integer("limits.invalid_code_burst", 1, 1000000, "10",
        "`invalid_code` answers one client address may collect within "
        "`invalid_code_window_seconds`; then code lookups (ACTIVATE, CHECKOUT, STATUS) are "
        "answered `rate_limited` with `retry_after=S` until the window ends"),
    settings_detail::integer("limits.invalid_code_window_seconds", 1, 86400, "60",
        "the window of `invalid_code_burst`. One budget per client address across both "
        "listeners, so a guesser gains nothing by switching protocols"),

    settings_detail::choice("storage.backend", settings_detail::kBackends, "sqlite",
        "`sqlite` (one lmpd per file) or `postgresql` (several instances, `docs/scale-out.md`)"),
    settings_detail::of_type(SettingType::path, "storage.sqlite.path", "lmpd.db", {},
        "the database file (by default beside the config); lmpd holds `<path>.lock` while it "
        "serves"),
    settings_detail::choice("storage.sqlite.synchronous", settings_detail::kSynchronous, "full",
        "`full`: every acknowledged commit survives power loss; `normal`: the last commits may "
        "not"),
    settings_detail::integer("storage.sqlite.busy_timeout_seconds", 1, 3600, "5",
        "how long a writer waits for the database lock"),
    settings_detail::of_type(SettingType::text, "storage.postgresql.connection", {}, "none",
        "a libpq connection string; required with `backend: postgresql`"),
    settings_detail::of_type(SettingType::path, "storage.secret_file", {},
        "`<storage.sqlite.path>.secret`; required with `backend: postgresql`",
        "the server secret: 32 random bytes that key the stored code and key hashes and lease "
        "ids. With SQLite lmpd makes it (0600) at the database's first start; with PostgreSQL "
        "every instance reads the same file, made once by you. Back it up apart from the "
        "database (`docs/operations.md`)"),
    settings_detail::integer("storage.max_batch", 1, 100000, "1024",
        "the most requests committed in one transaction"),

    settings_detail::of_type(SettingType::path, "plugins.directory", {},
        "the installed `lib/lmpd/plugins`",
        "the folder of the family plugins, all loaded at start; files added later load on reload"),
    settings_detail::of_type(SettingType::path_list, "plugins.directories", {}, "none",
        "more folders of family plugins (a third party's, such as `/usr/local/lib/lmpd/plugins`), "
        "loaded after `plugins.directory` in their order; a symlink in one may point into any "
        "listed folder; a family found twice loads from the first"),

    settings_detail::integer("leases.duration_seconds", 5, 604800, "300",
        "a lease lives this long without a heartbeat",
        "5 to 604800, above `leases.heartbeat_seconds`"),
    settings_detail::integer("leases.heartbeat_seconds", 1, 604799, "60",
        "the heartbeat interval advised to endpoints", "1 to `leases.duration_seconds` − 1"),
    settings_detail::integer("leases.reclaim_interval_ms", 10, 60000, "1000",
        "how often expired leases are swept"),
    settings_detail::integer("leases.max_wait_seconds", 0, 300, "300",
        "the longest `wait=` a checkout may ask for"),

    settings_detail::choice("logging.level", settings_detail::kLogLevels, "info",
        "the least severe level logged"),

    settings_detail::of_type(SettingType::text, "server.instance_id", {},
        "the host name and the seat listener's port (`lic1:27400`; the process id instead of a "
        "port of 0)",
        "the name of this lmpd instance, kept with every lease it grants (`GET /v1/leases` shows "
        "it as `instance`); give each instance sharing a PostgreSQL database its own"),

    settings_detail::boolean("usage.records", "true",
        "write a usage record for each checkout, checkin, reclaim, release, denial and wait"),
    settings_detail::integer("usage.retention_days", 1, 36500, "400",
        "usage records older than this are deleted, a small step at each reclaim sweep"),
    settings_detail::integer("usage.rollup_interval_seconds", 0, 3600, "1",
        "how often this instance looks for finished hours to roll up for the usage reports (and "
        "for hours a late record made stale); 0: never, where another instance on the same "
        "PostgreSQL database rolls up, and reports replay the records of hours not rolled up "
        "(slower, the same answers)"),

    settings_detail::integer("events.sweep_interval_ms", 50, 60000, "1000",
        "how often this instance runs the event sweep: the events time makes due, auto-renewal "
        "and End of Life deletions (`docs/events.md`); a shorter interval tells of them sooner "
        "for a write to the database each time"),
    settings_detail::integer("events.denials_per_hour", 0, 1000000, "100",
        "a `product.denials_exceeded` event is raised when more than this many checkouts of one "
        "product are refused within one clock hour (UTC): once for the whole tree, and once for "
        "each partner whose customers alone pass it (`docs/events.md`); 0: never"),
    settings_detail::of_type(SettingType::path, "events.webhook_ca_file", {},
        "the system's trust store",
        "PEM certificates of the authorities an `https://` webhook receiver's certificate must "
        "come from (it must also name the URL's host); read at start (a change needs a restart)"),

    settings_detail::of_type(SettingType::path, "policy.file", {}, "none",
        "a YAML file of customers' site policies, loaded at start and on reload (a wrong file "
        "keeps the policies in force); the admin API refuses to change the policies it holds "
        "(`docs/operations.md`, \"Site policy\")"),

    settings_detail::of_type(SettingType::key_list, "trust.vendor_keys", {}, "none",
        "the vendor's public keys: set, lmpd is a site server that takes its licenses only from "
        "entitlements they signed, and makes none itself; read at start (a change needs a "
        "restart) (`docs/entitlements.md`)"),
    settings_detail::integer("trust.clock_tolerance_seconds", 1, 2592000, "3600",
        "how far the wall clock may fall behind the server's high-water mark of it before lmpd "
        "reports it as moved back (log, `/metrics`, `/readyz`); licenses are judged at the mark "
        "whatever this is (`docs/entitlements.md`, \"The clock guard\")"),

    settings_detail::of_type(SettingType::path, "entitlements.directory", {}, "none",
        "on a site server: a folder whose `*.jws` files are imported at start and on reload, as "
        "`POST /v1/entitlements` imports them; a bad file is logged and audited and stops "
        "nothing; set without `trust.vendor_keys`, the config is refused "
        "(`docs/entitlements.md`, \"The watched folder\")"),
    // clang-format on
};

// Whether `key` is the table's `pattern`: the same, or with seat or admin where it has `*`.
constexpr bool key_matches(std::string_view pattern, std::string_view key) {
  if (pattern == key) return true;
  const auto star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == key;
  const std::string_view before = pattern.substr(0, star), after = pattern.substr(star + 1);
  if (!key.starts_with(before) || !key.ends_with(after) ||
      key.size() < before.size() + after.size())
    return false;
  const std::string_view listener =
      key.substr(before.size(), key.size() - before.size() - after.size());
  return listener == "seat" || listener == "admin";
}

// Where `key` is in kSettings, or kNoSetting. An index rather than a pointer: GCC's constant
// evaluation cannot compare the pointer with null under -fsanitize=undefined, and the lookups
// below are compile-time in every build, the sanitizer builds included.
inline constexpr std::size_t kNoSetting = static_cast<std::size_t>(-1);
constexpr std::size_t setting_index(std::string_view key) {
  for (std::size_t i = 0; i < std::size(kSettings); ++i)
    if (key_matches(kSettings[i].key, key)) return i;
  return kNoSetting;
}

// The setting at `key`, or null.
constexpr const Setting* find_setting(std::string_view key) {
  const std::size_t i = setting_index(key);
  return i == kNoSetting ? nullptr : &kSettings[i];
}

// The setting at `key`; a key that is not in the table does not compile.
consteval const Setting& setting(std::string_view key) {
  const std::size_t i = setting_index(key);
  if (i == kNoSetting) throw "no such key in kSettings";
  return kSettings[i];
}

namespace settings_detail {

constexpr bool parse_integer(std::string_view text, std::int64_t& out) {
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.empty()) return false;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = negative ? -value : value;
  return true;
}

// Each default is a value the loader would accept.
constexpr bool default_is_valid(const Setting& s) {
  if (s.default_value.empty()) return !s.default_note.empty();
  switch (s.type) {
    case SettingType::integer: {
      std::int64_t value = 0;
      return parse_integer(s.default_value, value) && value >= s.min && value <= s.max;
    }
    case SettingType::boolean:
      return s.default_value == "true" || s.default_value == "false";
    case SettingType::choice:
      return std::find(s.choices.begin(), s.choices.end(), s.default_value) != s.choices.end();
    default:
      return true;
  }
}

// Each key is declared once, and a key with `*` shadows none written out.
constexpr bool declared_once(std::size_t i) {
  const Setting& s = kSettings[i];
  if (s.key.find('*') == std::string_view::npos) return setting_index(s.key) == i;
  return std::count_if(std::begin(kSettings), std::end(kSettings),
                       [&](const Setting& other) { return other.key == s.key; }) == 1;
}

constexpr bool table_is_valid() {
  for (std::size_t i = 0; i < std::size(kSettings); ++i)
    if (!default_is_valid(kSettings[i]) || kSettings[i].doc.empty() || !declared_once(i))
      return false;
  return true;
}
static_assert(table_is_valid(), "a default out of its range, an empty doc or a key declared twice");

}  // namespace settings_detail

// The defaults, for config.hpp; a key without a default of that type does not compile.
consteval std::int64_t default_integer(std::string_view key) {
  const Setting& s = setting(key);
  std::int64_t value = 0;
  if (s.type != SettingType::integer || !settings_detail::parse_integer(s.default_value, value))
    throw "not an integer setting with a default";
  return value;
}
consteval bool default_boolean(std::string_view key) {
  const Setting& s = setting(key);
  if (s.type != SettingType::boolean || s.default_value.empty())
    throw "not a boolean setting with a default";
  return s.default_value == "true";
}
consteval std::string_view default_text(std::string_view key) {
  const Setting& s = setting(key);
  if (s.default_value.empty()) throw "no default";
  return s.default_value;
}

}  // namespace lmp::config
