// lmpctl's parts without a server: argument parsing, where arguments go in the call, the server
// URL, the settings' precedence and config file, and the text tables.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "api_call.hpp"
#include "name_lookup.hpp"
#include "render.hpp"
#include "server_url.hpp"
#include "settings.hpp"
#include "text_table.hpp"

namespace lmpctl {
namespace {
namespace json = boost::json;

CommandLine parse(const std::vector<std::string>& args) {
  return parse_command_line(args, commands());
}

ApiCall call_of(const std::vector<std::string>& args) {
  return build_call(parse(args));
}

TEST(CommandLine, GlobalOptionsGoAnywhereAndTakeBothForms) {
  auto line = parse({"--json", "partners", "get", "--server=http://h:1", "7", "--token", "t"});
  ASSERT_NE(line.command, nullptr);
  EXPECT_EQ(line.command->path, "/v1/partners/{id}");
  EXPECT_TRUE(line.globals.json);
  EXPECT_EQ(line.globals.server, "http://h:1");
  EXPECT_EQ(line.globals.token, "t");
  EXPECT_EQ(line.values.at("partner"), std::vector<std::string>{"7"});
}

TEST(CommandLine, RefusesWhatTheCommandDoesNotTake) {
  EXPECT_THROW(parse({}), UsageError);
  EXPECT_THROW(parse({"partners"}), UsageError);
  EXPECT_THROW(parse({"partners", "get"}), UsageError);                    // no ID
  EXPECT_THROW(parse({"licenses", "get", "x"}), UsageError);               // not an integer
  EXPECT_THROW(parse({"partners", "get", "1", "2"}), UsageError);          // one too many
  EXPECT_THROW(parse({"partners", "create", "--name", "a"}), UsageError);  // no --kind
  EXPECT_THROW(parse({"customers", "create", "--name", "a", "--name", "b"}), UsageError);
  EXPECT_THROW(parse({"customers", "get", "1", "--limit", "2"}), UsageError);  // not a list
  EXPECT_THROW(parse({"me", "--token"}), UsageError);                          // no value
  EXPECT_THROW(parse({"me", "--json=yes"}), UsageError);
}

TEST(CommandLine, AListPositionalTakesTheRestAndDashDashEndsOptions) {
  auto line = parse({"partners", "set-permissions", "3", "a", "b", "--", "--c"});
  EXPECT_EQ(line.values.at("permission"), (std::vector<std::string>{"a", "b", "--c"}));
  EXPECT_TRUE(parse({"--help"}).globals.help);
  auto topic = parse({"partners", "-h"});
  EXPECT_EQ(topic.command, nullptr);
  EXPECT_EQ(topic.help_topic, "partners");
  EXPECT_EQ(usage_text(commands(), "seat").find("partners"), std::string::npos);
  EXPECT_EQ(usage_line(*parse({"customers", "list"}).command),
            "customers list [--limit N] [--after CURSOR] [--all]");
}

TEST(ApiCall, ArgumentsGoToThePathTheQueryOrTheBody) {
  auto get = call_of({"partners", "get", "12"});
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.target(), "/v1/partners/12");
  EXPECT_FALSE(get.body);

  auto audit =
      call_of({"audit", "--action", "customer.disable", "--object", "customer:7", "--limit", "5"});
  EXPECT_EQ(audit.target(), "/v1/audit?action=customer.disable&object=customer%3A7&limit=5");
  EXPECT_EQ(audit.with_after("9").target(),
            "/v1/audit?action=customer.disable&object=customer%3A7&limit=5&after=9");

  auto create = call_of({"customers", "create", "--name", "Acme Inc", "--account", "2"});
  ASSERT_TRUE(create.body);
  EXPECT_EQ(json::value(*create.body), json::parse(R"({"name":"Acme Inc","account":2})"));

  auto suspend = call_of({"partners", "suspend", "4"});
  EXPECT_EQ(suspend.target(), "/v1/partners/4/status");
  EXPECT_EQ(json::value(*suspend.body), json::parse(R"({"status":"suspended"})"));

  auto none = call_of({"partners", "set-permissions", "4"});
  EXPECT_EQ(json::value(*none.body), json::parse(R"({"permissions":[]})"));

  auto checkout = call_of({"seat", "checkout", "--code", "C", "--units", "2", "--wait", "30"});
  EXPECT_EQ(json::value(*checkout.body), json::parse(R"({"code":"C","units":2,"wait":30})"));
  EXPECT_EQ(checkout.extra_timeout_seconds, 30);
}

// Issue #21: a time is Unix seconds or ISO 8601 UTC (the rule of core/calendar.hpp, shared with
// `lmpd admin` and the API's query times), checked before any call and sent as Unix seconds.
TEST(ApiCall, TimesAreIsoOrUnixSecondsAndGoAsUnixSeconds) {
  auto at = call_of({"products", "end-of-sale", "cad", "--at", "2027-06-30"});
  EXPECT_EQ(json::value(*at.body), json::parse(R"({"at":1814313600})"));
  EXPECT_EQ(json::value(*call_of({"products", "end-of-sale", "cad", "--at", "1814313600"}).body),
            json::parse(R"({"at":1814313600})"));
  auto audit = call_of({"audit", "--from", "2026-01-01T00:00:01Z", "--to", "2026-01-02T00:00"});
  EXPECT_EQ(audit.target(), "/v1/audit?from=1767225601&to=1767312000");
  auto renew = call_of({"licenses", "renew", "4", "--expires", "2027-01-01T12:30:00"});
  EXPECT_EQ(json::value(*renew.body), json::parse(R"({"expires":1798806600})"));
  for (const char* bad : {"30/06/2027", "2027-06-31", "2027-06-30T12:00+02:00", "soon"})
    EXPECT_THROW(parse({"products", "end-of-sale", "cad", "--at", bad}), UsageError) << bad;
  // A flag takes no value and goes to the query even of a call with a body.
  auto dry = call_of({"products", "end-of-life", "cad", "--dry-run"});
  EXPECT_EQ(dry.target(), "/v1/products/cad/end-of-life?dry_run=true");
  EXPECT_EQ(json::value(*dry.body), json::object());
  EXPECT_THROW(parse({"products", "end-of-life", "cad", "--dry-run=true"}), UsageError);
}

// Issue #21: a name becomes the id of the one object of that name in the list the API gives; an
// id stays as it is without any call.
TEST(NameLookup, NamesBecomeIdsAndIdsStayWithoutACall) {
  std::vector<std::string> listed;
  const ListAll list_all = [&](const std::string& path) {
    listed.push_back(path);
    if (path == "/v1/customers")
      return json::parse(R"([{"id":3,"name":"acme"},{"id":4,"name":"globex"}])").as_array();
    if (path == "/v1/users")
      return json::parse(R"([{"id":5,"name":"ann"},{"id":6,"name":"ann"}])").as_array();
    if (path == "/v1/products")
      return json::parse(R"([{"code":"cad","name":"CAD Studio"}])").as_array();
    return json::array();
  };
  EXPECT_EQ(resolve_name(Names::customer, "7", list_all), "7");
  EXPECT_TRUE(listed.empty());
  EXPECT_EQ(resolve_name(Names::customer, "globex", list_all), "4");
  EXPECT_EQ(listed, std::vector<std::string>{"/v1/customers"});
  EXPECT_THROW(resolve_name(Names::customer, "nobody", list_all), UsageError);
  try {
    resolve_name(Names::user, "ann", list_all);
    ADD_FAILURE() << "an ambiguous name resolved";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("ids 5, 6"), std::string::npos) << e.what();
  }
  EXPECT_EQ(resolve_name(Names::product, "cad", list_all), "cad");
  EXPECT_EQ(resolve_name(Names::product, "CAD Studio", list_all), "cad");
  // A product the list does not show is the API's to answer for.
  EXPECT_EQ(resolve_name(Names::product, "retired", list_all), "retired");

  auto line = parse(
      {"licenses", "create", "--customer", "acme", "--product", "CAD Studio", "--units", "1"});
  resolve_names(line, list_all);
  EXPECT_EQ(json::value(*build_call(line).body),
            json::parse(R"({"customer":3,"product":"cad","units":1})"));
}

TEST(ApiCall, TheGenericCallTakesDataAndTypedFields) {
  auto post = call_of({"api", "post", "/v1/x", "--data", R"({"a":1,"b":"x"})", "--field", "b=y",
                       "--field", "c:=[1,2]"});
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(json::value(*post.body), json::parse(R"({"a":1,"b":"y","c":[1,2]})"));

  auto get =
      call_of({"api", "GET", "/v1/audit?limit=2", "--field", "action=a b", "--field", "from:=5"});
  EXPECT_FALSE(get.body);
  EXPECT_EQ(get.target(), "/v1/audit?limit=2&action=a%20b&from=5");

  EXPECT_THROW(call_of({"api", "GET", "v1/me"}), UsageError);
  EXPECT_THROW(call_of({"api", "GE T", "/v1/me"}), UsageError);
  EXPECT_THROW(call_of({"api", "POST", "/v1/x", "--data", "{"}), UsageError);
  EXPECT_THROW(call_of({"api", "POST", "/v1/x", "--field", "novalue"}), UsageError);
  EXPECT_THROW(call_of({"api", "GET", "/v1/x", "--data", "{}"}), UsageError);
}

TEST(ServerUrl, ReadsTheForms) {
  auto full = parse_server_url("http://lic.example:8080/lmpd/");
  EXPECT_EQ(full.host, "lic.example");
  EXPECT_EQ(full.port, 8080);
  EXPECT_EQ(full.base_path, "/lmpd");
  auto bare = parse_server_url("lic.example");
  EXPECT_EQ(bare.port, kDefaultPort);
  EXPECT_EQ(bare.base_path, "");
  auto v6 = parse_server_url("[::1]:9");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.authority(), "[::1]:9");
  auto tls = parse_server_url("https://lic.example");
  EXPECT_EQ(tls.scheme, "https");
  EXPECT_EQ(tls.port, kDefaultPort);
  EXPECT_THROW(parse_server_url("ftp://lic.example"), UsageError);
  EXPECT_THROW(parse_server_url("lic.example:0"), UsageError);
  EXPECT_THROW(parse_server_url("lic.example:"), UsageError);
  EXPECT_THROW(parse_server_url(":80"), UsageError);
  EXPECT_THROW(parse_server_url("lic.example:65536"), UsageError);
  EXPECT_THROW(parse_server_url("[::1"), UsageError);
  EXPECT_THROW(parse_server_url("http://lic example"), UsageError);
  EXPECT_THROW(parse_server_url("http://admin:secret@lic.example"), UsageError);
  EXPECT_THROW(parse_server_url("http://lic.example/lmpd?x=1"), UsageError);
}

TEST(ApiCall, QueryValuesAndPathSegmentsArePercentEncodedAsRfc3986Unreserved) {
  EXPECT_EQ(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(percent_encode("a/b?c&d=e f%"), "a%2Fb%3Fc%26d%3De%20f%25");
  EXPECT_EQ(percent_encode("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(percent_encode(std::string_view("\0x", 2)), "%00x");
}

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lmpctl-settings-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "lmpctl");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) {
    std::ofstream(dir_ / "lmpctl" / "config.yaml") << text;
    std::filesystem::permissions(
        dir_ / "lmpctl" / "config.yaml",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  Environment env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
  std::filesystem::path dir_;
  std::map<std::string, std::string> vars;
};

TEST_F(SettingsTest, FlagsBeatTheEnvironmentWhichBeatsTheFile) {
  vars["XDG_CONFIG_HOME"] = dir_.string();
  write("server: http://file:1\ntoken: file-token\ntimeout: 7\n");
  GlobalOptions flags;
  auto from_file = resolve_settings(flags, env());
  EXPECT_EQ(from_file.server, "http://file:1");
  EXPECT_EQ(from_file.token, "file-token");
  EXPECT_EQ(from_file.timeout.count(), 7);

  vars["LMPCTL_TOKEN"] = "env-token";
  vars["LMPCTL_TIMEOUT"] = "9";
  auto from_env = resolve_settings(flags, env());
  EXPECT_EQ(from_env.token, "env-token");
  EXPECT_EQ(from_env.server, "http://file:1");
  EXPECT_EQ(from_env.timeout.count(), 9);

  flags.token = "flag-token";
  flags.timeout = "3";
  auto from_flags = resolve_settings(flags, env());
  EXPECT_EQ(from_flags.token, "flag-token");
  EXPECT_EQ(from_flags.timeout.count(), 3);
  flags.timeout = "0";
  EXPECT_THROW(resolve_settings(flags, env()), UsageError);
}

TEST_F(SettingsTest, WithoutAnyFileTheDefaultsHold) {
  vars["HOME"] = (dir_ / "nohome").string();
  auto settings = resolve_settings(GlobalOptions{}, env());
  EXPECT_EQ(settings.server, kDefaultServer);
  EXPECT_EQ(settings.token, "");
  EXPECT_EQ(settings.timeout.count(), 10);
  EXPECT_EQ(default_config_path(env()), (dir_ / "nohome").string() + "/.config/lmpctl/config.yaml");
}

TEST_F(SettingsTest, ConfigErrorsCarryTheirPositions) {
  const std::string path = (dir_ / "lmpctl" / "config.yaml").string();
  write("server: http://x:1\nserver: http://y:1\ntimeout: 0\n");
  try {
    read_config_file(path);
    FAIL() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ":2:1: duplicate key 'server' at the top level (first at line 1)\n" + path +
                  ":3:10: timeout: expected an integer from 1 to 3600, got '0'");
  }
}

TEST(TextTable, AlignsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(format_table({"ID", "NAME", "STATUS"}, {{"1", "Ärger GmbH", "ok"}, {"22", "B", "-"}}),
            "ID  NAME        STATUS\n"
            "1   Ärger GmbH  ok\n"
            "22  B           -\n");
  EXPECT_EQ(format_key_values({{"id", "1"}, {"status", "on"}}), "id      1\nstatus  on\n");
  EXPECT_EQ(printable("a\nb\tc"), "a?b?c");
}

// A name stored before the server refused such names, or sent by a server that does not, must
// neither drive the terminal nor read as something else.
TEST(TextTable, NamesCannotReorderOrBreakTheOutput) {
  EXPECT_EQ(printable("Ärger GmbH"), "Ärger GmbH");
  EXPECT_EQ(printable("inv\u202Egpj.exe"), "inv?gpj.exe");  // right-to-left override
  EXPECT_EQ(printable("a\u2066b\u2069c"), "a?b?c");         // isolates
  EXPECT_EQ(printable("x\u0085y"), "x?y");                  // C1 NEXT LINE
  EXPECT_EQ(printable("x\x1b[2Jy"), "x?[2Jy");              // an escape sequence
  EXPECT_EQ(printable("bad\xC3"), "bad?");                  // a truncated character
  EXPECT_EQ(printable("\xC0\xAF"), "??");                   // an overlong '/'
}

TEST(Render, CellsAndObjects) {
  EXPECT_EQ(cell_text("created", json::value(1767225600)), "2026-01-01T00:00:00Z");
  EXPECT_EQ(cell_text("units", json::value(1767225600)), "1767225600");
  EXPECT_EQ(cell_text("parent", nullptr), "-");
  EXPECT_EQ(cell_text("permissions", json::parse(R"(["a","b"])")), "a,b");
  EXPECT_EQ(cell_text("permissions", json::parse("[]")), "-");
  EXPECT_EQ(cell_text("before", json::parse(R"({"x":1})")), R"({"x":1})");
  EXPECT_EQ(render_object(json::parse(R"({"user":{"id":4,"name":"n"},"token":5})").as_object()),
            "user.id    4\nuser.name  n\ntoken      5\n");
  EXPECT_EQ(render_object(json::object()), "");
  EXPECT_EQ(
      render_items(json::parse(R"([{"id":1,"actor":{"user":4}},{"id":2,"actor":{}}])").as_array(),
                   {"id", "actor.user"}),
      "ID  ACTOR.USER\n1   4\n2   -\n");
  EXPECT_EQ(render_items(json::parse(R"([{"a":1,"b":"x"}])").as_array(), {}), "A  B\n1  x\n");
}

}  // namespace
}  // namespace lmpctl
