// The config schema: which keys exist, their types, ranges and cross-checks, and the resolution of
// relative paths against the config file's folder.
#include "config/config_loader.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <utility>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "config/settings_table.hpp"
#include "config/yaml_walker.hpp"
#include "core/registration_key.hpp"
#include "domain/vendor_keys.hpp"

#ifndef LMP_DEFAULT_PLUGIN_DIR
#error "LMP_DEFAULT_PLUGIN_DIR must be defined by the build (see config/CMakeLists.txt)"
#endif

namespace lmp::config {

namespace {

using detail::Item;
using detail::Walker;

constexpr std::uint16_t kSeatTlsPort = 27401;  // protocol.md: TLS on its own port

// The keys of one listener's own section (its tls section's keys are the same for both).
struct ListenerKeys {
  const Setting& address;
  const Setting& port;
  const Setting& enabled;
};
constexpr ListenerKeys kSeatKeys{setting("listeners.seat.address"), setting("listeners.seat.port"),
                                 setting("listeners.seat.enabled")};
constexpr ListenerKeys kAdminKeys{setting("listeners.admin.address"),
                                  setting("listeners.admin.port"),
                                  setting("listeners.admin.enabled")};

bool valid_address(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

bool valid_product_code(const std::string& code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_family_name(const std::string& name) {
  if (name.empty() || name.size() > 31) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// "YYYY-MM-DD" naming a real calendar day, as Unix seconds of that day's UTC midnight.
std::optional<std::int64_t> parse_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year{*year},
                                   std::chrono::month{static_cast<unsigned>(*month)},
                                   std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::sys_days{date}.time_since_epoch())
      .count();
}

std::optional<sdk::UnitType> parse_unit(const std::string& text) {
  for (auto unit : {sdk::UnitType::seats, sdk::UnitType::endpoints, sdk::UnitType::users,
                    sdk::UnitType::encryption_keys})
    if (sdk::to_string(unit) == text) return unit;
  return std::nullopt;
}

// Lexical normalisation keeps loading free of filesystem access; it differs from the kernel's
// view of ".." only when the config folder is reached through a symlink.
std::string resolve(const std::filesystem::path& base, const std::string& text) {
  std::filesystem::path path(text);
  if (path.is_absolute()) return text;
  return (base / path).lexically_normal().string();
}

class Loader {
 public:
  Loader(Walker& walker, Config& config, std::filesystem::path base)
      : w_(walker), c_(config), base_(std::move(base)) {}

  void document(const YAML::Node& root) {
    Item item{root, "", root.Mark()};
    if (root.IsNull()) return;  // an empty file: every default
    if (!root.IsMap()) {
      w_.error(item.mark, "expected a map at the top level, got " + detail::describe(root));
      return;
    }
    const Walker::Fields fields = {
        {"listeners", [&](const Item& v) { listeners(v); }},
        {"storage", [&](const Item& v) { storage(v); }},
        {"plugins", [&](const Item& v) { plugins(v); }},
        {"leases", [&](const Item& v) { leases(v); }},
        {"limits", [&](const Item& v) { limits(v); }},
        {"logging", [&](const Item& v) { logging(v); }},
        {"server", [&](const Item& v) { server(v); }},
        {"usage", [&](const Item& v) { usage(v); }},
        {"events", [&](const Item& v) { events(v); }},
        {"policy", [&](const Item& v) { policy(v); }},
        {"trust", [&](const Item& v) { trust(v); }},
        {"entitlements", [&](const Item& v) { entitlements(v); }},
        {"products", [&](const Item& v) { products(v); }},
    };
    w_.fields(item, fields);
    check_components();
    check_entitlement_folder();
  }

 private:
  using Field = std::pair<std::string_view, Walker::FieldFn>;

  // The handler of a key of kSettings in its section's map.
  static Field field(const Setting& setting, Walker::FieldFn handler) {
    return {setting.name(), std::move(handler)};
  }
  // Fields that only store their checked value.
  template <class Integer>
  Field number(const Setting& s, Integer& out) {
    return field(s, [this, &s, &out](const Item& v) {
      if (auto n = w_.integer(v, s.min, s.max)) out = static_cast<Integer>(*n);
    });
  }
  Field flag(const Setting& s, bool& out) {
    return field(s, [this, &out](const Item& v) {
      if (auto b = w_.boolean(v)) out = *b;
    });
  }
  Field one_of(const Setting& s, std::string& out) {
    return field(s, [this, &s, &out](const Item& v) {
      if (auto c = w_.choice(v, s.choices)) out = *c;
    });
  }
  Field file(const Setting& s, std::string& out) {
    return field(s, [this, &out](const Item& v) {
      if (auto p = w_.text(v)) out = resolve(base_, *p);
    });
  }

  void listeners(const Item& item) {
    const Walker::Fields fields = {
        {"seat", [&](const Item& v) { listener(v, c_.seat_listener, kSeatKeys, kSeatTlsPort); }},
        {"admin", [&](const Item& v) { listener(v, c_.admin_listener, kAdminKeys, std::nullopt); }},
    };
    w_.fields(item, fields);
  }

  // `tls_port`: the port a listener with TLS takes when none is given (the protocol's 27401).
  void listener(const Item& item, Listener& out, const ListenerKeys& keys,
                std::optional<std::uint16_t> tls_port) {
    bool port_given = false;
    const Walker::Fields fields = {
        field(keys.address,
              [&](const Item& v) {
                auto text = w_.text(v);
                if (!text) return;
                if (valid_address(*text)) {
                  out.address = *text;
                } else {
                  w_.expected(v, "an IPv4 or IPv6 address");
                }
              }),
        field(keys.port,
              [&](const Item& v) {
                port_given = true;
                if (auto n = w_.integer(v, keys.port.min, keys.port.max))
                  out.port = static_cast<std::uint16_t>(*n);
              }),
        flag(keys.enabled, out.enabled),
        {"tls", [&](const Item& v) { tls(v, out.tls); }},
    };
    w_.fields(item, fields);
    if (out.tls && tls_port && !port_given) out.port = *tls_port;
  }

  // Only the shape is checked here; the files are read when the listener starts (and by
  // --check-config), so that loading stays free of filesystem access.
  void tls(const Item& item, std::optional<Tls>& out) {
    if (!w_.map(item, false)) return;
    Tls t;
    bool certificate = false, key = false;
    std::optional<Item> required_item;
    const Walker::Fields fields = {
        field(setting("listeners.*.tls.certificate"),
              [&](const Item& v) {
                if (auto p = w_.text(v)) t.certificate_file = resolve(base_, *p);
                certificate = true;
              }),
        field(setting("listeners.*.tls.private_key"),
              [&](const Item& v) {
                if (auto p = w_.text(v)) t.private_key_file = resolve(base_, *p);
                key = true;
              }),
        file(setting("listeners.*.tls.client_ca"), t.client_ca_file),
        field(setting("listeners.*.tls.require_client_certificate"),
              [&](const Item& v) {
                required_item = v;
                if (auto b = w_.boolean(v)) t.require_client_certificate = *b;
              }),
        one_of(setting("listeners.*.tls.min_version"), t.min_version),
    };
    w_.fields(item, fields);
    if (!certificate) w_.error(item.mark, item.path + ": needs certificate (a PEM file)");
    if (!key) w_.error(item.mark, item.path + ": needs private_key (a PEM file)");
    if (required_item && t.require_client_certificate && t.client_ca_file.empty())
      w_.error(required_item->mark, required_item->path +
                                        ": needs client_ca, the CAs that client certificates must "
                                        "come from");
    out = std::move(t);
  }

  void storage(const Item& item) {
    Storage& s = c_.storage;
    std::optional<Item> backend_item;
    const Setting& backend = setting("storage.backend");
    const Walker::Fields fields = {
        field(backend,
              [&](const Item& v) {
                if (auto b = w_.choice(v, backend.choices)) {
                  s.backend =
                      *b == "postgresql" ? storage::Backend::postgresql : storage::Backend::sqlite;
                  backend_item = v;
                }
              }),
        {"sqlite", [&](const Item& v) { sqlite(v); }},
        {"postgresql",
         [&](const Item& v) {
           const Setting& connection = setting("storage.postgresql.connection");
           const Walker::Fields pg = {
               field(connection,
                     [&](const Item& c) {
                       if (auto text = w_.text(c)) s.postgresql_connection = *text;
                     }),
           };
           w_.fields(v, pg);
         }},
        number(setting("storage.max_batch"), s.max_batch),
        file(setting("storage.secret_file"), s.secret_file),
    };
    w_.fields(item, fields);
    if (backend_item && s.backend == storage::Backend::postgresql &&
        s.postgresql_connection.empty())
      w_.error(backend_item->mark,
               backend_item->path + ": postgresql needs storage.postgresql.connection");
    // Every instance must key with the same secret, which lmpd cannot make for them.
    if (backend_item && s.backend == storage::Backend::postgresql && s.secret_file.empty())
      w_.error(backend_item->mark,
               backend_item->path +
                   ": postgresql needs storage.secret_file, the server secret every instance "
                   "shares (docs/scale-out.md)");
  }

  void sqlite(const Item& item) {
    Storage& s = c_.storage;
    const Setting& synchronous = setting("storage.sqlite.synchronous");
    const Walker::Fields fields = {
        file(setting("storage.sqlite.path"), s.sqlite_path),
        field(synchronous,
              [&](const Item& v) {
                if (auto m = w_.choice(v, synchronous.choices))
                  s.synchronous =
                      *m == "normal" ? storage::Synchronous::normal : storage::Synchronous::full;
              }),
        number(setting("storage.sqlite.busy_timeout_seconds"), s.busy_timeout_seconds),
    };
    w_.fields(item, fields);
  }

  void plugins(const Item& item) {
    const Walker::Fields fields = {
        file(setting("plugins.directory"), c_.plugin_directory),
        field(setting("plugins.directories"), [&](const Item& v) { plugin_directories(v); }),
    };
    w_.fields(item, fields);
  }

  // Calls `each` with every element of the sequence `item` (path `item.path[i]`); an empty
  // sequence is allowed, anything else is an error at its position.
  template <class Each>
  void each_element(const Item& item, Each&& each) {
    if (!w_.sequence(item, true)) return;
    std::size_t index = 0;
    for (auto it = item.node.begin(); it != item.node.end(); ++it, ++index) {
      const YAML::Node element = *it;
      each(Item{element, item.path + "[" + std::to_string(index) + "]", element.Mark()});
    }
  }

  void plugin_directories(const Item& item) {
    each_element(item, [&](const Item& folder) {
      const auto text = w_.text(folder);
      if (!text) return;
      std::string path = resolve(base_, *text);
      const auto& listed = c_.plugin_directories;
      if (std::find(listed.begin(), listed.end(), path) != listed.end()) {
        w_.error(folder.mark, folder.path + ": " + path + " is listed twice");
        return;
      }
      c_.plugin_directories.push_back(std::move(path));
    });
  }

  void leases(const Item& item) {
    LeaseDefaults& l = c_.leases;
    const Setting& duration_setting = setting("leases.duration_seconds");
    const Setting& heartbeat_setting = setting("leases.heartbeat_seconds");
    std::optional<Item> duration;
    std::optional<Item> heartbeat;
    bool duration_ok = true;
    const Walker::Fields fields = {
        field(duration_setting,
              [&](const Item& v) {
                duration = v;
                auto n = w_.integer(v, duration_setting.min, duration_setting.max);
                if (n) l.duration_seconds = *n;
                duration_ok = n.has_value();
              }),
        // Its range depends on the duration, which may come later in the map.
        field(heartbeat_setting, [&](const Item& v) { heartbeat = v; }),
        number(setting("leases.reclaim_interval_ms"), l.reclaim_interval_ms),
        number(setting("leases.max_wait_seconds"), l.max_wait_seconds),
    };
    w_.fields(item, fields);
    if (heartbeat) {
      // With a bad duration there is no bound to hold the heartbeat to beyond the largest one.
      std::int64_t max = duration_ok ? l.duration_seconds - 1 : heartbeat_setting.max;
      if (auto n = w_.integer(*heartbeat, heartbeat_setting.min, max,
                              " (below leases.duration_seconds)"))
        l.heartbeat_seconds = *n;
    } else if (duration && duration_ok && l.duration_seconds <= l.heartbeat_seconds) {
      // A short duration alone would leave the default heartbeat too slow to keep leases alive.
      w_.integer(*duration, l.heartbeat_seconds + 1, duration_setting.max,
                 " (above the default leases.heartbeat_seconds of " +
                     std::to_string(l.heartbeat_seconds) + ")");
    }
  }

  void limits(const Item& item) {
    Limits& l = c_.limits;
    const Walker::Fields fields = {
        number(setting("limits.invalid_code_burst"), l.invalid_code_burst),
        number(setting("limits.invalid_code_window_seconds"), l.invalid_code_window_seconds),
        number(setting("limits.max_connections"), l.max_connections),
        number(setting("limits.max_connections_per_address"), l.max_connections_per_address),
        number(setting("limits.idle_timeout_seconds"), l.idle_timeout_seconds),
        number(setting("limits.request_timeout_seconds"), l.request_timeout_seconds),
        number(setting("limits.max_unsent_bytes"), l.max_unsent_bytes),
        number(setting("limits.send_timeout_seconds"), l.send_timeout_seconds),
        number(setting("limits.max_waiters"), l.max_waiters),
        number(setting("limits.tls_handshake_timeout_seconds"), l.tls_handshake_timeout_seconds),
        number(setting("limits.shutdown_timeout_seconds"), l.shutdown_timeout_seconds),
    };
    w_.fields(item, fields);
  }

  void logging(const Item& item) {
    const Walker::Fields fields = {
        one_of(setting("logging.level"), c_.logging.level),
    };
    w_.fields(item, fields);
  }

  void server(const Item& item) {
    const Walker::Fields fields = {
        field(setting("server.instance_id"),
              [&](const Item& v) {
                if (auto id = w_.text(v)) c_.server.instance_id = *id;
              }),
    };
    w_.fields(item, fields);
  }

  void policy(const Item& item) {
    const Walker::Fields fields = {
        file(setting("policy.file"), c_.policy.file),
    };
    w_.fields(item, fields);
  }

  void trust(const Item& item) {
    const Walker::Fields fields = {
        field(setting("trust.vendor_keys"), [&](const Item& v) { vendor_keys(v); }),
        number(setting("trust.clock_tolerance_seconds"), c_.trust.clock_tolerance_seconds),
    };
    w_.fields(item, fields);
  }

  void entitlements(const Item& item) {
    const Walker::Fields fields = {
        field(setting("entitlements.directory"),
              [&](const Item& v) {
                if (auto p = w_.text(v)) {
                  c_.entitlements.directory = resolve(base_, *p);
                  entitlement_folder_mark_ = v.mark;
                }
              }),
    };
    w_.fields(item, fields);
  }

  // Only a site server imports entitlements: a folder of them on the vendor's server is a
  // mistake worth stopping for (its files would be refused one by one at every reload).
  void check_entitlement_folder() {
    if (entitlement_folder_mark_ && c_.trust.vendor_keys.empty())
      w_.error(*entitlement_folder_mark_,
               "entitlements.directory: set, but trust.vendor_keys is not: only a site server "
               "imports entitlements (docs/entitlements.md)");
  }

  void vendor_keys(const Item& item) {
    each_element(item, [&](const Item& key) {
      const auto text = w_.text(key);
      if (!text) return;
      std::string why;
      if (!domain::parse_vendor_key(*text, why)) {
        w_.error(key.mark, key.path + ": " + why);
        return;
      }
      c_.trust.vendor_keys.push_back(*text);
    });
  }

  void usage(const Item& item) {
    const Walker::Fields fields = {
        flag(setting("usage.records"), c_.usage.records),
        number(setting("usage.retention_days"), c_.usage.retention_days),
        number(setting("usage.rollup_interval_seconds"), c_.usage.rollup_interval_seconds),
    };
    w_.fields(item, fields);
  }

  void events(const Item& item) {
    const Walker::Fields fields = {
        number(setting("events.sweep_interval_ms"), c_.events.sweep_interval_ms),
        number(setting("events.denials_per_hour"), c_.events.denials_per_hour),
        file(setting("events.webhook_ca_file"), c_.events.webhook_ca_file),
    };
    w_.fields(item, fields);
  }

  void products(const Item& item) {
    each_element(item, [&](const Item& entry) { product(entry); });
  }

  void product(const Item& item) {
    if (!w_.map(item, false)) return;
    Product p;
    p.position = w_.position(item.mark);
    // Present keys, even with bad values: those are reported as bad, not also as missing.
    bool has_code = false, has_name = false, has_family = false, has_unit = false;
    std::optional<Item> code_item;
    std::optional<Item> end_of_life_item;
    std::string end_of_sale_text;
    const Walker::Fields fields = {
        {"code",
         [&](const Item& v) {
           has_code = true;
           auto code = w_.text(v);
           if (!code) return;
           if (valid_product_code(*code)) {
             p.code = *code;
             code_item = v;
           } else {
             w_.expected(v, "1 to 64 characters of A-Z a-z 0-9 . _ -");
           }
         }},
        {"name",
         [&](const Item& v) {
           has_name = true;
           if (auto name = w_.text(v)) p.name = *name;
         }},
        {"family",
         [&](const Item& v) {
           has_family = true;
           auto family = w_.text(v);
           if (!family) return;
           if (valid_family_name(*family)) {
             p.family = *family;
           } else {
             w_.expected(v, "1 to 31 characters of a-z 0-9 _");
           }
         }},
        {"unit",
         [&](const Item& v) {
           has_unit = true;
           if (auto unit = w_.choice(v, {"seats", "endpoints", "users", "encryption_keys"}))
             p.unit = *parse_unit(*unit);
         }},
        {"settings", [&](const Item& v) { settings(v, p); }},
        {"components", [&](const Item& v) { components(v, p); }},
        {"key_prefix",
         [&](const Item& v) {
           auto prefix = w_.text(v);
           if (!prefix) return;
           if (registration_key::is_prefix(*prefix))
             p.key_prefix = *prefix;
           else
             w_.expected(v, "two uppercase letters of " +
                                std::string(registration_key::kAlphabet.substr(8)));
         }},
        {"end_of_sale",
         [&](const Item& v) {
           p.end_of_sale_unix = date(v);
           if (p.end_of_sale_unix) end_of_sale_text = v.node.Scalar();
         }},
        {"end_of_life",
         [&](const Item& v) {
           p.end_of_life_unix = date(v);
           if (p.end_of_life_unix) end_of_life_item = v;
         }},
    };
    w_.fields(item, fields);
    for (auto [present, key] : {std::pair{has_code, "code"}, std::pair{has_name, "name"},
                                std::pair{has_family, "family"}, std::pair{has_unit, "unit"}})
      if (!present) w_.error(item.mark, item.path + ": missing required key '" + key + "'");
    if (code_item) {
      auto [first, inserted] = code_lines_.emplace(p.code, w_.position(code_item->mark).line);
      if (!inserted)
        w_.error(code_item->mark, code_item->path + ": duplicate product code '" + p.code +
                                      "' (first at line " + std::to_string(first->second) + ")");
    }
    if (end_of_life_item && p.end_of_sale_unix && *p.end_of_life_unix < *p.end_of_sale_unix)
      w_.expected(*end_of_life_item, "a date not before end_of_sale " + end_of_sale_text);
    c_.products.push_back(std::move(p));
  }

  void components(const Item& item, Product& p) {
    if (!w_.sequence(item, false)) return;
    if (item.node.size() == 0) {
      w_.error(item.mark,
               item.path + ": expected a non-empty list of product codes, got an empty list");
      return;
    }
    std::size_t index = 0;
    for (auto it = item.node.begin(); it != item.node.end(); ++it, ++index) {
      const YAML::Node element = *it;
      Item entry{element, item.path + "[" + std::to_string(index) + "]", element.Mark()};
      auto code = w_.text(entry);
      if (!code) continue;
      if (std::find(p.components.begin(), p.components.end(), *code) != p.components.end()) {
        w_.error(entry.mark, entry.path + ": component '" + *code + "' is listed twice");
        continue;
      }
      p.components.push_back(*code);
      pending_components_.push_back({entry, *code, c_.products.size()});
    }
  }

  // Runs once every product is known: a component must be another product of this config, and
  // not a suite itself (a suite of suites would make one holder's unit count twice).
  void check_components() {
    for (const auto& pending : pending_components_) {
      const Product& suite = c_.products[pending.suite_index];
      const Product* component = c_.find_product(pending.code);
      if (component == nullptr)
        w_.error(pending.item.mark, pending.item.path + ": no product '" + pending.code + "'");
      else if (pending.code == suite.code)
        w_.error(pending.item.mark, pending.item.path + ": a suite cannot contain itself");
      else if (!component->components.empty())
        w_.error(pending.item.mark,
                 pending.item.path + ": '" + pending.code + "' is a suite; suites do not nest");
    }
  }

  void settings(const Item& item, Product& p) {
    if (!w_.map(item, true)) return;
    // Which settings a family accepts is the family's business; only their shape is checked here.
    w_.for_each_entry(item,
                      [&](const std::string& key, const YAML::Mark& key_mark, const Item& value) {
                        if (!value.node.IsScalar()) {
                          w_.expected(value, "a scalar value");
                          return;
                        }
                        p.settings[key] = value.node.Scalar();
                        p.setting_positions[key] = w_.position(key_mark);
                      });
  }

  std::optional<std::int64_t> date(const Item& item) {
    std::optional<std::int64_t> seconds;
    if (item.node.IsScalar()) seconds = parse_date(item.node.Scalar());
    if (!seconds) w_.expected(item, "a calendar date YYYY-MM-DD");
    return seconds;
  }

  struct PendingComponent {
    Item item;
    std::string code;
    std::size_t suite_index;  // into c_.products
  };

  Walker& w_;
  Config& c_;
  std::filesystem::path base_;
  std::vector<PendingComponent> pending_components_;
  std::optional<YAML::Mark> entitlement_folder_mark_;  // where entitlements.directory was set
  std::map<std::string, int> code_lines_;  // product code -> line of its first definition
};

// Reads with POSIX calls so the error text is the real errno (a directory, permissions, ...).
std::optional<std::string> read_file(const std::string& path, int& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno;
    return std::nullopt;
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

// What the document stream holds, found by walking its events before building any node:
// yaml-cpp 0.7's YAML::LoadAll never returns when a token cannot start a node (a stray ','), as
// its parser then yields empty documents without consuming anything (upstream issue 1040).
struct StreamShape {
  bool stuck = false;
  YAML::Mark stuck_at = YAML::Mark::null_mark();
  std::optional<YAML::Mark> second_document;  // the first non-empty document after the first
};

class DocumentSurvey : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start_ = mark;
    content_.reset();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { saw(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    saw(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    saw(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    saw(mark);
  }
  void OnMapEnd() override {}

  const YAML::Mark& start() const { return start_; }
  // Where the document's first node starts, when it has one.
  const std::optional<YAML::Mark>& content() const { return content_; }

 private:
  void saw(const YAML::Mark& mark) {
    if (!content_) content_ = mark;
  }

  YAML::Mark start_ = YAML::Mark::null_mark();
  std::optional<YAML::Mark> content_;
};

StreamShape survey_documents(const std::string& yaml) {
  StreamShape shape;
  std::istringstream stream(yaml);
  YAML::Parser parser(stream);
  DocumentSurvey survey;
  std::optional<int> previous_start;
  // Every document that makes progress consumes at least one character, so this bound is never
  // reached by a stream the parser gets through; it backs up the same-position check below.
  const std::size_t most_documents = yaml.size() + 2;
  for (std::size_t count = 0; parser.HandleNextDocument(survey); ++count) {
    if ((previous_start && *previous_start == survey.start().pos) || count > most_documents) {
      shape.stuck = true;
      shape.stuck_at = survey.start();
      return shape;
    }
    previous_start = survey.start().pos;
    if (count > 0 && survey.content() && !shape.second_document)
      shape.second_document = survey.content();
  }
  return shape;
}

std::string character_at(const std::string& yaml, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= yaml.size()) return "end of input";
  return std::string(1, yaml[static_cast<std::size_t>(mark.pos)]);
}

}  // namespace

std::string Error::to_string() const {
  if (position.line == 0) return position.file + ": " + message;
  return position.file + ":" + std::to_string(position.line) + ":" +
         std::to_string(position.column) + ": " + message;
}

LoadResult load_string(const std::string& yaml, const std::string& file_name,
                       const std::string& base_dir) {
  Walker walker(file_name);
  Config config;
  config.source_file = file_name;
  config.plugin_directory = LMP_DEFAULT_PLUGIN_DIR;
  try {
    std::error_code ec;
    std::filesystem::path base = base_dir.empty() ? std::filesystem::current_path(ec)
                                                  : std::filesystem::absolute(base_dir, ec);
    if (ec) {
      walker.error(YAML::Mark::null_mark(),
                   "cannot resolve the config folder '" + base_dir + "': " + ec.message());
    } else {
      base = base.lexically_normal();
      config.storage.sqlite_path = (base / "lmpd.db").string();
      const StreamShape shape = survey_documents(yaml);
      if (shape.stuck) {
        walker.error(shape.stuck_at, "unexpected '" + character_at(yaml, shape.stuck_at) +
                                         "' where a value should start");
      } else {
        Loader(walker, config, base).document(YAML::Load(yaml));
        // A stray "---" followed by nothing is harmless; a second configuration is not.
        if (shape.second_document)
          walker.error(*shape.second_document,
                       "expected a single YAML document, got another one after '---'");
      }
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this is "bad file".
    walker.error(e.mark,
                 "nested too deeply (the limit is " + std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    walker.error(e.mark, e.msg);
  } catch (const std::exception& e) {
    walker.error(YAML::Mark::null_mark(), std::string("internal error: ") + e.what());
  } catch (...) {
    walker.error(YAML::Mark::null_mark(), "internal error: unknown exception");
  }
  LoadResult result;
  result.errors = walker.take_errors();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_file(const std::string& path) {
  int error = 0;
  std::optional<std::string> content = read_file(path, error);
  if (!content) {
    LoadResult result;
    result.errors.push_back(
        Error{Position{path, 0, 0}, "cannot read file: " + std::generic_category().message(error)});
    return result;
  }
  std::filesystem::path file(path);
  LoadResult result = load_string(*content, path, file.parent_path().string());
  if (result.config) {
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(file, ec);
    if (!ec) result.config->source_file = absolute.lexically_normal().string();
  }
  return result;
}

}  // namespace lmp::config
