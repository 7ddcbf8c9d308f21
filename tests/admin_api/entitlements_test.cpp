// Entitlements from the vendor through the real HTTP listeners of two servers: the vendor's (its
// own SQLite file) exports, the site server (on each storage backend, trusting the vendor's key)
// imports. The round trip, a renewal by a newer serial, units shrinking under held leases, each
// bad input refused with its own reason and audited, and the site's own refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "admin/admin_cli.hpp"
#include "core/base64url.hpp"
#include "core/ed25519.hpp"
#include "domain/entitlement.hpp"
#include "domain/first_run.hpp"
#include "entitlements_fixture.hpp"
#include "storage/sql_unit_of_work.hpp"
#include "support/line_client.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDay = kEntitlementDay;

class EntitlementsTest : public EntitlementsFixture {};

INSTANTIATE_TEST_SUITE_P(Backends, EntitlementsTest, kStorageBackends, backend_name);

TEST_P(EntitlementsTest, TheSiteHasOneIdAndKnowsItsRole) {
  const auto site = ok(root_token_, "GET", "/v1/site");
  EXPECT_EQ(site.at("role"), "site");
  EXPECT_EQ(site_.rfind("site-", 0), 0u) << site_;
  EXPECT_EQ(site_.size(), 5u + 32u);
  EXPECT_EQ(site.at("vendor_keys").at(0), json::value(vendor_kid_));
  auto vendor = vendor_ok("GET", "/v1/site");
  EXPECT_EQ(vendor.at("role"), "vendor");
  EXPECT_NE(vendor.at("site"), json::value(site_));
  // Made once: a restart keeps it.
  server_.reset();
  server_ = std::make_unique<TestServer>(config_);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/site").at("site"), json::value(site_));
}

TEST_P(EntitlementsTest, ASiteServerMakesNoLicensesOfItsOwn) {
  const auto customer = make_customer("Acme", 0);
  auto reply = call(root_token_, "POST", "/v1/licenses",
                    {{"customer", customer}, {"product", "cad"}, {"units", 5}, {"days", 30}});
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.error_code(), "site_server");
  EXPECT_NE(reply.body.find("entitlements"), std::string::npos) << reply.body;
  // Nor through the back door of registration keys.
  const auto plan =
      id_of(ok(root_token_, "POST", "/v1/plans",
               {{"name", "yearly"}, {"product", "cad"}, {"period_days", 365}, {"trial", false}}));
  reply = call(root_token_, "POST", "/v1/keys", {{"plan", plan}, {"units", 1}});
  EXPECT_EQ(reply.error_code(), "site_server") << reply.body;
  // Nor from the shell.
  const auto config_file = dir_.path() / "site.yaml";
  write_cli_config(config_file, config_.storage);
  std::ofstream(config_file, std::ios::app)
      << "trust:\n  vendor_keys:\n    - '" << vendor_jwk_ << "'\n";
  ManualClock clock(kTestEpochMs);
  std::ostringstream out, err;
  EXPECT_EQ(admin::run_admin({"--config", config_file.string(), "create-license", "--customer",
                              "acme", "--product", "cad", "--units", "3"},
                             "", clock, out, err),
            1);
  EXPECT_NE(err.str().find("(site_server)"), std::string::npos) << err.str();
  std::ostringstream id_out, id_err;
  ASSERT_EQ(
      admin::run_admin({"--config", config_file.string(), "site-id"}, "", clock, id_out, id_err), 0)
      << id_err.str();
  EXPECT_EQ(id_out.str().substr(0, site_.size()), site_);
  EXPECT_EQ(site_license_count(), 0);
  // The vendor's server imports nothing.
  reply = admin_call(vendor_->admin_port(), vendor_token_, "POST", "/v1/entitlements",
                     {{"entitlement", "x.y.z"}});
  EXPECT_EQ(reply.error_code(), "not_site_server") << reply.body;
}

TEST_P(EntitlementsTest, AnEntitlementMakesTheLicenseWithItsCodeOnceAndAgainChangesNothing) {
  const auto license = vendor_license(3);
  const auto made = exported(license, site_);
  EXPECT_EQ(made.at("serial"), 1);
  EXPECT_EQ(made.at("kid"), json::value(vendor_kid_));
  const std::string entitlement(made.at("entitlement").as_string());
  const auto payload = payload_of(entitlement);
  EXPECT_EQ(payload.at("site"), json::value(site_));
  EXPECT_EQ(payload.at("customer"), "Contoso");
  EXPECT_EQ(payload.at("units"), 3);
  EXPECT_EQ(payload.at("family"), "software");
  EXPECT_FALSE(payload.contains("exp"));

  const auto first = imported(entitlement);
  EXPECT_EQ(first.at("result"), "created");
  EXPECT_EQ(first.at("customer_name"), "Contoso");
  EXPECT_EQ(first.at("units"), 3);
  EXPECT_EQ(first.at("vendor_license"), license);
  const std::string code(first.at("code").as_string());
  LineClient seat(server_->port());
  EXPECT_EQ(seat.request("CHECKOUT code=" + code).rfind("OK lease=", 0), 0u);

  // The same file again, and the same terms exported again: one license, no new code.
  const auto again = imported(entitlement);
  EXPECT_EQ(again.at("result"), "unchanged");
  EXPECT_FALSE(again.as_object().contains("code"));
  EXPECT_EQ(exported(license, site_).at("serial"), 1);
  EXPECT_EQ(imported(token(license)).at("result"), "unchanged");
  EXPECT_EQ(site_license_count(), 1);
}

TEST_P(EntitlementsTest, ANewerSerialRenewsInPlaceAndAnOlderOneIsRefused) {
  const auto license = vendor_license(3);
  const std::string serial1 = token(license);
  const auto first = imported(serial1);
  const std::string code(first.at("code").as_string());
  const auto expires = first.at("expires").as_int64();

  vendor_ok("POST", "/v1/licenses/" + std::to_string(license) + "/renew", {{"days", 365}});
  vendor_ok("PUT", "/v1/licenses/" + std::to_string(license) + "/units", {{"units", 8}});
  const auto renewal = exported(license, site_);
  EXPECT_EQ(renewal.at("serial"), 2);
  const auto replaced = imported(std::string(renewal.at("entitlement").as_string()));
  EXPECT_EQ(replaced.at("result"), "replaced");
  EXPECT_EQ(replaced.at("id"), first.at("id"));
  EXPECT_EQ(replaced.at("units"), 8);
  EXPECT_EQ(replaced.at("expires").as_int64(), expires + 365 * kDay);
  // The code stays the license's.
  LineClient seat(server_->port());
  EXPECT_EQ(seat.request("CHECKOUT code=" + code + " units=8").rfind("OK lease=", 0), 0u);

  auto reply = import(serial1);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.error_code(), "entitlement_not_newer");
  const auto after = ok(root_token_, "GET", "/v1/licenses/" + std::to_string(id_of(first)));
  EXPECT_EQ(after.at("units"), 8);
  EXPECT_EQ(after.at("expires").as_int64(), expires + 365 * kDay);
  EXPECT_EQ(refusal_reasons(), std::vector<std::string>{"entitlement_not_newer"});
}

TEST_P(EntitlementsTest, FewerUnitsLeaveHeldLeasesAndRefuseNewCheckoutsUntilTheyFit) {
  const auto license = vendor_license(3);
  const std::string code(imported(token(license)).at("code").as_string());
  LineClient seat(server_->port());
  std::vector<std::string> leases;
  for (int i = 0; i < 3; ++i) {
    const auto answer = seat.request("CHECKOUT code=" + code);
    ASSERT_EQ(answer.rfind("OK lease=", 0), 0u) << answer;
    leases.push_back(fields_of(answer)["lease"]);
  }
  vendor_ok("PUT", "/v1/licenses/" + std::to_string(license) + "/units", {{"units", 1}});
  EXPECT_EQ(imported(token(license)).at("units"), 1);
  // The leases held stay until they are checked in or lapse; nothing new is granted meanwhile.
  for (const auto& lease : leases)
    EXPECT_EQ(seat.request("HEARTBEAT lease=" + lease).rfind("OK", 0), 0u);
  EXPECT_EQ(seat.request("CHECKOUT code=" + code).rfind("ERR", 0), 0u);
  EXPECT_EQ(seat.request("CHECKIN lease=" + leases[0]), "OK");
  EXPECT_EQ(seat.request("CHECKIN lease=" + leases[1]), "OK");
  EXPECT_EQ(seat.request("CHECKOUT code=" + code).rfind("ERR", 0), 0u);
  EXPECT_EQ(seat.request("CHECKIN lease=" + leases[2]), "OK");
  EXPECT_EQ(seat.request("CHECKOUT code=" + code).rfind("OK lease=", 0), 0u);
}

TEST_P(EntitlementsTest, EachBadInputIsRefusedWithItsOwnReasonAuditedAndNothingHarmed) {
  const auto license = vendor_license(3);
  const std::string good = token(license);
  const auto payload = payload_of(good);
  auto refused = [&](const std::string& text, int status, const std::string& code) {
    auto reply = import(text);
    EXPECT_EQ(reply.status, status) << code << ": " << reply.body;
    EXPECT_EQ(reply.error_code(), code) << reply.body;
  };
  refused("not an entitlement", 400, "entitlement_malformed");
  refused(good.substr(0, good.rfind('.')), 400, "entitlement_malformed");
  // Signed by the vendor's key, but not JSON of an entitlement (units missing).
  json::object no_units = payload;
  no_units.erase("units");
  refused(with_payload(good, no_units), 422, "entitlement_bad_signature");
  // More units than were signed.
  json::object more = payload;
  more["units"] = 300;
  refused(with_payload(good, more), 422, "entitlement_bad_signature");
  // A key the site does not trust, though the entitlement is well formed.
  domain::Entitlement forged;
  forged.terms = {license,
                  "Contoso",
                  "cad",
                  "software",
                  300,
                  "seats",
                  false,
                  kTestEpochMs / 1000,
                  kTestEpochMs / 1000 + 365 * kDay,
                  0,
                  0};
  forged.site = site_;
  forged.serial = 9;
  forged.issued = kTestEpochMs / 1000;
  refused(domain::sign_entitlement(forged, "mallory", Ed25519Key::generate()), 422,
          "entitlement_unknown_key");
  // The vendor's key, in a kid the site trusts, but another key's signature.
  refused(domain::sign_entitlement(forged, vendor_kid_, Ed25519Key::generate()), 422,
          "entitlement_bad_signature");
  refused(std::string(exported(license, "site-elsewhere").at("entitlement").as_string()), 422,
          "entitlement_other_site");
  const std::string short_lived(exported(license, site_, 1).at("entitlement").as_string());
  refused(std::string(exported(vendor_license(2, "cam"), site_).at("entitlement").as_string()), 422,
          "entitlement_unknown_product");
  server_->advance_seconds(2 * kDay);
  refused(short_lived, 422, "entitlement_expired");

  EXPECT_EQ(site_license_count(), 0);
  EXPECT_EQ(
      refusal_reasons(),
      (std::vector<std::string>{
          "entitlement_bad_signature", "entitlement_bad_signature", "entitlement_bad_signature",
          "entitlement_expired", "entitlement_malformed", "entitlement_malformed",
          "entitlement_other_site", "entitlement_unknown_key", "entitlement_unknown_product"}));
  // The good one still imports after all that.
  EXPECT_EQ(imported(good).at("result"), "created");
}

TEST_P(EntitlementsTest, TheShellImportsAFileAndRefusesABadOneWithItsReason) {
  const auto config_file = dir_.path() / "site.yaml";
  write_cli_config(config_file, config_.storage);
  // The vendor's key as PEM, which has no kid: tried for any.
  auto x = base64url_decode(std::string(json::parse(vendor_jwk_).at("x").as_string()));
  std::string pem = ed25519_public_key_pem(*x);
  std::string indented;
  for (std::istringstream in(pem); std::getline(in, pem);) indented += "      " + pem + "\n";
  std::ofstream(config_file, std::ios::app) << "trust:\n  vendor_keys:\n    - |\n" << indented;
  const auto file = dir_.path() / "contoso.jws";
  std::ofstream(file) << token(vendor_license(4)) << "\n";
  ManualClock clock(kTestEpochMs);
  std::ostringstream out, err;
  ASSERT_EQ(admin::run_admin({"--config", config_file.string(), "import", file.string()}, "", clock,
                             out, err),
            0)
      << err.str();
  EXPECT_NE(out.str().find("created"), std::string::npos) << out.str();
  const auto at = out.str().find("activation code: ");
  ASSERT_NE(at, std::string::npos) << out.str();
  LineClient seat(server_->port());
  EXPECT_EQ(seat.request("CHECKOUT code=" + out.str().substr(at + 17, 23)).rfind("OK lease=", 0),
            0u);

  std::ofstream(file) << "garbage";
  std::ostringstream bad_out, bad_err;
  EXPECT_EQ(admin::run_admin({"--config", config_file.string(), "import", file.string()}, "", clock,
                             bad_out, bad_err),
            1);
  EXPECT_NE(bad_err.str().find("(entitlement_malformed)"), std::string::npos) << bad_err.str();
  EXPECT_EQ(refusal_reasons(), std::vector<std::string>{"entitlement_malformed"});
  EXPECT_EQ(site_license_count(), 1);
}

}  // namespace
}  // namespace lmp::test
