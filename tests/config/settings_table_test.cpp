// The declaration of the settings (config/settings_table.hpp) against what uses it: the loader
// accepts every declared key and stores it where it belongs, refuses exactly outside the declared
// range or choices, starts from the declared defaults (also those the storage module keeps), and
// docs/configuration.md shows the same tables, row by row.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "config/settings_doc.hpp"
#include "config/settings_table.hpp"

namespace lmp::config {
namespace {

constexpr std::string_view kBase = "/etc/lmpd";

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  return all;
}

std::vector<std::string> errors_of(const std::string& yaml) {
  LoadResult result = load_string(yaml, "t.yaml", std::string(kBase));
  std::vector<std::string> texts;
  for (const auto& e : result.errors) texts.push_back(e.to_string());
  return texts;
}

// A declared key as written in a file: `*` becomes each listener.
std::vector<std::string> spellings(const Setting& s) {
  const auto star = s.key.find('*');
  if (star == std::string_view::npos) return {std::string(s.key)};
  std::vector<std::string> keys;
  for (std::string_view listener : {"seat", "admin"}) {
    std::string key(s.key);
    key.replace(star, 1, listener);
    keys.push_back(key);
  }
  return keys;
}

// A document setting `key` to `value`, with what the key needs beside it to be valid on its own:
// a TLS section needs its certificate, key and (for require_client_certificate) client CAs, the
// postgresql backend its connection and secret file.
std::string document(const std::string& key, const std::string& value) {
  std::vector<std::string> parts;
  for (std::size_t from = 0, dot; from <= key.size(); from = dot + 1) {
    dot = key.find('.', from);
    if (dot == std::string::npos) dot = key.size();
    parts.push_back(key.substr(from, dot - from));
  }
  std::string yaml;
  for (std::size_t depth = 0; depth < parts.size(); ++depth) {
    yaml += std::string(depth * 2, ' ') + parts[depth] + ":";
    yaml += depth + 1 == parts.size() ? " " + value + "\n" : "\n";
  }
  const std::string indent(parts.size() * 2 - 2, ' ');
  if (key.find(".tls.") != std::string::npos) {
    for (std::string_view needed : {"certificate", "private_key", "client_ca"})
      if (parts.back() != needed) yaml += indent + std::string(needed) + ": x.pem\n";
  }
  if (key == "storage.backend")
    yaml += "  postgresql:\n    connection: host=db\n  secret_file: lmpd.secret\n";
  return yaml;
}

// Every declared key's value in a loaded config, as it would be written in the file (paths
// relative to kBase). This is the test's own reading of Config, kept apart from the loader's.
std::map<std::string, std::string> values_of(const Config& c) {
  std::map<std::string, std::string> v;
  auto path = [](const std::string& p) {
    const std::string prefix = std::string(kBase) + "/";
    return p.starts_with(prefix) ? p.substr(prefix.size()) : p;
  };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  for (const auto& [name, l] :
       {std::pair{"seat", &c.seat_listener}, std::pair{"admin", &c.admin_listener}}) {
    const std::string at = std::string("listeners.") + name + ".";
    v[at + "address"] = l->address;
    v[at + "port"] = std::to_string(l->port);
    v[at + "enabled"] = flag(l->enabled);
    if (!l->tls) continue;
    v[at + "tls.certificate"] = path(l->tls->certificate_file);
    v[at + "tls.private_key"] = path(l->tls->private_key_file);
    v[at + "tls.client_ca"] = path(l->tls->client_ca_file);
    v[at + "tls.require_client_certificate"] = flag(l->tls->require_client_certificate);
    v[at + "tls.min_version"] = l->tls->min_version;
  }
  const Limits& l = c.limits;
  v["limits.max_connections"] = std::to_string(l.max_connections);
  v["limits.max_connections_per_address"] = std::to_string(l.max_connections_per_address);
  v["limits.idle_timeout_seconds"] = std::to_string(l.idle_timeout_seconds);
  v["limits.request_timeout_seconds"] = std::to_string(l.request_timeout_seconds);
  v["limits.max_unsent_bytes"] = std::to_string(l.max_unsent_bytes);
  v["limits.send_timeout_seconds"] = std::to_string(l.send_timeout_seconds);
  v["limits.tls_handshake_timeout_seconds"] = std::to_string(l.tls_handshake_timeout_seconds);
  v["limits.shutdown_timeout_seconds"] = std::to_string(l.shutdown_timeout_seconds);
  v["limits.max_waiters"] = std::to_string(l.max_waiters);
  v["limits.invalid_code_burst"] = std::to_string(l.invalid_code_burst);
  v["limits.invalid_code_window_seconds"] = std::to_string(l.invalid_code_window_seconds);
  const Storage& s = c.storage;
  v["storage.backend"] = s.backend == storage::Backend::postgresql ? "postgresql" : "sqlite";
  v["storage.sqlite.path"] = path(s.sqlite_path);
  v["storage.sqlite.synchronous"] =
      s.synchronous == storage::Synchronous::normal ? "normal" : "full";
  v["storage.sqlite.busy_timeout_seconds"] = std::to_string(s.busy_timeout_seconds);
  v["storage.postgresql.connection"] = s.postgresql_connection;
  v["storage.secret_file"] = path(s.secret_file);
  v["storage.max_batch"] = std::to_string(s.max_batch);
  v["plugins.directory"] = path(c.plugin_directory);
  std::string folders;
  for (const auto& folder : c.plugin_directories)
    folders += (folders.empty() ? "" : ", ") + path(folder);
  v["plugins.directories"] = "[" + folders + "]";
  v["leases.duration_seconds"] = std::to_string(c.leases.duration_seconds);
  v["leases.heartbeat_seconds"] = std::to_string(c.leases.heartbeat_seconds);
  v["leases.reclaim_interval_ms"] = std::to_string(c.leases.reclaim_interval_ms);
  v["leases.max_wait_seconds"] = std::to_string(c.leases.max_wait_seconds);
  v["logging.level"] = c.logging.level;
  v["server.instance_id"] = c.server.instance_id;
  v["policy.file"] = path(c.policy.file);
  std::string keys;
  for (const auto& key : c.trust.vendor_keys) keys += (keys.empty() ? "'" : ", '") + key + "'";
  v["trust.vendor_keys"] = "[" + keys + "]";
  v["trust.clock_tolerance_seconds"] = std::to_string(c.trust.clock_tolerance_seconds);
  v["entitlements.directory"] = path(c.entitlements.directory);
  v["usage.records"] = c.usage.records ? "true" : "false";
  v["usage.retention_days"] = std::to_string(c.usage.retention_days);
  v["usage.rollup_interval_seconds"] = std::to_string(c.usage.rollup_interval_seconds);
  v["events.sweep_interval_ms"] = std::to_string(c.events.sweep_interval_ms);
  v["events.denials_per_hour"] = std::to_string(c.events.denials_per_hour);
  v["events.webhook_ca_file"] = path(c.events.webhook_ca_file);
  return v;
}

// A valid value for the setting other than its default, where it has one.
std::string other_value(const Setting& s) {
  switch (s.type) {
    case SettingType::integer: {
      // Next to the default, so that keys whose ranges depend on each other stay valid.
      const std::int64_t value = std::stoll(std::string(s.default_value));
      return std::to_string(value < s.max ? value + 1 : value - 1);
    }
    case SettingType::boolean:
      return s.default_value == "true" ? "false" : "true";
    case SettingType::choice:
      for (std::string_view choice : s.choices)
        if (choice != s.default_value) return std::string(choice);
      return "";
    case SettingType::address:
      return "::1";
    case SettingType::path:
      return "elsewhere/file";
    case SettingType::path_list:
      return "[elsewhere/a, /opt/b]";
    case SettingType::key_list:
      // RFC 8037 A.2's public key.
      return R"(['{"kty":"OKP","crv":"Ed25519","kid":"k1",)"
             R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'])";
    case SettingType::text:
      return "host=db";
  }
  return "";
}

TEST(SettingsTable, EveryKeyIsStoredWhereItBelongs) {
  for (const Setting& s : kSettings) {
    for (const std::string& key : spellings(s)) {
      SCOPED_TRACE(key);
      const std::string value = other_value(s);
      ASSERT_FALSE(value.empty());
      std::string yaml = document(key, value);
      // The folder of entitlements is a site server's: it needs a vendor key beside it.
      if (key == "entitlements.directory")
        yaml += document("trust.vendor_keys", other_value(*find_setting("trust.vendor_keys")));
      LoadResult result = load_string(yaml, "t.yaml", std::string(kBase));
      ASSERT_TRUE(result.ok()) << yaml << result.errors.front().to_string();
      const auto values = values_of(*result.config);
      ASSERT_TRUE(values.count(key)) << "values_of in this test does not read " << key;
      EXPECT_EQ(values.at(key), value) << yaml;
    }
  }
}

TEST(SettingsTable, DefaultsAreTheDeclaredOnes) {
  const auto defaults = values_of(*load_string("", "t.yaml", std::string(kBase)).config);
  const auto with_tls = values_of(
      *load_string("listeners:\n  seat:\n    tls: {certificate: c.pem, private_key: k.pem}\n"
                   "  admin:\n    tls: {certificate: c.pem, private_key: k.pem}\n",
                   "t.yaml", std::string(kBase))
           .config);
  for (const Setting& s : kSettings) {
    if (s.default_value.empty()) continue;
    for (const std::string& key : spellings(s)) {
      SCOPED_TRACE(key);
      const auto& values = key.find(".tls.") == std::string::npos ? defaults : with_tls;
      ASSERT_TRUE(values.count(key)) << "values_of in this test does not read " << key;
      EXPECT_EQ(values.at(key), s.default_value);
    }
  }
}

TEST(SettingsTable, TheLoaderChecksTheDeclaredRanges) {
  for (const Setting& s : kSettings) {
    // A range that depends on another key is checked against it (config_errors_test.cpp).
    if (s.type != SettingType::integer || !s.range_note.empty()) continue;
    for (const std::string& key : spellings(s)) {
      SCOPED_TRACE(key);
      const std::string expected = key + ": expected an integer from " + std::to_string(s.min) +
                                   " to " + std::to_string(s.max) + ", got '";
      for (std::int64_t inside : {s.min, s.max})
        EXPECT_EQ(joined(errors_of(document(key, std::to_string(inside)))), "");
      for (std::int64_t outside : {s.min - 1, s.max + 1}) {
        const auto errors = errors_of(document(key, std::to_string(outside)));
        ASSERT_EQ(errors.size(), 1u) << joined(errors);
        EXPECT_NE(errors[0].find(expected + std::to_string(outside) + "'"), std::string::npos)
            << errors[0];
      }
    }
  }
}

TEST(SettingsTable, TheLoaderChecksTheDeclaredChoices) {
  for (const Setting& s : kSettings) {
    if (s.type != SettingType::choice) continue;
    std::string listed;
    for (std::size_t i = 0; i < s.choices.size(); ++i)
      listed += (i == 0                      ? ""
                 : i + 1 == s.choices.size() ? " or "
                                             : ", ") +
                std::string(s.choices[i]);
    for (const std::string& key : spellings(s)) {
      SCOPED_TRACE(key);
      for (std::string_view choice : s.choices)
        EXPECT_EQ(joined(errors_of(document(key, "\"" + std::string(choice) + "\""))), "");
      const auto errors = errors_of(document(key, "bogus"));
      ASSERT_EQ(errors.size(), 1u) << joined(errors);
      EXPECT_NE(errors[0].find(key + ": expected " + listed + ", got 'bogus'"), std::string::npos)
          << errors[0];
    }
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SettingsDocs, ConfigurationMdShowsTheDeclaredSettings) {
  const std::string path = std::string(LMP_SOURCE_DIR) + "/docs/configuration.md";
  const std::string text = read_file(path);
  ASSERT_FALSE(text.empty()) << path;
  EXPECT_EQ(joined(check_settings_tables(text, "docs/configuration.md")), "")
      << "run scripts/update-settings-docs.sh";
}

// A document of the generated blocks alone, and its line holding `needle`.
std::string generated() {
  std::string text;
  for (std::string_view group :
       {"listeners", "tls", "limits", "storage", "plugins", "leases", "server", "usage", "events",
        "policy", "trust", "entitlements", "logging"})
    text += "<!-- settings: " + std::string(group) + " -->\n<!-- /settings -->\n";
  return update_settings_tables(text);
}

std::size_t line_with(const std::string& text, const std::string& needle) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.find(needle); ++i) line += text[i] == '\n';
  return line;
}

TEST(SettingsDocs, TheCheckNamesTheRowThatDisagrees) {
  const std::string good = generated();
  EXPECT_EQ(joined(check_settings_tables(good, "c.md")), "");

  std::string changed = good;
  const std::string row = "| `limits.max_connections` | integer | 1 to 1000000 | `4096` |";
  ASSERT_NE(changed.find(row), std::string::npos);
  changed.replace(changed.find(row), row.size(),
                  "| `limits.max_connections` | integer | 1 to 100000 | `1000` |");
  const std::string at = "c.md:" + std::to_string(line_with(good, row)) + ": ";
  EXPECT_EQ(check_settings_tables(changed, "c.md"),
            (std::vector<std::string>{
                at + "row `limits.max_connections`: range is '1 to 100000', kSettings says '1 to "
                     "1000000'",
                at + "row `limits.max_connections`: default is '`1000`', kSettings says "
                     "'`4096`'"}));

  std::string missing = good;
  const std::size_t start = missing.find("| `logging.level`");
  missing.erase(start, missing.find('\n', start) + 1 - start);
  const auto problems = check_settings_tables(missing, "c.md");
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_NE(problems[0].find("no row for `logging.level` in the 'logging' table"),
            std::string::npos)
      << problems[0];

  std::string extra = good;
  extra.insert(extra.find("| `logging.level`"), "| `logging.colour` | choice | x | x | x |\n");
  const auto extras = check_settings_tables(extra, "c.md");
  ASSERT_EQ(extras.size(), 1u) << joined(extras);
  EXPECT_NE(extras[0].find("row `logging.colour` is not in the 'logging' group of kSettings"),
            std::string::npos)
      << extras[0];

  const std::string no_block = good.substr(0, good.find("<!-- settings: logging -->"));
  EXPECT_EQ(check_settings_tables(no_block, "c.md"),
            std::vector<std::string>{
                "c.md: no settings block for 'logging' (<!-- settings: logging -->)"});
}

}  // namespace
}  // namespace lmp::config
