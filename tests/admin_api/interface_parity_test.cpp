// `lmpd admin` and the admin API refuse the same things for the same reasons, on each storage
// backend: the same bad license requests go to both, and each refusal's reason (the command
// line's, in parentheses) must be the API's error code. Nothing refused is left behind.
#include <sstream>

#include "admin/admin_cli.hpp"
#include "admin_fixture.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class InterfaceParity : public AdminApiTest {
 protected:
  // A third product, "cam", for End of Sale; "agent" goes to End of Life.
  void seed() override {
    config::Product cam = config_.products.front();
    cam.code = "cam";
    cam.name = "CAM Studio";
    config_.products.push_back(cam);
  }

  void SetUp() override {
    AdminApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_config_ = dir_.path() / "cli.yaml";
    write_cli_config(
        cli_config_, config_.storage,
        "  - code: agent\n    name: Scan Agent\n    family: software\n"
        "    unit: endpoints\n"
        "  - code: cam\n    name: CAM Studio\n    family: software\n    unit: seats\n");
  }

  struct Outcome {
    int status = 0;      // the exit status of the command, the HTTP status of the call
    std::string reason;  // the refusal's reason, the API's error code
  };

  // `lmpd admin create-license` with `words` after it; the reason is what the command line
  // prints in parentheses ("lmpd admin: <message> (<reason>); nothing changed").
  Outcome cli(std::vector<std::string> words) {
    words.insert(words.begin(), {"--config", cli_config_.string(), "create-license"});
    std::ostringstream out, err;
    Outcome outcome;
    outcome.status = admin::run_admin(words, "", server_->clock(), out, err);
    const std::string text = err.str();
    const auto close = text.rfind(')');
    const auto open = text.rfind('(', close);
    if (close != std::string::npos && open != std::string::npos)
      outcome.reason = text.substr(open + 1, close - open - 1);
    EXPECT_EQ(out.str(), "") << "a refused command printed a result";
    return outcome;
  }

  Outcome api(json::object body) {
    auto reply = call(root_token_, "POST", "/v1/licenses", body);
    return {reply.status, reply.error_code()};
  }

  // Both refuse `what` for the reason `reason`: the command line with exit status `exit_status`,
  // the API with `http_status`.
  void both_refuse(const std::string& what, const std::vector<std::string>& words,
                   const json::object& body, const std::string& reason, int exit_status,
                   int http_status) {
    SCOPED_TRACE(what);
    const auto by_cli = cli(words);
    const auto by_api = api(body);
    EXPECT_EQ(by_cli.status, exit_status);
    EXPECT_EQ(by_api.status, http_status);
    EXPECT_EQ(by_cli.reason, reason);
    EXPECT_EQ(by_api.reason, reason);
  }

  std::int64_t count_of(const std::string& target) {
    return static_cast<std::int64_t>(ok(root_token_, "GET", target).at("items").as_array().size());
  }

  std::filesystem::path cli_config_;
};

INSTANTIATE_TEST_SUITE_P(Backends, InterfaceParity, kStorageBackends, backend_name);

TEST_P(InterfaceParity, CommandLineAndApiRefuseTheSameLicensesForTheSameReasons) {
  const std::int64_t disabled = make_customer("disabled-co", 0);
  ok(root_token_, "POST", "/v1/customers/" + std::to_string(disabled) + "/status",
     {{"status", "disabled"}});
  const std::int64_t partner = make_partner("gone-partner", "msp");
  const std::int64_t orphaned = make_customer("orphaned-co", partner);
  ok(root_token_, "POST", "/v1/partners/" + std::to_string(partner) + "/status",
     {{"status", "canceled"}});
  const std::int64_t acme = make_customer("acme", 0);
  ok(root_token_, "POST", "/v1/products/cam/end-of-sale");
  ok(root_token_, "POST", "/v1/products/agent/end-of-life");
  const std::int64_t customers = count_of("/v1/customers");

  auto license = [](std::int64_t customer, const std::string& product, json::object terms) {
    terms["customer"] = customer;
    terms["product"] = product;
    if (!terms.contains("units")) terms["units"] = 1;
    if (!terms.contains("days") && !terms.contains("expires")) terms["days"] = 30;
    return terms;
  };
  const std::vector<std::string> one_unit = {"--units", "1", "--days", "30"};
  auto words = [&](const std::string& customer, const std::string& product,
                   std::vector<std::string> rest) {
    std::vector<std::string> out = {"--customer", customer, "--product", product};
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
  };

  both_refuse("a disabled customer", words("disabled-co", "cad", one_unit),
              license(disabled, "cad", {}), "account_not_active", 1, 409);
  both_refuse("a customer of a canceled partner", words("orphaned-co", "cad", one_unit),
              license(orphaned, "cad", {}), "partner_canceled", 1, 409);
  both_refuse("a product at End of Sale", words("acme", "cam", one_unit), license(acme, "cam", {}),
              "end_of_sale", 1, 409);
  both_refuse("a product at End of Life", words("acme", "agent", one_unit),
              license(acme, "agent", {}), "end_of_life", 1, 403);
  both_refuse("an unknown product", words("acme", "nope", one_unit), license(acme, "nope", {}),
              "not_found", 1, 404);
  both_refuse("no units", words("acme", "cad", {"--units", "0"}),
              license(acme, "cad", {{"units", 0}}), "bad_request", 2, 400);
  both_refuse("too many units", words("acme", "cad", {"--units", "1000001"}),
              license(acme, "cad", {{"units", 1000001}}), "bad_request", 2, 400);
  both_refuse(
      "an expiry before the start",
      words("acme", "cad", {"--units", "1", "--starts", "2026-03-01", "--expires", "2026-02-01"}),
      license(acme, "cad", {{"starts", kNow + 59 * kDay}, {"expires", kNow + 31 * kDay}}),
      "bad_request", 2, 400);
  both_refuse("both an expiry and a length",
              words("acme", "cad", {"--units", "1", "--expires", "2026-02-01", "--days", "3"}),
              license(acme, "cad", {{"expires", kNow + 31 * kDay}, {"days", 3}}), "bad_request", 2,
              400);
  // A new customer named on the command line is made with its license or not at all.
  both_refuse("a new customer's license at End of Life", words("newcomer", "agent", one_unit),
              license(acme, "agent", {}), "end_of_life", 1, 403);

  EXPECT_EQ(count_of("/v1/licenses"), 0);
  EXPECT_EQ(count_of("/v1/customers"), customers);
}

// A customer name that is not displayable text (here a right-to-left override, and bytes that
// are not UTF-8, which JSON cannot even carry) is refused by both, and nothing is made.
TEST_P(InterfaceParity, CommandLineAndApiRefuseTheSameCustomerNames) {
  for (const std::string& name :
       {std::string("inv\u202Egpj.exe"), std::string("Acme\nInc"), std::string("bad\xC3")}) {
    SCOPED_TRACE(name);
    std::ostringstream out, err;
    EXPECT_EQ(admin::run_admin({"--config", cli_config_.string(), "create-customer", name}, "",
                               server_->clock(), out, err),
              2);
    EXPECT_NE(err.str().find("(bad_request)"), std::string::npos) << err.str();
    auto reply = call(root_token_, "POST", "/v1/customers", {{"name", name}});
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.error_code(), "bad_request");
  }
  EXPECT_EQ(count_of("/v1/customers"), 0);
}

TEST_P(InterfaceParity, TheCommandLineActsAsTheParentWithItsAuditRecords) {
  const std::int64_t partner = make_partner("reseller-one", "reseller");
  make_customer("partner-co", partner);
  std::ostringstream out, err;
  ASSERT_EQ(admin::run_admin({"--config", cli_config_.string(), "create-license", "--customer",
                              "partner-co", "--product", "cad", "--units", "2"},
                             "", server_->clock(), out, err),
            0)
      << err.str();
  // The parent has no pool limit, as through the API; the record names the command line.
  auto records = ok(root_token_, "GET", "/v1/audit?action=license.create").at("items").as_array();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("actor").at("scope"), "cli");
  EXPECT_EQ(records[0].at("actor").at("user"), nullptr);
  EXPECT_EQ(records[0].at("after").at("units"), 2);
}

// Issue #21: one argument style for both command lines. `lmpd admin` names a customer by its
// name or its id, a product by its code or its name, and takes the times lmpctl takes (Unix
// seconds, a date, an ISO 8601 UTC date and time); an id nobody has is refused, never a customer
// made under a number.
TEST_P(InterfaceParity, TheCommandLineTakesNamesOrIdsAndIsoTimesOrSeconds) {
  const std::int64_t acme = make_customer("acme", 0);
  auto run = [&](std::vector<std::string> words, std::ostringstream& out, std::ostringstream& err) {
    words.insert(words.begin(), {"--config", cli_config_.string(), "create-license"});
    return admin::run_admin(words, "", server_->clock(), out, err);
  };
  std::ostringstream out, err;
  ASSERT_EQ(run({"--customer", std::to_string(acme), "--product", "CAM Studio", "--units", "1",
                 "--starts", "2026-02-01", "--expires", "2027-06-30T12:00:00Z"},
                out, err),
            0)
      << err.str();
  auto licenses = ok(root_token_, "GET", "/v1/licenses").at("items").as_array();
  ASSERT_EQ(licenses.size(), 1u);
  EXPECT_EQ(licenses[0].at("customer"), acme);
  EXPECT_EQ(licenses[0].at("product"), "cam");
  EXPECT_EQ(licenses[0].at("starts"), 1769904000);   // 2026-02-01T00:00:00Z
  EXPECT_EQ(licenses[0].at("expires"), 1814356800);  // 2027-06-30T12:00:00Z

  std::ostringstream out2, err2;
  ASSERT_EQ(
      run({"--customer", "acme", "--product", "cad", "--units", "1", "--expires", "1814313600"},
          out2, err2),
      0)
      << err2.str();
  EXPECT_EQ(ok(root_token_, "GET", "/v1/licenses").at("items").as_array()[1].at("expires"),
            1814313600);
  EXPECT_EQ(count_of("/v1/customers"), 1);

  std::ostringstream out3, err3;
  EXPECT_EQ(run({"--customer", "999", "--product", "cad", "--units", "1"}, out3, err3), 1);
  EXPECT_NE(err3.str().find("(not_found)"), std::string::npos) << err3.str();
  std::ostringstream out4, err4;
  EXPECT_EQ(run({"--customer", "acme", "--product", "cad", "--units", "1", "--expires",
                 "2027-06-30T12:00+02:00"},
                out4, err4),
            2);
  EXPECT_NE(err4.str().find("--expires must be Unix seconds, a date"), std::string::npos)
      << err4.str();
  EXPECT_EQ(count_of("/v1/licenses"), 2);
  EXPECT_EQ(count_of("/v1/customers"), 1);
}

}  // namespace
}  // namespace lmp::test
