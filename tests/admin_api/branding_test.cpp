// Branding through the real HTTP listener, on each storage backend: an account sets its own, and
// every caller reads the branding in force for it, each field from the nearest account above that
// set it.
#include <gtest/gtest.h>

#include "admin_fixture.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class BrandingTest : public AdminApiTest {};

INSTANTIATE_TEST_SUITE_P(Backends, BrandingTest, kStorageBackends, backend_name);

TEST_P(BrandingTest, CustomersSeeTheirPartnersBrandingOverTheParents) {
  ok(root_token_, "PUT", "/v1/branding",
     {{"display_name", "Contoso Licensing"},
      {"support_email", "help@contoso.example"},
      {"primary_color", "#0055AA"}});
  const auto msp = make_partner("Fabrikam", "msp");
  const auto msp_admin = make_user("fabrikam-admin", "account", msp);
  ok(msp_admin.token, "PUT", "/v1/branding",
     {{"display_name", "Fabrikam IT"}, {"logo_url", "https://fabrikam.example/logo.png"}});

  const auto customer = make_customer("Acme", msp);
  const auto customer_user = make_user("acme-admin", "customer", customer);
  auto seen = ok(customer_user.token, "GET", "/v1/branding");
  EXPECT_EQ(seen.at("display_name"), "Fabrikam IT");
  EXPECT_EQ(seen.at("logo_url"), "https://fabrikam.example/logo.png");
  // Not set by the MSP: the parent's.
  EXPECT_EQ(seen.at("support_email"), "help@contoso.example");
  EXPECT_EQ(seen.at("primary_color"), "#0055AA");
  EXPECT_EQ(seen.at("support_url"), "");
  EXPECT_EQ(seen.at("from").at("display_name"), msp);
  EXPECT_EQ(seen.at("from").at("support_email"), 1);

  // A customer of the parent sees the parent's only.
  const auto direct = make_customer("Direct", 0);
  auto direct_seen = ok(make_user("direct-admin", "customer", direct).token, "GET", "/v1/branding");
  EXPECT_EQ(direct_seen.at("display_name"), "Contoso Licensing");
  EXPECT_EQ(direct_seen.at("logo_url"), "");

  // A PUT replaces: a field left out is cleared, and then inherited again.
  ok(msp_admin.token, "PUT", "/v1/branding", {{"display_name", "Fabrikam IT"}});
  EXPECT_EQ(ok(customer_user.token, "GET", "/v1/branding").at("logo_url"), "");

  auto audit = ok(root_token_, "GET", "/v1/audit?action=branding.update");
  EXPECT_EQ(audit.at("items").as_array().size(), 3u);
}

TEST_P(BrandingTest, RefusesMalformedFieldsAndCallersWithoutThePermission) {
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"primary_color", "blue"},
                                                        {"primary_color", "#12345G"},
                                                        {"logo_url", "javascript:alert(1)"},
                                                        {"support_url", "ftp://x"},
                                                        {"support_email", "nobody"},
                                                        {"support_email", "a@b@c"}}) {
    auto reply = call(root_token_, "PUT", "/v1/branding", json::object{{field, value}});
    EXPECT_EQ(reply.status, 400) << field << "=" << value << ": " << reply.body;
  }
  const auto reseller = make_partner("Tailspin", "reseller");
  auto refused = call(make_user("tailspin-admin", "account", reseller).token, "PUT", "/v1/branding",
                      json::object{{"display_name", "Tailspin"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(ok(root_token_, "GET", "/v1/branding").at("display_name"), "");
}

}  // namespace
}  // namespace lmp::test
