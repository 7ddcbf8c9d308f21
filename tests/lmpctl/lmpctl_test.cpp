// The lmpctl executable against a real lmpd, on each storage backend: tables and --json, writes,
// the precedence of flag, environment and config file, config file errors, exit statuses of
// refusals and of no answer, the `api` escape hatch, paging with --all, and the seat commands.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <soci/soci.h>

#include "../admin_api/admin_fixture.hpp"
#include "support/daemon_process.hpp"
#include "support/line_client.hpp"
#include "support/lmpd_instance.hpp"
#include "support/test_certificates.hpp"

namespace lmp::test {
namespace {
namespace json = boost::json;

// Nothing of the test's own environment may choose lmpctl's server, token or config file.
const std::vector<std::string> kCleanEnvironment = {"LMPCTL_SERVER", "LMPCTL_TOKEN",
                                                    "LMPCTL_TIMEOUT", "HOME"};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The value of `key` in key/value output ("key   value" lines); "" when no line has the key.
std::string value_of(const std::string& text, const std::string& key) {
  for (const auto& line : lines_of(text)) {
    if (!line.starts_with(key + " ")) continue;
    const auto start = line.find_first_not_of(' ', key.size());
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return "";
}

class LmpctlTest : public AdminApiTest {
 protected:
  std::string server() const { return "http://127.0.0.1:" + std::to_string(server_->admin_port()); }

  // lmpctl with `args` and `environment` on top of a clean one (XDG_CONFIG_HOME in the test's
  // folder, where no config file is unless a test writes one).
  CommandResult lmpctl(const std::vector<std::string>& args,
                       const std::vector<std::string>& environment = {}) {
    std::vector<std::string> argv = {LMPCTL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env = kCleanEnvironment;
    env.push_back("XDG_CONFIG_HOME=" + (dir_.path() / "xdg").string());
    env.insert(env.end(), environment.begin(), environment.end());
    return run_command(argv, env);
  }
  // As the parent's admin, through the flags.
  CommandResult root(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server(), "--token", root_token_});
    return lmpctl(args);
  }
  json::value root_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = root(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  std::filesystem::path write_config(const std::string& text, std::filesystem::perms mode,
                                     const std::string& name = "config.yaml") {
    auto path = dir_.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    std::filesystem::permissions(path, mode);
    return path;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, LmpctlTest, kStorageBackends, backend_name);

constexpr auto kOwnerOnly =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

TEST_P(LmpctlTest, ListsAsATableAndAsTheServersJson) {
  make_partner("Fabrikam", "msp");
  make_partner("Tailspin", "reseller");
  auto table = root({"partners", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 3u) << table.out;
  EXPECT_EQ(lines[0], "ID  KIND      NAME      PARENT  STATUS  CREATED");
  EXPECT_EQ(lines[1], "2   msp       Fabrikam  1       active  2026-01-01T00:00:00Z");
  EXPECT_EQ(lines[2], "3   reseller  Tailspin  1       active  2026-01-01T00:00:00Z");
  EXPECT_EQ(table.err, "");

  auto raw = root({"partners", "list", "--json"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(json::parse(raw.out), ok(root_token_, "GET", "/v1/partners"));
  EXPECT_EQ(raw.out.back(), '\n');
  EXPECT_EQ(lines_of(raw.out).size(), 1u);
}

// Licenses and products: a license made, renewed, converted and cut below its units through
// lmpctl, each answer what the API holds; booleans and renamed fields reach the body.
TEST_P(LmpctlTest, LicensesAndProducts) {
  const auto customer = make_customer("Contoso", 0);
  auto made = root_json({"licenses", "create", "--customer", std::to_string(customer), "--product",
                         "cad", "--units", "5", "--days", "30", "--trial", "true", "--grace-days",
                         "7", "--notice-days", "10", "--auto-renew", "false"});
  const auto id = made.at("id").as_int64();
  EXPECT_EQ(made.at("code").as_string().size(), 23u);
  auto stored = ok(root_token_, "GET", "/v1/licenses/" + std::to_string(id));
  EXPECT_EQ(stored.at("trial"), true);
  EXPECT_EQ(stored.at("grace_days"), 7);
  EXPECT_EQ(stored.at("notice_days"), 10);
  EXPECT_EQ(stored.at("auto_renew"), false);

  auto table = root({"licenses", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 2u) << table.out;
  EXPECT_EQ(lines[0].substr(0, 38), "ID  CUSTOMER  PRODUCT  UNITS  USED  ST") << table.out;

  EXPECT_EQ(root_json({"licenses", "convert", std::to_string(id)}).at("trial"), false);
  EXPECT_EQ(root_json({"licenses", "set-units", std::to_string(id), "2"}).at("units"), 2);
  auto bad = root({"licenses", "create", "--customer", "1", "--product", "cad", "--trial", "yes"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("trial must be true or false"), std::string::npos) << bad.err;

  auto products = root({"products", "list"});
  ASSERT_EQ(products.exit_code, 0) << products.err;
  EXPECT_NE(products.out.find("cad"), std::string::npos) << products.out;
  EXPECT_EQ(root_json({"products", "end-of-sale", "cad"}).at("state"), "end_of_sale");
}

// Who holds what: `leases list` as a table and as the server's JSON, the units in use under
// USED, and `status`, the licenses and their holders grouped by product.
TEST_P(LmpctlTest, LeasesAndStatusShowWhoHoldsWhat) {
  const auto customer = make_customer("acme", 0);
  auto make = [&](const std::string& product, std::int64_t units) {
    return ok(root_token_, "POST", "/v1/licenses",
              {{"customer", customer}, {"product", product}, {"units", units}, {"days", 30}});
  };
  const auto cad = make("cad", 5);
  const auto agent = make("agent", 2);
  LineClient seat(server_->port());
  const std::string cad_code(cad.at("code").as_string());
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + cad_code + " user=ann host=ws1 units=2")),
            "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + cad_code + " user=bob host=ws2")), "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + std::string(agent.at("code").as_string()) +
                                   " host=pc9")),
            "OK");

  // USED shows the units in use (it showed `-` while lists carried no usage).
  auto licenses = lines_of(root({"licenses", "list"}).out);
  ASSERT_EQ(licenses.size(), 3u);
  std::istringstream row(licenses[1]);
  std::vector<std::string> cells{std::istream_iterator<std::string>(row), {}};
  ASSERT_GE(cells.size(), 5u) << licenses[1];
  EXPECT_EQ(cells[2], "cad");
  EXPECT_EQ(cells[4], "3") << licenses[0] << "\n" << licenses[1];

  auto table = root({"leases", "list", "--product", "cad"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 3u) << table.out;
  EXPECT_TRUE(
      lines[0].starts_with("ID                LICENSE  PRODUCT  CUSTOMER  UNITS  USER  HOST"))
      << table.out;
  EXPECT_NE(table.out.find("ann   ws1   127.0.0.1  2026-01-01T00:00:00Z"), std::string::npos)
      << table.out;
  // Whether each lease is borrowed, last (protocol 1.1).
  EXPECT_TRUE(lines[0].ends_with("BORROWED")) << table.out;
  EXPECT_TRUE(lines[1].ends_with("false")) << table.out;
  EXPECT_EQ(root_json({"leases", "list", "--user", "bob"}),
            ok(root_token_, "GET", "/v1/leases?user=bob"));
  EXPECT_EQ(root({"leases", "list", "--borrowed", "maybe"}).exit_code, 2);

  auto status = root({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto shown = lines_of(status.out);
  ASSERT_GE(shown.size(), 8u) << status.out;
  EXPECT_EQ(shown[0], "agent: 1 license(s), 2 units, 1 in use, 0 waiting") << status.out;
  EXPECT_EQ(shown[1], "  license 2 (customer 1, active): 2 endpoints, 1 in use, 0 waiting");
  EXPECT_EQ(shown[2].substr(0, 8), "    ID  ");
  EXPECT_EQ(shown[4], "cad: 1 license(s), 5 units, 3 in use, 0 waiting") << status.out;
  EXPECT_EQ(shown[5], "  license 1 (customer 1, active): 5 seats, 3 in use, 0 waiting");
  EXPECT_EQ(shown.size(), 9u) << status.out;

  auto one = root_json({"status", "cad"});
  const auto& products = one.at("products").as_array();
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].at("product"), "cad");
  EXPECT_EQ(products[0].at("used"), 3);
  const auto& holders = products[0].at("items").at(0).at("holders").as_array();
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].at("license"), cad.at("id"));
}

// `usage report`: the rows as a table (times as dates), as the server's JSON with --json and as
// its CSV with --csv; --csv only where the endpoint answers CSV, and never with --json.
TEST_P(LmpctlTest, UsageReportAsATableJsonAndCsv) {
  const auto customer = make_customer("acme", 0);
  const auto license = ok(root_token_, "POST", "/v1/licenses",
                          {{"customer", customer}, {"product", "cad"}, {"units", 5}, {"days", 30}});
  const std::string code(license.at("code").as_string());
  LineClient seat(server_->port());
  const auto ann = fields_of(seat.request("CHECKOUT code=" + code + " user=ann host=ws1 units=2"));
  ASSERT_EQ(ann.count("lease"), 1u);
  server_->advance_seconds(90);
  ASSERT_EQ(status_of(seat.request("CHECKIN lease=" + ann.at("lease"))), "OK");

  auto table = root({"usage", "report", "--from", "2026-01-01", "--to", "2026-01-02"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 2u) << table.out;
  EXPECT_TRUE(lines[0].starts_with("LICENSE  PRODUCT  CUSTOMER  PARTNER  FROM  ")) << table.out;
  EXPECT_NE(lines[1].find("2026-01-01T00:00:00Z  2026-01-01T00:01:30Z  2 "), std::string::npos)
      << table.out;
  EXPECT_EQ(root_json({"usage", "report", "--from", "2026-01-01", "--group", "product"}),
            ok(root_token_, "GET", "/v1/usage?from=2026-01-01&group=product"));

  auto csv = root({"usage", "report", "--from", "2026-01-01", "--group", "customer", "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "customer,partner,from,to,peak_units,unit_hours,average_units,checkouts,users,hosts"
            "\r\n" +
                std::to_string(customer) +
                ",1,2026-01-01T00:00:00Z,2026-01-01T00:01:30Z,2,0.050,2.000,1,1,1\r\n");

  EXPECT_EQ(root({"usage", "report"}).exit_code, 2);  // --from is required
  EXPECT_EQ(root({"leases", "list", "--csv"}).exit_code, 2);
  EXPECT_EQ(root({"usage", "report", "--from", "2026-01-01", "--csv", "--json"}).exit_code, 2);
  auto refused = root({"usage", "report", "--from", "2026-01-01", "--period", "week"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("bad_request"), std::string::npos) << refused.err;
}

// `usage denials`: the refused checkouts counted, as a table, as the server's JSON and as its CSV.
TEST_P(LmpctlTest, UsageDenialsAsATableJsonAndCsv) {
  const auto customer = make_customer("acme", 0);
  const auto license = ok(root_token_, "POST", "/v1/licenses",
                          {{"customer", customer}, {"product", "cad"}, {"units", 1}, {"days", 30}});
  const std::string code(license.at("code").as_string());
  LineClient seat(server_->port());
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code + " user=ann host=ws1")), "OK");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code + " user=bob host=ws2")), "no_seats");
  ASSERT_EQ(status_of(seat.request("CHECKOUT code=" + code + " user=bob host=ws2 units=2")),
            "no_seats");

  auto table = root(
      {"usage", "denials", "--from", "2026-01-01", "--to", "2026-01-02", "--group", "user,code"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 2u) << table.out;
  EXPECT_TRUE(lines[0].starts_with("USER  CODE      DENIALS  UNITS  FIRST")) << table.out;
  EXPECT_TRUE(lines[1].starts_with("bob   no_seats  2        3      2026-01-01T00:00:00Z"))
      << table.out;
  EXPECT_EQ(root_json({"usage", "denials", "--from", "2026-01-01", "--to", "2026-01-02"}),
            ok(root_token_, "GET", "/v1/usage/denials?from=2026-01-01&to=2026-01-02"));
  auto csv = root({"usage", "denials", "--from", "2026-01-01", "--to", "2026-01-02", "--group",
                   "host", "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "host,denials,units,first,last\r\n"
            "ws2,2,3,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\r\n");
  EXPECT_EQ(root({"usage", "denials"}).exit_code, 2);  // --from is required
  auto refused =
      root({"usage", "denials", "--from", "2026-01-01", "--to", "2026-01-02", "--group", "pet"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("bad_request"), std::string::npos) << refused.err;
}

// `leases release`: the reason is required and travels with the call, the seat is free at once
// and its endpoint hears lease_revoked; a lease no longer live is the API's 404.
TEST_P(LmpctlTest, LeasesReleaseTakesASeatBack) {
  const auto customer = make_customer("acme", 0);
  const auto license = ok(root_token_, "POST", "/v1/licenses",
                          {{"customer", customer}, {"product", "cad"}, {"units", 1}, {"days", 30}});
  const std::string code(license.at("code").as_string());
  LineClient seat(server_->port());
  const auto lease = fields_of(seat.request("CHECKOUT code=" + code + " user=ann host=ws1"));
  ASSERT_EQ(lease.count("lease"), 1u);
  const std::string ref(
      ok(root_token_, "GET", "/v1/leases").at("items").at(0).at("id").as_string());

  EXPECT_EQ(root({"leases", "release", ref}).exit_code, 2);
  auto released = root({"leases", "release", ref, "--reason", "ws1 crashed"});
  ASSERT_EQ(released.exit_code, 0) << released.err;
  EXPECT_EQ(value_of(released.out, "reason"), "ws1 crashed") << released.out;
  EXPECT_EQ(value_of(released.out, "user"), "ann") << released.out;
  EXPECT_EQ(value_of(released.out, "released"), "2026-01-01T00:00:00Z") << released.out;
  const std::string answer = seat.request("HEARTBEAT lease=" + lease.at("lease"));
  EXPECT_EQ(status_of(answer), "lease_revoked") << answer;
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code + " user=bob host=ws2")), "OK");

  auto again = root({"leases", "release", ref, "--reason", "twice"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("not_found"), std::string::npos) << again.err;
}

// Issue #4's walk-through with lmpctl alone: an MSP and a reseller, a pool and a plan, a key
// issued as the MSP, redeemed by a new customer without a token, a seat checked out with the
// resulting code, End of Life refusing it and deleting the license; the reseller never sees the
// MSP's customer or key.
TEST_P(LmpctlTest, TheSellingStoryFromPartnerToEndOfLife) {
  const auto msp = root_json({"partners", "create", "--name", "Fabrikam", "--kind", "msp"});
  const auto reseller =
      root_json({"partners", "create", "--name", "Tailspin", "--kind", "reseller"});
  const std::string msp_id = std::to_string(msp.at("id").as_int64());
  auto as_user_of = [&](const json::value& partner, const std::string& name) {
    return std::string(root_json({"users", "create", "--name", name, "--account",
                                  std::to_string(partner.at("id").as_int64())})
                           .at("token")
                           .at("token")
                           .as_string());
  };
  const std::string msp_token = as_user_of(msp, "fabrikam-admin");
  const std::string reseller_token = as_user_of(reseller, "tailspin-admin");
  ASSERT_EQ(root({"pools", "assign", msp_id, "cad", "--units", "10"}).exit_code, 0);
  const auto plan = root_json({"plans", "create", "--name", "cad-yearly", "--product", "cad",
                               "--period-days", "365", "--trial", "false"});
  auto as_msp = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server(), "--token", msp_token, "--json"});
    auto r = lmpctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  const auto issued =
      as_msp({"keys", "issue", "--plan", std::to_string(plan.at("id").as_int64()), "--units", "2"});
  const std::string key(issued.at("keys").at(0).at("key").as_string());

  auto redeemed = lmpctl(
      {"--server", server(), "--json", "keys", "redeem", "--key", key, "--customer", "Contoso"});
  ASSERT_EQ(redeemed.exit_code, 0) << redeemed.err;
  const auto answer = json::parse(redeemed.out);
  const std::string code(answer.at("license").at("code").as_string());
  EXPECT_EQ(lmpctl({"--server", server(), "keys", "redeem", "--key", key, "--customer", "Other"})
                .exit_code,
            1);
  LineClient seat(server_->port());
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code)), "OK");
  // The new customer's own token, from the redeem, sees its MSP's branding.
  as_msp({"branding", "set", "--display-name", "Fabrikam IT"});
  const std::string customer_token(answer.at("token").at("token").as_string());
  auto branding = lmpctl({"--server", server(), "--token", customer_token, "branding", "get"});
  ASSERT_EQ(branding.exit_code, 0) << branding.err;
  EXPECT_NE(branding.out.find("Fabrikam IT"), std::string::npos) << branding.out;
  EXPECT_EQ(as_msp({"pools", "list", msp_id}).at("items").at(0).at("left"), 8);

  auto hidden = lmpctl({"--server", server(), "--token", reseller_token, "customers", "get",
                        std::to_string(answer.at("customer").at("id").as_int64())});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_NE(hidden.err.find("not_found"), std::string::npos) << hidden.err;
  auto keys = lmpctl({"--server", server(), "--token", reseller_token, "--json", "keys", "list"});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  EXPECT_TRUE(json::parse(keys.out).at("items").as_array().empty()) << keys.out;

  EXPECT_EQ(root_json({"products", "end-of-life", "cad"}).at("state"), "end_of_life");
  EXPECT_EQ(status_of(seat.request("CHECKOUT code=" + code)), "end_of_life");
  auto licenses = root_json({"licenses", "list"});
  EXPECT_TRUE(licenses.at("items").as_array().empty()) << licenses;
}

TEST_P(LmpctlTest, GetsOneObjectAsKeyValueLinesAndAsJson) {
  const auto id = make_customer("Acme", 0);
  auto shown = root({"customers", "get", std::to_string(id)});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "id        " + std::to_string(id) +
                           "\n"
                           "name      Acme\n"
                           "account   1\n"
                           "status    enabled\n"
                           "created   2026-01-01T00:00:00Z\n"
                           "licenses  0\n");
  EXPECT_EQ(root_json({"customers", "get", std::to_string(id)}),
            ok(root_token_, "GET", "/v1/customers/" + std::to_string(id)));

  // Nested objects flatten with dotted keys.
  auto me = root({"me"});
  ASSERT_EQ(me.exit_code, 0) << me.err;
  EXPECT_EQ(value_of(me.out, "user.name"), "admin") << me.out;
  EXPECT_EQ(value_of(me.out, "account.kind"), "parent") << me.out;
  EXPECT_EQ(value_of(me.out, "account.parent"), "-") << me.out;
}

TEST_P(LmpctlTest, CreatesPartnersAndCustomersAndDisablesAndEnablesThem) {
  auto partner = root_json({"partners", "create", "--name", "Fabrikam", "--kind", "msp"});
  EXPECT_EQ(partner.at("kind"), "msp");
  const std::string partner_id = std::to_string(id_of(partner));
  auto customer = root_json({"customers", "create", "--name=Acme", "--account", partner_id});
  EXPECT_EQ(customer.at("account").as_int64(), id_of(partner));
  const std::string id = std::to_string(id_of(customer));

  auto disabled = root({"customers", "disable", id});
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_EQ(value_of(disabled.out, "status"), "disabled") << disabled.out;
  EXPECT_EQ(ok(root_token_, "GET", "/v1/customers/" + id).at("status"), "disabled");
  EXPECT_EQ(root_json({"customers", "enable", id}).at("status"), "enabled");
  EXPECT_EQ(ok(root_token_, "GET", "/v1/customers/" + id).at("status"), "enabled");

  EXPECT_EQ(root_json({"partners", "suspend", partner_id}).at("status"), "suspended");
  EXPECT_EQ(root_json({"partners", "activate", partner_id}).at("status"), "active");
  auto narrowed =
      root_json({"partners", "set-permissions", partner_id, "view_customers", "create_customers"});
  EXPECT_EQ(narrowed.at("permissions"), json::parse(R"(["create_customers","view_customers"])"));
  EXPECT_EQ(root_json({"partners", "cancel", partner_id}).at("status"), "canceled");
  auto audit = root({"audit", "--action", "partner.cancel"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  auto lines = lines_of(audit.out);
  ASSERT_EQ(lines.size(), 2u) << audit.out;
  EXPECT_NE(lines[1].find("partner.cancel  account:" + partner_id), std::string::npos) << lines[1];
}

TEST_P(LmpctlTest, PolicySetGetAndDelete) {
  const std::string id = std::to_string(make_customer("Acme", 0));
  const auto file = write_config(
      R"({"product": "cad", "groups": {"design": {"users": ["ann"]}},
          "include": ["group:design"], "max": [{"for": "user:*", "units": 2}]})",
      kOwnerOnly, "policy.json");
  auto set = root_json({"policy", "set", id, file.string()});
  EXPECT_EQ(set.at("product"), "cad");
  EXPECT_EQ(set.at("include"), json::parse(R"(["group:design"])"));
  auto got = root_json({"policy", "get", id, "--product", "cad"});
  EXPECT_EQ(got.at("max").as_array()[0].at("units"), 2);
  EXPECT_EQ(root_json({"policy", "get", id}).at("items").as_array().size(), 1u);
  ok(root_token_, "POST", "/v1/licenses",
     {{"customer", std::stoll(id)}, {"product", "cad"}, {"units", 5}, {"days", 365}});
  auto checked = root({"policy", "check", id, "--product", "cad", "--user", "zed"});
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("not_allowed  include"), std::string::npos) << checked.out;

  // A bad policy is refused with its problems at their paths, exit status 1.
  const auto bad =
      write_config(R"({"include": ["group:ghost"], "linger": -1})", kOwnerOnly, "bad.json");
  auto refused = root({"policy", "set", id, bad.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("include[0]: unknown group \"ghost\""), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("linger: must be 0 to 86400, not -1"), std::string::npos)
      << refused.err;
  // Not a file of JSON: a usage error.
  auto unreadable = root({"policy", "set", id, (dir_.path() / "none.json").string()});
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.err;

  EXPECT_EQ(root({"policy", "delete", id, "--product", "cad"}).exit_code, 0);
  EXPECT_EQ(root_json({"policy", "get", id}).at("items").as_array().size(), 0u);
}

TEST_P(LmpctlTest, UsersAndTokens) {
  auto made = root_json({"users", "create", "--name", "ops"});
  const std::string user = std::to_string(id_of(made.at("user")));
  const std::string first_token(made.at("token").at("token").as_string());
  auto issued = root_json({"tokens", "create", user});
  EXPECT_EQ(std::to_string(issued.at("user").as_int64()), user);
  EXPECT_TRUE(issued.at("expires").is_null());
  // One that expires after a day, shown as a time; and one at a given time.
  auto daily = root({"tokens", "create", user, "--days", "1"});
  ASSERT_EQ(daily.exit_code, 0) << daily.err;
  EXPECT_NE(daily.out.find("expires  2026-01-02T00:00:00Z"), std::string::npos) << daily.out;
  auto dated = root_json({"tokens", "create", user, "--expires", "1767229200"});
  EXPECT_EQ(dated.at("expires"), 1767229200);
  auto listed = root({"users", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(lines_of(listed.out).size(), 3u) << listed.out;  // header, admin, ops

  auto revoked = root({"tokens", "revoke", std::to_string(id_of(made.at("token")))});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(revoked.out, "");
  auto refused = lmpctl({"--server", server(), "--token", first_token, "me"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("unauthorized"), std::string::npos) << refused.err;
}

TEST_P(LmpctlTest, TheFlagBeatsTheEnvironmentWhichBeatsTheConfigFile) {
  auto from_flag = make_user("from-flag", "account", 1);
  auto from_env = make_user("from-env", "account", 1);
  auto from_file = make_user("from-file", "account", 1);
  write_config("server: " + server() + "\ntoken: " + from_file.token + "\n", kOwnerOnly,
               "xdg/lmpctl/config.yaml");
  auto who = [&](const std::vector<std::string>& args, const std::vector<std::string>& env) {
    auto r = lmpctl(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(json::parse(r.out).at("user").at("name").as_string());
  };
  const std::string env_token = "LMPCTL_TOKEN=" + from_env.token;
  EXPECT_EQ(who({"--token", from_flag.token, "me", "--json"}, {env_token}), "from-flag");
  EXPECT_EQ(who({"me", "--json"}, {env_token}), "from-env");
  EXPECT_EQ(who({"me", "--json"}, {}), "from-file");

  // The server too: the environment's (unreachable) one loses to the flag.
  auto dead = "LMPCTL_SERVER=http://127.0.0.1:" + std::to_string(unused_port());
  EXPECT_EQ(who({"--server", server(), "me", "--json"}, {dead}), "from-file");
  EXPECT_EQ(lmpctl({"me"}, {dead}).exit_code, 3);

  // An explicit --config replaces the default file.
  auto other = write_config("server: " + server() + "\ntoken: " + from_env.token + "\n", kOwnerOnly,
                            "other.yaml");
  EXPECT_EQ(who({"--config", other.string(), "me", "--json"}, {}), "from-env");
}

TEST_P(LmpctlTest, ConfigFileErrorsNameTheirPlace) {
  auto unknown = write_config("server: " + server() + "\ntokn: abc\n", kOwnerOnly);
  auto r = lmpctl({"--config", unknown.string(), "me"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "lmpctl: " + unknown.string() + ":2:1: unknown key 'tokn' at the top level\n");

  auto broken = write_config("server: " + server() + "\ntoken: [abc\n", kOwnerOnly, "broken.yaml");
  r = lmpctl({"--config", broken.string(), "me"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(broken.string() + ":3:"), std::string::npos) << r.err;

  auto wrong_type = write_config("timeout: soon\n", kOwnerOnly, "typed.yaml");
  r = lmpctl({"--config", wrong_type.string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(wrong_type.string() + ":1:10: timeout: expected an integer"),
            std::string::npos)
      << r.err;

  // A token others may read is refused.
  auto open = write_config(
      "token: " + root_token_ + "\n",
      kOwnerOnly | std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      "open.yaml");
  r = lmpctl({"--server", server(), "--config", open.string(), "me"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;

  r = lmpctl({"--config", (dir_.path() / "missing.yaml").string(), "me"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read the config file"), std::string::npos) << r.err;
}

TEST_P(LmpctlTest, RefusalsExitOneWithTheApisErrorCode) {
  auto missing = root({"partners", "get", "999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "lmpctl: not_found: no such partner (HTTP 404)\n");
  EXPECT_EQ(missing.out, "");

  const auto reseller = make_partner("Tailspin", "reseller");
  auto user = make_user("tailspin-admin", "account", reseller);
  auto forbidden = lmpctl({"--server", server(), "--token", user.token, "partners", "list"});
  EXPECT_EQ(forbidden.exit_code, 1);
  EXPECT_EQ(forbidden.err.rfind("lmpctl: forbidden: ", 0), 0u) << forbidden.err;
  EXPECT_NE(forbidden.err.find("(HTTP 403)"), std::string::npos) << forbidden.err;

  auto taken = root({"partners", "create", "--name", "Tailspin", "--kind", "msp"});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_EQ(taken.err.rfind("lmpctl: name_taken: ", 0), 0u) << taken.err;
}

TEST_P(LmpctlTest, UsageErrorsExitTwo) {
  EXPECT_EQ(root({"partners", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(root({"partners", "get", "two"}).exit_code, 2);
  EXPECT_EQ(root({"partners", "create", "--name", "x"}).exit_code, 2);
  EXPECT_EQ(root({"customers", "list", "--bogus", "1"}).exit_code, 2);
  // An admin command without any token is refused before any connection.
  auto no_token = lmpctl({"--server", server(), "me"});
  EXPECT_EQ(no_token.exit_code, 2);
  EXPECT_NE(no_token.err.find("no token"), std::string::npos) << no_token.err;
  auto no_ca = lmpctl({"--server", "https://127.0.0.1:1", "--ca-file",
                       (dir_.path() / "missing.pem").string(), "health"});
  EXPECT_EQ(no_ca.exit_code, 2);
  EXPECT_NE(no_ca.err.find("missing.pem"), std::string::npos) << no_ca.err;
  EXPECT_EQ(lmpctl({"--help"}).exit_code, 0);
}

// The admin listener over TLS: lmpctl verifies the certificate against --ca-file (or
// LMPCTL_CA_FILE, or the config file's ca_file) and the URL's host, and refuses another CA's.
class LmpctlTlsTest : public LmpctlTest {
 protected:
  void seed() override {
    ca_ = std::make_unique<TestCa>(dir_.path(), "site");
    other_ca_ = std::make_unique<TestCa>(dir_.path(), "other");
    const auto issued = ca_->issue("admin", "lmpd.test", 7);
    config::Tls tls;
    tls.certificate_file = issued.certificate.string();
    tls.private_key_file = issued.key.string();
    config_.admin_listener.tls = tls;
  }
  std::string https_server() const {
    return "https://127.0.0.1:" + std::to_string(server_->admin_port());
  }
  std::unique_ptr<TestCa> ca_, other_ca_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LmpctlTlsTest, kStorageBackends, backend_name);

TEST_P(LmpctlTlsTest, SpeaksHttpsWithTheServersCertificateVerified) {
  auto me = lmpctl({"--server", https_server(), "--token", root_token_, "--ca-file",
                    ca_->certificate().string(), "--json", "me"});
  ASSERT_EQ(me.exit_code, 0) << me.err;
  // The fixture's own client speaks plain HTTP; the first-run user is "admin".
  EXPECT_NE(me.out.find("\"admin\""), std::string::npos) << me.out;
  EXPECT_NO_THROW(json::parse(me.out));

  auto from_env = lmpctl({"--server", https_server(), "health"},
                         {"LMPCTL_CA_FILE=" + ca_->certificate().string()});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;

  auto other = lmpctl(
      {"--server", https_server(), "--ca-file", other_ca_->certificate().string(), "health"});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_NE(other.err.find("certificate verify failed"), std::string::npos) << other.err;

  // By name as well as by address: the certificate names 127.0.0.1 and localhost.
  auto by_name = lmpctl({"--server", "https://localhost:" + std::to_string(server_->admin_port()),
                         "--ca-file", ca_->certificate().string(), "health"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;

  auto plain = lmpctl({"--server", "http://127.0.0.1:" + std::to_string(server_->admin_port()),
                       "--timeout", "5", "health"});
  EXPECT_EQ(plain.exit_code, 3) << plain.out;
}

TEST_P(LmpctlTest, NoServerExitsThree) {
  auto refused = lmpctl({"--server", "127.0.0.1:" + std::to_string(unused_port()), "health"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("cannot connect to 127.0.0.1:"), std::string::npos) << refused.err;

  // A server that accepts the connection and never answers: the timeout ends the wait.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto silent = lmpctl({"--server", "127.0.0.1:" + std::to_string(ntohs(address.sin_port)),
                        "--timeout", "1", "health"});
  ::close(listener);
  EXPECT_EQ(silent.exit_code, 3);
  EXPECT_NE(silent.err.find("within 1 s (timed out"), std::string::npos) << silent.err;
}

TEST_P(LmpctlTest, TheApiEscapeHatchReachesAnyEndpoint) {
  auto me = root({"api", "GET", "/v1/me", "--json"});
  ASSERT_EQ(me.exit_code, 0) << me.err;
  EXPECT_EQ(json::parse(me.out).at("user").at("name"), "admin");

  auto made = root(
      {"api", "post", "/v1/customers", "--field", "name=Zed", "--field", "account:=1", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(json::parse(made.out).at("name"), "Zed");
  auto data =
      root({"api", "POST", "/v1/partners", "--data", R"({"name":"Fab","kind":"msp"})", "--json"});
  ASSERT_EQ(data.exit_code, 0) << data.err;
  EXPECT_EQ(json::parse(data.out).at("kind"), "msp");

  // GET fields become query parameters; a list answer is a table.
  auto audit = root({"api", "GET", "/v1/audit", "--field", "action=customer.create"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  auto lines = lines_of(audit.out);
  ASSERT_EQ(lines.size(), 2u) << audit.out;
  EXPECT_NE(lines[1].find("customer.create"), std::string::npos) << audit.out;

  auto missing = root({"api", "DELETE", "/v1/nothing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;
  EXPECT_EQ(root({"api", "POST", "/v1/customers", "--data", "[1]"}).exit_code, 2);
}

TEST_P(LmpctlTest, AllFollowsNextOverEveryPage) {
  for (const char* name : {"c1", "c2", "c3", "c4", "c5"}) make_customer(name, 0);
  auto first = root({"customers", "list", "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(lines_of(first.out).size(), 3u) << first.out;
  EXPECT_NE(first.err.find("--after "), std::string::npos) << first.err;

  auto all = root({"customers", "list", "--limit", "2", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto lines = lines_of(all.out);
  ASSERT_EQ(lines.size(), 6u) << all.out;
  EXPECT_EQ(lines[5].substr(0, 6), "5   c5") << all.out;
  EXPECT_EQ(all.err, "");

  auto merged = root_json({"customers", "list", "--limit=2", "--all"});
  EXPECT_EQ(merged.at("items").as_array().size(), 5u);
  EXPECT_TRUE(merged.at("next").is_null());
}

// Issue #21: one argument style. Wherever a customer, partner, user, plan or product is named,
// lmpctl takes the name or the id; wherever it takes a time, Unix seconds or ISO 8601 (UTC).
TEST_P(LmpctlTest, NamesOrIdsAndIsoTimesOrSecondsEverywhere) {
  const auto msp = make_partner("Fabrikam", "msp");
  const auto acme = make_customer("acme", msp);
  auto made =
      root_json({"licenses", "create", "--customer", "acme", "--product", "CAD Studio", "--units",
                 "2", "--starts", "2026-02-01", "--expires", "2027-06-30T12:00:00Z"});
  EXPECT_EQ(made.at("customer"), acme);
  EXPECT_EQ(made.at("product"), "cad");
  EXPECT_EQ(made.at("starts"), 1769904000);   // 2026-02-01T00:00:00Z
  EXPECT_EQ(made.at("expires"), 1814356800);  // 2027-06-30T12:00:00Z
  EXPECT_EQ(root_json({"licenses", "list", "--customer", "acme"}).at("items").as_array().size(),
            1u);
  EXPECT_EQ(root_json({"customers", "get", "acme"}).at("id"), acme);
  EXPECT_EQ(root_json({"customers", "get", std::to_string(acme)}).at("name"), "acme");
  EXPECT_EQ(root_json({"partners", "get", "Fabrikam"}).at("id"), msp);
  EXPECT_EQ(
      root_json({"customers", "create", "--name", "globex", "--account", "Fabrikam"}).at("account"),
      msp);
  EXPECT_EQ(root_json({"users", "create", "--name", "ann", "--customer", "acme"})
                .at("user")
                .at("customer"),
            acme);

  // The issue's own example: a date where Unix seconds were demanded.
  EXPECT_EQ(root_json({"products", "end-of-sale", "cad", "--at", "2027-06-30"}).at("end_of_sale"),
            1814313600);
  EXPECT_EQ(root_json({"products", "get", "CAD Studio"}).at("end_of_sale"), 1814313600);
  auto audited = root_json({"audit", "--action", "product.end_of_sale", "--from", "2026-01-01",
                            "--to", "2026-01-01T00:00:01Z"});
  EXPECT_EQ(audited.at("items").as_array().size(), 1u) << audited;
  EXPECT_TRUE(root_json({"audit", "--from", "1767225601"}).at("items").as_array().empty());

  // What cannot be meant is refused before any call, saying what is taken.
  auto bad_time = root({"products", "end-of-sale", "cad", "--at", "30/06/2027"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find("at must be Unix seconds, a date YYYY-MM-DD or "
                              "YYYY-MM-DDTHH:MM[:SS]Z (UTC), got '30/06/2027'"),
            std::string::npos)
      << bad_time.err;
  auto unknown =
      root({"licenses", "create", "--customer", "nobody", "--product", "cad", "--units", "1"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no customer named 'nobody'"), std::string::npos) << unknown.err;
  auto usage = root({"--help", "licenses", "create"});
  EXPECT_NE(usage.out.find("--customer CUSTOMER"), std::string::npos) << usage.out;
  EXPECT_NE(usage.out.find("--expires TIME"), std::string::npos) << usage.out;
}

// Issue #21: times read as ISO 8601 UTC in tables and key/value lines (`updated` was raw
// seconds); `keys issue` prints each key alone on its line, for scripts; --json stays the API's.
TEST_P(LmpctlTest, TimesPrintAsIsoAndIssuedKeysOneALine) {
  const auto plan = root_json({"plans", "create", "--name", "cad-yearly", "--product", "cad",
                               "--period-days", "365", "--trial", "false"});
  auto shown = root({"plans", "get", "cad-yearly"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(value_of(shown.out, "updated"), "2026-01-01T00:00:00Z") << shown.out;
  EXPECT_EQ(value_of(shown.out, "created"), "2026-01-01T00:00:00Z") << shown.out;
  EXPECT_EQ(shown.out.find("1767225600"), std::string::npos) << shown.out;

  auto issued = root({"keys", "issue", "--plan", "cad-yearly", "--units", "1", "--count", "2"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  const auto keys = lines_of(issued.out);
  ASSERT_EQ(keys.size(), 2u) << issued.out;
  EXPECT_NE(keys[0], keys[1]);
  for (const auto& key : keys) {
    EXPECT_EQ(key.find_first_of(" {\"\t"), std::string::npos) << key;
    // Each line is the key itself: it redeems.
    auto redeemed = lmpctl({"--server", server(), "keys", "redeem", "--key", key, "--customer",
                            "from-" + key.substr(key.size() - 4)});
    EXPECT_EQ(redeemed.exit_code, 0) << redeemed.err;
  }
  auto as_json =
      root_json({"keys", "issue", "--plan", std::to_string(id_of(plan)), "--units", "1"});
  EXPECT_EQ(as_json.at("keys").as_array().size(), 1u) << as_json;
}

// Issue #21: customers and users renamed and deleted, tokens listed and revoked, by name or id.
TEST_P(LmpctlTest, CustomersAndUsersRenamedAndDeletedTokensListed) {
  const auto acme = make_customer("acme", 0);
  auto renamed = root_json({"customers", "rename", "acme", "--name", "Acme Corp"});
  EXPECT_EQ(renamed.at("id"), acme);
  EXPECT_EQ(renamed.at("name"), "Acme Corp");
  auto ann = make_user("ann", "customer", acme);
  auto listed = root({"users", "list", "--customer", "Acme Corp"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  ASSERT_EQ(lines_of(listed.out).size(), 2u) << listed.out;
  EXPECT_NE(lines_of(listed.out)[1].find("ann"), std::string::npos) << listed.out;

  auto ops = root_json({"users", "create", "--name", "ops"});
  const std::string ops_id = std::to_string(id_of(ops.at("user")));
  EXPECT_EQ(root_json({"users", "rename", "ops", "--name", "operations"}).at("name"), "operations");
  root_json({"tokens", "create", "operations", "--expires", "2026-03-01"});
  auto tokens = root({"tokens", "list", "operations"});
  ASSERT_EQ(tokens.exit_code, 0) << tokens.err;
  const auto rows = lines_of(tokens.out);
  ASSERT_EQ(rows.size(), 3u) << tokens.out;
  EXPECT_EQ(rows[0].substr(0, 2), "ID") << tokens.out;
  EXPECT_NE(rows[1].find("2026-01-01T00:00:00Z"), std::string::npos) << tokens.out;
  EXPECT_NE(rows[2].find("2026-03-01T00:00:00Z"), std::string::npos) << tokens.out;
  EXPECT_EQ(tokens.out.find(std::string(ops.at("token").at("token").as_string())),
            std::string::npos);
  ASSERT_EQ(root({"tokens", "revoke", std::to_string(id_of(ops.at("token")))}).exit_code, 0);
  EXPECT_FALSE(root_json({"tokens", "list", ops_id}).at("items").at(0).at("revoked").is_null());

  EXPECT_EQ(root({"users", "delete", "operations"}).exit_code, 0);
  auto gone = root({"users", "rename", ops_id, "--name", "x"});
  EXPECT_EQ(gone.exit_code, 1);
  // A customer holding a license is refused, typed; without licenses it goes.
  ok(root_token_, "POST", "/v1/licenses",
     {{"customer", acme}, {"product", "cad"}, {"units", 1}, {"days", 30}});
  auto refused = root({"customers", "delete", "Acme Corp"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("customer_in_use"), std::string::npos) << refused.err;
  make_customer("empty", 0);
  EXPECT_EQ(root({"customers", "delete", "empty"}).exit_code, 0);
  EXPECT_EQ(root({"customers", "get", "empty"}).exit_code, 2);
  EXPECT_EQ(call(ann.token, "GET", "/v1/me").status, 200);
}

TEST_P(LmpctlTest, EndOfLifeDryRunCountsAndDeletesNothing) {
  const auto held = make_customer_license("acme", 2);
  auto dry = root({"products", "end-of-life", "cad", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(value_of(dry.out, "would_delete.licenses"), "1") << dry.out;
  EXPECT_EQ(value_of(dry.out, "would_delete.leases"), "0") << dry.out;
  EXPECT_EQ(value_of(dry.out, "dry_run"), "true") << dry.out;
  EXPECT_EQ(root_json({"licenses", "list"}).at("items").as_array().size(), 1u);
  EXPECT_EQ(root_json({"products", "get", "cad"}).at("end_of_life"), nullptr);
  EXPECT_EQ(root({"products", "end-of-life", "cad", "--dry-run=yes"}).exit_code, 2);
  EXPECT_EQ(root_json({"products", "end-of-life", "cad"}).at("state"), "end_of_life");
  EXPECT_EQ(call(root_token_, "GET", "/v1/licenses/" + std::to_string(held.license)).status, 404);
}

// `events` and `webhooks` through lmpctl: a webhook made (its secret shown once), an event
// raised by the sweep as the server's clock passes a license's notice day, listed by `events`
// with its time as ISO 8601, its delivery to the (unreachable) receiver by `webhooks
// deliveries`, and the webhook deleted.
TEST_P(LmpctlTest, EventsAndWebhooks) {
  auto hook = root_json({"webhooks", "create", "--url", "http://127.0.0.1:9/hook"});
  const std::string hook_id = std::to_string(id_of(hook));
  EXPECT_EQ(std::string(hook.at("secret").as_string()).rfind("whsec_", 0), 0u) << hook;
  auto hooks = root({"webhooks", "list"});
  ASSERT_EQ(hooks.exit_code, 0) << hooks.err;
  ASSERT_EQ(lines_of(hooks.out).size(), 2u) << hooks.out;
  EXPECT_NE(lines_of(hooks.out)[1].find("http://127.0.0.1:9/hook"), std::string::npos);
  EXPECT_EQ(hooks.out.find("whsec_"), std::string::npos) << hooks.out;

  const auto customer = make_customer("acme", 0);
  const auto license = ok(root_token_, "POST", "/v1/licenses",
                          {{"customer", customer},
                           {"product", "cad"},
                           {"units", 1},
                           {"expires", kNow + 5 * kDay},
                           {"notice_days", 3}});
  // The sweep runs about once a second on the server's clock: 2 days and a second on, the
  // notice window has opened.
  auto mark = [&] {
    auto sql = raw_session();
    long long value = 0;
    *sql << "SELECT value FROM counters WHERE name = 'event_sweep_mark'", soci::into(value);
    return static_cast<std::int64_t>(value);
  };
  server_->advance_seconds(2 * kDay + 1);
  const std::int64_t target = server_->clock().now_unix_ms();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (mark() < target && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(mark(), target) << "no sweep within 60 s";

  auto events = root({"events", "--type", "license.expiring"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  const auto rows = lines_of(events.out);
  ASSERT_EQ(rows.size(), 2u) << events.out;
  EXPECT_EQ(rows[0].rfind("TIME", 0), 0u) << events.out;
  EXPECT_EQ(rows[1].rfind("2026-01-03T00:00:0", 0), 0u) << events.out;
  EXPECT_NE(rows[1].find("license.expiring"), std::string::npos) << events.out;
  EXPECT_NE(rows[1].find(" " + std::to_string(id_of(license)) + " "), std::string::npos)
      << events.out;
  const auto listed = root_json({"events", "--customer", "acme"});
  ASSERT_EQ(listed.at("items").as_array().size(), 1u) << listed;
  const std::string event_id(listed.at("items").at(0).at("id").as_string());

  auto deliveries = root_json({"webhooks", "deliveries", hook_id});
  ASSERT_EQ(deliveries.at("items").as_array().size(), 1u) << deliveries;
  EXPECT_EQ(deliveries.at("items").at(0).at("event").as_string(), event_id);
  auto table = root({"webhooks", "deliveries", hook_id});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(event_id), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("license.expiring"), std::string::npos) << table.out;

  EXPECT_EQ(root({"webhooks", "delete", hook_id}).exit_code, 0);
  EXPECT_TRUE(root_json({"webhooks", "list"}).at("items").as_array().empty());
  auto gone = root({"webhooks", "deliveries", hook_id});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("not_found"), std::string::npos) << gone.err;
}

class LmpctlSeatTest : public LmpctlTest {
 protected:
  void seed() override { code_ = create_license(config_, LicenseSpec{}); }
  std::string code_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LmpctlSeatTest, kStorageBackends, backend_name);

TEST_P(LmpctlSeatTest, SeatCommandsNeedNoToken) {
  const std::vector<std::string> base = {"--server", server()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), base.begin(), base.end());
    return lmpctl(args);
  };
  auto checkout = with({"seat", "checkout", "--code", code_, "--user", "ann", "--json"});
  ASSERT_EQ(checkout.exit_code, 0) << checkout.err;
  const std::string lease(json::parse(checkout.out).at("lease").as_string());
  auto status = with({"seat", "status", "--code", code_});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(value_of(status.out, "used"), "1") << status.out;
  EXPECT_EQ(with({"seat", "heartbeat", lease}).exit_code, 0);
  EXPECT_EQ(with({"seat", "checkin", lease}).exit_code, 0);
  auto gone = with({"seat", "heartbeat", lease});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err.rfind("lmpctl: lease_unknown: ", 0), 0u) << gone.err;
  auto health = with({"health"});
  EXPECT_EQ(health.exit_code, 0);
  EXPECT_EQ(health.out, "status  ok\n");
}

}  // namespace
}  // namespace lmp::test
