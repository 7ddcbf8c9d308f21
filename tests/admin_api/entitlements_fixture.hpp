// The fixture of the entitlement tests: a vendor's server (its own SQLite file) that exports, and
// a site server (on each storage backend, trusting the vendor's key) that imports, both through
// their real HTTP listeners.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin_fixture.hpp"
#include "core/base64url.hpp"
#include "domain/first_run.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::test {

inline constexpr std::int64_t kEntitlementDay = 86400;

class EntitlementsFixture : public AdminApiTest {
 protected:
  // The vendor first (its key goes into the site's config), then the site as AdminApiTest makes
  // its server, with trust.vendor_keys set.
  void SetUp() override {
    vendor_config_ = base_config(vendor_dir_.path());
    add_product(vendor_config_, "cam", "software", sdk::UnitType::seats);
    {
      auto db = storage::open_unit_of_work(vendor_config_.storage);
      vendor_token_ = domain::initialise(*db, "Vendor", "admin", kTestEpochMs).token;
    }
    vendor_ = std::make_unique<TestServer>(vendor_config_);
    auto keys = admin_call(vendor_->admin_port(), "", "GET", "/v1/keys").json();
    vendor_jwk_ = boost::json::serialize(keys.at("keys").at(0));
    vendor_kid_ = std::string(keys.at("keys").at(0).at("kid").as_string());

    use_backend();
    if (IsSkipped()) return;
    config_.trust.vendor_keys = {vendor_jwk_};
    {
      auto db = storage::open_unit_of_work(config_.storage);
      root_token_ = domain::initialise(*db, "Site", "admin", kTestEpochMs).token;
    }
    server_ = std::make_unique<TestServer>(config_);
    site_ = std::string(ok(root_token_, "GET", "/v1/site").at("site").as_string());
  }

  boost::json::value vendor_ok(const std::string& method, const std::string& target,
                               const boost::json::value& body = nullptr) {
    auto reply = admin_call(vendor_->admin_port(), vendor_token_, method, target, body);
    EXPECT_EQ(reply.status, 200) << method << " " << target << ": " << reply.body;
    return reply.json();
  }
  // A license of `units` on the vendor's server for customer "Contoso".
  std::int64_t vendor_license(std::int64_t units, const std::string& product = "cad") {
    if (vendor_customer_ == 0)
      vendor_customer_ = id_of(vendor_ok("POST", "/v1/customers", {{"name", "Contoso"}}));
    return id_of(vendor_ok("POST", "/v1/licenses",
                           {{"customer", vendor_customer_},
                            {"product", product},
                            {"units", units},
                            {"days", 365},
                            {"grace_days", 7}}));
  }
  boost::json::value exported(std::int64_t license, const std::string& site,
                              std::optional<std::int64_t> valid_days = std::nullopt) {
    boost::json::object body{{"site", site}};
    if (valid_days) body["valid_days"] = *valid_days;
    return vendor_ok("POST", "/v1/licenses/" + std::to_string(license) + "/entitlement", body);
  }
  std::string token(std::int64_t license) {
    return std::string(exported(license, site_).at("entitlement").as_string());
  }
  HttpReply import(const std::string& token) {
    return call(root_token_, "POST", "/v1/entitlements", {{"entitlement", token}});
  }
  boost::json::value imported(const std::string& token) {
    auto reply = import(token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json();
  }
  std::int64_t site_license_count() {
    return static_cast<std::int64_t>(
        ok(root_token_, "GET", "/v1/licenses").at("items").as_array().size());
  }
  // The `after` of each audit record of `action` on the site, newest first.
  std::vector<boost::json::object> audited(const std::string& action) {
    std::vector<boost::json::object> afters;
    auto page = ok(root_token_, "GET", "/v1/audit?action=" + action + "&limit=100");
    for (const auto& record : page.at("items").as_array()) {
      const auto& after = record.at("after");
      afters.push_back(
          (after.is_string() ? boost::json::parse(after.as_string()) : after).as_object());
    }
    return afters;
  }
  std::vector<std::string> refusal_reasons() {
    std::vector<std::string> reasons;
    for (const auto& after : audited("entitlement.refuse"))
      reasons.emplace_back(after.at("reason").as_string());
    std::sort(reasons.begin(), reasons.end());
    return reasons;
  }
  // Stops the site server and starts it again on its database, its clock at `start_ms`.
  void restart_site(std::int64_t start_ms) {
    server_.reset();
    server_ = std::make_unique<TestServer>(config_, start_ms);
  }
  // A token with its payload replaced by `payload` and the original header and signature.
  static std::string with_payload(const std::string& token, const boost::json::object& payload) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return token.substr(0, a + 1) + base64url_encode(boost::json::serialize(payload)) +
           token.substr(b);
  }
  static boost::json::object payload_of(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return boost::json::parse(*base64url_decode(token.substr(a + 1, b - a - 1))).as_object();
  }

  TempDir vendor_dir_;
  config::Config vendor_config_;
  std::unique_ptr<TestServer> vendor_;
  std::string vendor_token_;
  std::string vendor_jwk_;
  std::string vendor_kid_;
  std::int64_t vendor_customer_ = 0;
  std::string site_;
};

}  // namespace lmp::test
