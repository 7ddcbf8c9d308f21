// Config loader, rejected input: the exact text and position of each class of error, and that
// all of them are collected in file order.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config_loader.hpp"

using lmp::config::load_string;
using lmp::config::LoadResult;
using Errors = std::vector<std::string>;

namespace {

Errors errors_of(const std::string& yaml) {
  LoadResult result = load_string(yaml, "t.yaml", "/etc/lmpd");
  EXPECT_EQ(result.config.has_value(), result.errors.empty());
  Errors texts;
  for (const auto& e : result.errors) texts.push_back(e.to_string());
  return texts;
}

// A document with one listener value, to try many spellings of a single key.
std::string seat(const std::string& key, const std::string& value) {
  return "listeners:\n  seat:\n    " + key + ": " + value + "\n";
}

}  // namespace

TEST(ConfigErrors, SyntaxErrorCarriesTheParsersPosition) {
  EXPECT_EQ(errors_of("listeners: [1\nstorage: 2\n"),
            Errors{"t.yaml:2:8: end of sequence flow not found"});
  EXPECT_EQ(errors_of("listeners:\n\tseat: 1\n"), Errors{"t.yaml:2:6: illegal map value"});
}

TEST(ConfigErrors, ExcessiveNestingIsASyntaxErrorNotACrash) {
  Errors errors = errors_of("listeners: " + std::string(5000, '[') + std::string(5000, ']') + "\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("t.yaml:1:", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find(": nested too deeply ("), std::string::npos) << errors[0];
}

TEST(ConfigErrors, UnknownKeysNameTheirSection) {
  EXPECT_EQ(errors_of(seat("prot", "1")),
            Errors{"t.yaml:3:5: unknown key 'prot' in listeners.seat"});
  EXPECT_EQ(errors_of("listener:\n  seat: {}\n"),
            Errors{"t.yaml:1:1: unknown key 'listener' at the top level"});
  EXPECT_EQ(errors_of("listeners:\n  metrics: {}\n"),
            Errors{"t.yaml:2:3: unknown key 'metrics' in listeners"});
  EXPECT_EQ(errors_of("listeners:\n  admin:\n    ssl: true\n"),
            Errors{"t.yaml:3:5: unknown key 'ssl' in listeners.admin"});
  EXPECT_EQ(
      errors_of("products:\n  - {code: a, name: A, family: f, unit: seats}\n"
                "  - {code: b, name: B, family: f, unit: seats}\n"
                "  - code: c\n    name: C\n    family: f\n    unit: seats\n    colour: red\n"),
      Errors{"t.yaml:8:5: unknown key 'colour' in products[2]"});
}

TEST(ConfigErrors, AdminListenerIsValidatedLikeTheSeatListener) {
  EXPECT_EQ(errors_of("listeners:\n  admin:\n    port: 65536\n"),
            Errors{"t.yaml:3:11: listeners.admin.port: expected an integer from 0 to 65535, got "
                   "'65536'"});
  EXPECT_EQ(errors_of("listeners:\n  admin:\n    port: \"27480\"\n"),
            Errors{"t.yaml:3:11: listeners.admin.port: expected an integer from 0 to 65535, got "
                   "'27480' (quoted, so a string)"});
  Errors address = errors_of("listeners:\n  admin:\n    address: localhost\n");
  ASSERT_EQ(address.size(), 1u);
  EXPECT_EQ(address[0].rfind("t.yaml:3:14: listeners.admin.address: expected an IPv4 or IPv6 "
                             "address",
                             0),
            0u)
      << address[0];
  Errors enabled = errors_of("listeners:\n  admin:\n    enabled: yes\n");
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(enabled[0].rfind("t.yaml:3:14: listeners.admin.enabled: expected true or false", 0), 0u)
      << enabled[0];
  EXPECT_EQ(errors_of("listeners:\n  admin:\n    port: 1\n    port: 2\n"),
            Errors{"t.yaml:4:5: duplicate key 'port' in listeners.admin (first at line 3)"});
  // Both listeners' problems are reported together.
  EXPECT_EQ(errors_of("listeners:\n  seat:\n    port: -1\n  admin:\n    port: -2\n").size(), 2u);
}

TEST(ConfigErrors, PluginFoldersMustBeAListOfPathsEachOnce) {
  EXPECT_EQ(errors_of("plugins:\n  directories: /opt/plugins\n"),
            Errors{"t.yaml:2:16: plugins.directories: expected a sequence, got '/opt/plugins'"});
  EXPECT_EQ(
      errors_of("plugins:\n  directories:\n    - a\n    - [b]\n    - ./b/../a\n"),
      (Errors{"t.yaml:4:7: plugins.directories[1]: expected a non-empty string, got a sequence",
              "t.yaml:5:7: plugins.directories[2]: /etc/lmpd/a is listed twice"}));
}

TEST(ConfigErrors, DuplicateKeysAreReportedAtTheSecondOccurrence) {
  EXPECT_EQ(errors_of("listeners:\n  seat:\n    port: 1\n    port: 2\n"),
            Errors{"t.yaml:4:5: duplicate key 'port' in listeners.seat (first at line 3)"});
  EXPECT_EQ(errors_of("logging: {level: info}\nlogging: {level: debug}\n"),
            Errors{"t.yaml:2:1: duplicate key 'logging' at the top level (first at line 1)"});
  EXPECT_EQ(errors_of("products:\n  - code: a\n    settings: {x: 1, x: 2}\n"
                      "    name: A\n    family: f\n    unit: seats\n"),
            Errors{"t.yaml:3:22: duplicate key 'x' in products[0].settings (first at line 3)"});
}

TEST(ConfigErrors, NonScalarKeysAreRejected) {
  EXPECT_EQ(errors_of("listeners:\n  ? [seat]\n  : {}\n"),
            Errors{"t.yaml:2:5: expected a scalar key in listeners, got a sequence"});
}

TEST(ConfigErrors, IntegersAreParsedStrictly) {
  const std::string range = "listeners.seat.port: expected an integer from 0 to 65535, got ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"abc", "'abc'"},
      {"12abc", "'12abc'"},
      {"1.5", "'1.5'"},
      {"true", "'true'"},
      {"0x10", "'0x10'"},
      {"010", "'010'"},
      {"+5", "'+5'"},
      {"1_000", "'1_000'"},
      {"1e3", "'1e3'"},
      {"-1", "'-1'"},
      {"65536", "'65536'"},
      {"99999999999999999999", "'99999999999999999999'"},
      {"\"27400\"", "'27400' (quoted, so a string)"},
      {"!!str 27400", "'27400'"},
      {"[1]", "a sequence"},
      {"{a: 1}", "a map"},
  };
  for (const auto& [written, shown] : cases) {
    SCOPED_TRACE(written);
    EXPECT_EQ(errors_of(seat("port", written)), Errors{"t.yaml:3:11: " + range + shown});
  }
}

TEST(ConfigErrors, EmptyValueIsReportedAtItsKey) {
  EXPECT_EQ(errors_of("listeners:\n  seat:\n    port:\n    enabled: true\n"),
            Errors{"t.yaml:3:5: listeners.seat.port: expected an integer from 0 to 65535, got an "
                   "empty value"});
  EXPECT_EQ(errors_of("products:\n  - code: ~\n    name: A\n    family: f\n    unit: seats\n"),
            Errors{"t.yaml:2:5: products[0].code: expected a non-empty string, got an empty "
                   "value"});
}

TEST(ConfigErrors, BooleansAreTrueOrFalseOnly) {
  for (const std::string written : {"yes", "True", "1", "on", "\"true\""}) {
    SCOPED_TRACE(written);
    Errors errors = errors_of(seat("enabled", written));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(
        errors[0].rfind("t.yaml:3:14: listeners.seat.enabled: expected true or false, got '", 0),
        0u)
        << errors[0];
  }
}

TEST(ConfigErrors, AddressesMustBeIpLiterals) {
  for (const std::string written :
       {"localhost", "'[::1]'", "127.0.0.256", "1.2.3", "fe80::1%eth0"}) {
    SCOPED_TRACE(written);
    Errors errors = errors_of(seat("address", written));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("t.yaml:3:14: listeners.seat.address: expected an IPv4 or IPv6 "
                              "address, got '",
                              0),
              0u)
        << errors[0];
  }
}

TEST(ConfigErrors, ChoicesNameTheAcceptedValues) {
  EXPECT_EQ(errors_of("storage:\n  backend: mysql\n"),
            Errors{"t.yaml:2:12: storage.backend: expected sqlite or postgresql, got 'mysql'"});
  EXPECT_EQ(errors_of("storage:\n  backend: postgresql\n"),
            (Errors{"t.yaml:2:12: storage.backend: postgresql needs storage.postgresql.connection",
                    "t.yaml:2:12: storage.backend: postgresql needs storage.secret_file, the "
                    "server secret every instance shares (docs/scale-out.md)"}));
  EXPECT_EQ(errors_of("storage:\n  backend: postgresql\n  secret_file: s\n  postgresql:\n"
                      "    connection: host=db\n"),
            Errors{});
  EXPECT_EQ(errors_of("storage:\n  sqlite:\n    synchronous: off\n"),
            Errors{"t.yaml:3:18: storage.sqlite.synchronous: expected full or normal, got 'off'"});
  EXPECT_EQ(errors_of("logging:\n  level: trace\n"),
            Errors{"t.yaml:2:10: logging.level: expected debug, info, warning or error, got "
                   "'trace'"});
  EXPECT_EQ(errors_of("products:\n  - {code: a, name: A, family: f, unit: seat}\n"),
            Errors{"t.yaml:2:41: products[0].unit: expected seats, endpoints, users or "
                   "encryption_keys, got 'seat'"});
}

TEST(ConfigErrors, RangesAreChecked) {
  EXPECT_EQ(errors_of("storage:\n  max_batch: 0\n  sqlite:\n    busy_timeout_seconds: 3601\n"
                      "    path: ''\n"),
            (Errors{"t.yaml:2:14: storage.max_batch: expected an integer from 1 to 100000, got '0'",
                    "t.yaml:4:27: storage.sqlite.busy_timeout_seconds: expected an integer from 1 "
                    "to 3600, got '3601'",
                    "t.yaml:5:11: storage.sqlite.path: expected a non-empty string, got ''"}));
  EXPECT_EQ(errors_of("leases:\n  reclaim_interval_ms: 9\n  max_wait_seconds: 301\n"
                      "  duration_seconds: 604801\n"),
            (Errors{"t.yaml:2:24: leases.reclaim_interval_ms: expected an integer from 10 to "
                    "60000, got '9'",
                    "t.yaml:3:21: leases.max_wait_seconds: expected an integer from 0 to 300, got "
                    "'301'",
                    "t.yaml:4:21: leases.duration_seconds: expected an integer from 5 to 604800, "
                    "got '604801'"}));
  EXPECT_EQ(errors_of("limits:\n  max_connections: 1000001\n  idle_timeout_seconds: 0\n"
                      "  invalid_code_burst: 0\n  invalid_code_window_seconds: 86401\n"),
            (Errors{"t.yaml:2:20: limits.max_connections: expected an integer from 1 to 1000000, "
                    "got '1000001'",
                    "t.yaml:3:25: limits.idle_timeout_seconds: expected an integer from 1 to "
                    "86400, got '0'",
                    "t.yaml:4:23: limits.invalid_code_burst: expected an integer from 1 to "
                    "1000000, got '0'",
                    "t.yaml:5:32: limits.invalid_code_window_seconds: expected an integer from 1 "
                    "to 86400, got '86401'"}));
  EXPECT_EQ(errors_of("limits:\n  max_connections_per_address: 0\n  max_unsent_bytes: 1023\n"
                      "  send_timeout_seconds: 3601\n  max_waiters: -1\n"),
            (Errors{"t.yaml:2:32: limits.max_connections_per_address: expected an integer from 1 "
                    "to 1000000, got '0'",
                    "t.yaml:3:21: limits.max_unsent_bytes: expected an integer from 1024 to "
                    "1073741824, got '1023'",
                    "t.yaml:4:25: limits.send_timeout_seconds: expected an integer from 1 to "
                    "3600, got '3601'",
                    "t.yaml:5:16: limits.max_waiters: expected an integer from 0 to 1000000, got "
                    "'-1'"}));
}

TEST(ConfigErrors, HeartbeatMustBeShorterThanTheDuration) {
  EXPECT_EQ(errors_of("leases:\n  heartbeat_seconds: 300\n"),
            Errors{"t.yaml:2:22: leases.heartbeat_seconds: expected an integer from 1 to 299 "
                   "(below leases.duration_seconds), got '300'"});
  // The duration may follow the heartbeat in the map.
  EXPECT_EQ(errors_of("leases:\n  heartbeat_seconds: 100\n  duration_seconds: 100\n"),
            Errors{"t.yaml:2:22: leases.heartbeat_seconds: expected an integer from 1 to 99 "
                   "(below leases.duration_seconds), got '100'"});
  EXPECT_EQ(errors_of("leases:\n  heartbeat_seconds: 0\n"),
            Errors{"t.yaml:2:22: leases.heartbeat_seconds: expected an integer from 1 to 299 "
                   "(below leases.duration_seconds), got '0'"});
  // A short duration with the heartbeat left at its default.
  EXPECT_EQ(errors_of("leases:\n  duration_seconds: 60\n"),
            Errors{"t.yaml:2:21: leases.duration_seconds: expected an integer from 61 to 604800 "
                   "(above the default leases.heartbeat_seconds of 60), got '60'"});
}

TEST(ConfigErrors, SectionsOfTheWrongTypeAreRejected) {
  EXPECT_EQ(errors_of("products:\n  code: a\n"),
            Errors{"t.yaml:2:3: products: expected a sequence, got a map"});
  EXPECT_EQ(errors_of("listeners: 5\n"), Errors{"t.yaml:1:12: listeners: expected a map, got '5'"});
  EXPECT_EQ(errors_of("listeners:\n  seat: [a]\n"),
            Errors{"t.yaml:2:9: listeners.seat: expected a map, got a sequence"});
  EXPECT_EQ(errors_of("products:\n  - {code: a, name: A, family: f, unit: seats, settings: 5}\n"),
            Errors{"t.yaml:2:58: products[0].settings: expected a map, got '5'"});
  EXPECT_EQ(errors_of("products:\n  - cad-pro\n"),
            Errors{"t.yaml:2:5: products[0]: expected a map, got 'cad-pro'"});
}

TEST(ConfigErrors, DocumentMustBeOneMap) {
  EXPECT_EQ(errors_of("- a\n- b\n"),
            Errors{"t.yaml:1:1: expected a map at the top level, got a sequence"});
  EXPECT_EQ(errors_of("hello\n"),
            Errors{"t.yaml:1:1: expected a map at the top level, got 'hello'"});
  EXPECT_EQ(errors_of("logging: {level: info}\n---\nlogging: {level: debug}\n"),
            Errors{"t.yaml:3:1: expected a single YAML document, got another one after '---'"});
}

TEST(ConfigErrors, SuiteComponentsMustBeOtherPlainProducts) {
  const std::string head =
      "products:\n"
      "  - {code: cad, name: CAD, family: software, unit: seats}\n"
      "  - {code: base, name: Base, family: suite, unit: seats, components: [cad]}\n";
  EXPECT_EQ(errors_of(head + "  - code: s\n    name: S\n    family: suite\n    unit: seats\n"
                             "    components: [cad, nope, s, base, cad]\n"),
            (Errors{"t.yaml:8:23: products[2].components[1]: no product 'nope'",
                    "t.yaml:8:29: products[2].components[2]: a suite cannot contain itself",
                    "t.yaml:8:32: products[2].components[3]: 'base' is a suite; suites do not nest",
                    "t.yaml:8:38: products[2].components[4]: component 'cad' is listed twice"}));
  EXPECT_EQ(
      errors_of(head + "  - {code: s, name: S, family: suite, unit: seats, components: []}\n"),
      Errors{"t.yaml:4:64: products[2].components: expected a non-empty list of product codes, "
             "got an empty list"});
}

// yaml-cpp 0.7 alone never returns on these (see survey_documents in config_loader.cpp).
TEST(ConfigErrors, StrayCommaIsASyntaxErrorAtItsPosition) {
  EXPECT_EQ(errors_of(","), Errors{"t.yaml:1:1: unexpected ',' where a value should start"});
  EXPECT_EQ(errors_of("- a\n,"), Errors{"t.yaml:2:1: unexpected ',' where a value should start"});
  EXPECT_EQ(errors_of("logging:\n  level: info\n---\n,\n"),
            Errors{"t.yaml:4:1: unexpected ',' where a value should start"});
}

TEST(ConfigErrors, MissingRequiredKeysAreReportedAtTheProduct) {
  EXPECT_EQ(errors_of("products:\n  - code: a\n    name: A\n"),
            (Errors{"t.yaml:2:5: products[0]: missing required key 'family'",
                    "t.yaml:2:5: products[0]: missing required key 'unit'"}));
  EXPECT_EQ(errors_of("products:\n  - {}\n"),
            (Errors{"t.yaml:2:5: products[0]: missing required key 'code'",
                    "t.yaml:2:5: products[0]: missing required key 'name'",
                    "t.yaml:2:5: products[0]: missing required key 'family'",
                    "t.yaml:2:5: products[0]: missing required key 'unit'"}));
}

TEST(ConfigErrors, ProductFieldsAreValidated) {
  const std::string long_code(65, 'x');
  EXPECT_EQ(
      errors_of(
          "products:\n  - code: cad pro\n    name: ''\n    family: Software\n    unit: seats\n"
          "  - code: " +
          long_code + "\n    name: B\n    family: " + std::string(32, 'f') +
          "\n    unit: seats\n    settings:\n      lease: {seconds: 600}\n"),
      (Errors{
          "t.yaml:2:11: products[0].code: expected 1 to 64 characters of A-Z a-z 0-9 . _ -, got "
          "'cad pro'",
          "t.yaml:3:11: products[0].name: expected a non-empty string, got ''",
          "t.yaml:4:13: products[0].family: expected 1 to 31 characters of a-z 0-9 _, got "
          "'Software'",
          "t.yaml:6:11: products[1].code: expected 1 to 64 characters of A-Z a-z 0-9 . _ -, got '" +
              std::string(60, 'x') + "...'",
          "t.yaml:8:13: products[1].family: expected 1 to 31 characters of a-z 0-9 _, got '" +
              std::string(32, 'f') + "'",
          "t.yaml:11:14: products[1].settings.lease: expected a scalar value, got a map"}));
}

TEST(ConfigErrors, DuplicateProductCodesAreReportedAtTheSecond) {
  EXPECT_EQ(errors_of("products:\n"
                      "  - {code: cad-pro, name: A, family: f, unit: seats}\n"
                      "  - {code: other, name: B, family: f, unit: seats}\n"
                      "  - {code: cad-pro, name: C, family: f, unit: seats}\n"),
            Errors{"t.yaml:4:12: products[2].code: duplicate product code 'cad-pro' (first at "
                   "line 2)"});
}

TEST(ConfigErrors, DatesMustBeRealAndOrdered) {
  auto product = [](const std::string& dates) {
    return "products:\n  - code: a\n    name: A\n    family: f\n    unit: seats\n" + dates;
  };
  EXPECT_EQ(errors_of(product("    end_of_sale: 2027-02-30\n")),
            Errors{"t.yaml:6:18: products[0].end_of_sale: expected a calendar date YYYY-MM-DD, "
                   "got '2027-02-30'"});
  EXPECT_EQ(errors_of(product("    end_of_life: 2027-02-29\n")),
            Errors{"t.yaml:6:18: products[0].end_of_life: expected a calendar date YYYY-MM-DD, "
                   "got '2027-02-29'"});
  for (const std::string written : {"2027-6-30", "27-06-30", "2027/06/30", "2027-13-01",
                                    "2027-06-30T00:00:00Z", "20270630", "2027-06-00"}) {
    SCOPED_TRACE(written);
    EXPECT_EQ(errors_of(product("    end_of_sale: " + written + "\n")),
              Errors{"t.yaml:6:18: products[0].end_of_sale: expected a calendar date YYYY-MM-DD, "
                     "got '" +
                     written + "'"});
  }
  EXPECT_EQ(errors_of(product("    end_of_life: 2027-06-29\n    end_of_sale: 2027-06-30\n")),
            Errors{"t.yaml:6:18: products[0].end_of_life: expected a date not before end_of_sale "
                   "2027-06-30, got '2027-06-29'"});
}

TEST(ConfigErrors, KeyPrefixesAreTwoLettersOfTheKeyAlphabet) {
  auto product = [](const std::string& prefix) {
    return "products:\n  - code: a\n    name: A\n    family: f\n    unit: seats\n"
           "    key_prefix: " +
           prefix + "\n";
  };
  EXPECT_EQ(errors_of(product("CQ")), Errors{});
  for (const std::string written : {"cq", "C", "CAD", "IO", "C2", "L1"}) {
    SCOPED_TRACE(written);
    EXPECT_EQ(errors_of(product(written)),
              Errors{"t.yaml:6:17: products[0].key_prefix: expected two uppercase letters of "
                     "ABCDEFGHJKMNPQRSTUVWXYZ, got '" +
                     written + "'"});
  }
}

TEST(ConfigErrors, EveryErrorIsCollectedInFileOrder) {
  // The duplicate code is found only after its product's other fields, yet comes first here.
  LoadResult result = load_string(R"(listeners:
  seat:
    port: 70000
    porr: 1
storage:
  backend: postgresql
leases:
  heartbeat_seconds: 400
products:
  - {code: a, name: A, family: f, unit: seats}
  - code: a
    name: B
    family: f
    unit: seat
  - code: b
logging:
  level: loud
)",
                                  "t.yaml", "/etc/lmpd");
  EXPECT_FALSE(result.config.has_value());
  Errors texts;
  for (const auto& e : result.errors) texts.push_back(e.to_string());
  EXPECT_EQ(texts,
            (Errors{
                "t.yaml:3:11: listeners.seat.port: expected an integer from 0 to 65535, got "
                "'70000'",
                "t.yaml:4:5: unknown key 'porr' in listeners.seat",
                "t.yaml:6:12: storage.backend: postgresql needs storage.postgresql.connection",
                "t.yaml:6:12: storage.backend: postgresql needs storage.secret_file, the server "
                "secret every instance shares (docs/scale-out.md)",
                "t.yaml:8:22: leases.heartbeat_seconds: expected an integer from 1 to 299 (below "
                "leases.duration_seconds), got '400'",
                "t.yaml:11:11: products[1].code: duplicate product code 'a' (first at line 10)",
                "t.yaml:14:11: products[1].unit: expected seats, endpoints, users or "
                "encryption_keys, got 'seat'",
                "t.yaml:15:5: products[2]: missing required key 'name'",
                "t.yaml:15:5: products[2]: missing required key 'family'",
                "t.yaml:15:5: products[2]: missing required key 'unit'",
                "t.yaml:17:10: logging.level: expected debug, info, warning or error, got 'loud'",
            }));
  EXPECT_EQ(result.errors[0].position.file, "t.yaml");
  EXPECT_EQ(result.errors[0].position.line, 3);
  EXPECT_EQ(result.errors[0].position.column, 11);
  EXPECT_EQ(result.errors[0].message,
            "listeners.seat.port: expected an integer from 0 to 65535, got '70000'");
}

TEST(ConfigErrors, ErrorWithoutPositionPrintsTheFileOnly) {
  lmp::config::Error error{{"/etc/lmpd/lmpd.yaml", 0, 0}, "cannot read file: Permission denied"};
  EXPECT_EQ(error.to_string(), "/etc/lmpd/lmpd.yaml: cannot read file: Permission denied");
  lmp::config::Error positioned{{"a.yaml", 12, 3}, "boom"};
  EXPECT_EQ(positioned.to_string(), "a.yaml:12:3: boom");
}

TEST(ConfigErrors, TlsSectionsNeedTheirFilesAndKnownValues) {
  EXPECT_EQ(errors_of("listeners:\n  admin:\n    tls: true\n"),
            Errors{"t.yaml:3:10: listeners.admin.tls: expected a map, got 'true'"});
  EXPECT_EQ(
      errors_of("listeners:\n  seat:\n    tls:\n      require_client_certificate: true\n"
                "      min_version: 1.1\n"),
      (Errors{"t.yaml:4:7: listeners.seat.tls: needs certificate (a PEM file)",
              "t.yaml:4:7: listeners.seat.tls: needs private_key (a PEM file)",
              "t.yaml:4:35: listeners.seat.tls.require_client_certificate: needs client_ca, "
              "the CAs that client certificates must come from",
              "t.yaml:5:20: listeners.seat.tls.min_version: expected 1.2 or 1.3, got '1.1'"}));
}

TEST(ConfigErrors, SeatListenerWithTlsDefaultsToTheTlsPort) {
  auto tls = load_string(
      "listeners:\n  seat:\n    tls:\n      certificate: s.pem\n"
      "      private_key: k.pem\n      min_version: \"1.3\"\n",
      "t.yaml", "/etc/lmpd");
  ASSERT_TRUE(tls.ok());
  EXPECT_EQ(tls.config->seat_listener.port, 27401);
  EXPECT_EQ(tls.config->seat_listener.tls->certificate_file, "/etc/lmpd/s.pem");
  EXPECT_EQ(tls.config->seat_listener.tls->min_version, "1.3");
  EXPECT_FALSE(tls.config->admin_listener.tls.has_value());
  auto given = load_string(
      "listeners:\n  seat:\n    port: 9000\n    tls: {certificate: s.pem, "
      "private_key: k.pem}\n",
      "t.yaml", "/etc/lmpd");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given.config->seat_listener.port, 9000);
}
