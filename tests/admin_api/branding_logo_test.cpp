// The accounts' logos through the real HTTP listener, on each storage backend: uploaded by an
// account with modify_branding, checked (type, signature, size, no script in an SVG), served by
// lmpd itself under a type that is never sniffed, and the nearest one in force for each caller.
#include <gtest/gtest.h>

#include "admin_fixture.hpp"
#include "core/base64url.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

// A 1x1 PNG, as `base64` writes it.
constexpr const char* kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
    "gg==";

std::string base64(const std::string& bytes) {
  // base64url with the standard alphabet: the route takes either.
  std::string text = base64url_encode(bytes);
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  return text;
}

class BrandingLogoTest : public AdminApiTest {};

INSTANTIATE_TEST_SUITE_P(Backends, BrandingLogoTest, kStorageBackends, backend_name);

TEST_P(BrandingLogoTest, ThePartnersLogoIsServedToItsCustomersTheParentsToOthers) {
  ok(root_token_, "PUT", "/v1/branding/logo",
     {{"content_type", "image/png"}, {"data", kPngBase64}});
  const auto msp = make_partner("Fabrikam", "msp");
  const auto msp_admin = make_user("fabrikam-admin", "account", msp);
  const std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">"
      "<rect width=\"8\" height=\"8\" fill=\"#0a5\"/></svg>";
  auto set = ok(msp_admin.token, "PUT", "/v1/branding/logo",
                {{"content_type", "image/svg+xml"}, {"data", base64(svg)}});
  EXPECT_EQ(set.at("bytes").as_int64(), static_cast<std::int64_t>(svg.size()));

  const auto customer = make_customer("Acme", msp);
  const auto customer_user = make_user("acme-admin", "customer", customer);
  auto branding = ok(customer_user.token, "GET", "/v1/branding");
  EXPECT_EQ(branding.at("logo").at("from").as_int64(), msp);
  EXPECT_EQ(branding.at("logo").at("content_type"), "image/svg+xml");
  const std::string url(branding.at("logo").at("url").as_string());
  auto image = call(customer_user.token, "GET", url);
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_EQ(image.body, svg);
  EXPECT_EQ(image.header("content-type"), "image/svg+xml");
  EXPECT_EQ(image.header("x-content-type-options"), "nosniff");
  EXPECT_NE(image.header("content-security-policy").find("sandbox"), std::string::npos);
  EXPECT_NE(image.header("content-security-policy").find("default-src 'none'"), std::string::npos);

  // A customer of the parent gets the parent's PNG, byte for byte.
  const auto direct = make_user("direct-admin", "customer", make_customer("Direct", 0));
  auto png = call(direct.token, "GET", "/v1/branding/logo");
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(png.header("content-type"), "image/png");
  EXPECT_EQ(base64(png.body),
            std::string(kPngBase64).substr(0, std::string(kPngBase64).size() - 2));

  // Removed: the one above shows again.
  ok(msp_admin.token, "DELETE", "/v1/branding/logo");
  EXPECT_EQ(ok(customer_user.token, "GET", "/v1/branding").at("logo").at("from").as_int64(), 1);
  EXPECT_EQ(call(customer_user.token, "GET", "/v1/branding/logo").header("content-type"),
            "image/png");
  ok(root_token_, "DELETE", "/v1/branding/logo");
  EXPECT_TRUE(ok(customer_user.token, "GET", "/v1/branding").at("logo").is_null());
  EXPECT_EQ(call(customer_user.token, "GET", "/v1/branding/logo").status, 404);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/audit?action=branding.logo").at("items").as_array().size(),
            2U);
}

TEST_P(BrandingLogoTest, RefusesWhatIsNotAnImageOfItsTypeAndCallersWithoutThePermission) {
  const std::string png = *base64url_decode(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
      "gg");
  for (const auto& [type, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"image/jpeg", png},
           {"text/html", "<html></html>"},
           {"image/svg+xml", "<svg><script>alert(1)</script></svg>"},
           {"image/svg+xml", "<svg><foreignObject></foreignObject></svg>"},
           {"image/svg+xml", "not an svg"},
           {"image/png", png + std::string(64 * 1024, '\0')},
           {"image/png", ""}}) {
    auto refused = call(root_token_, "PUT", "/v1/branding/logo",
                        {{"content_type", type}, {"data", base64(bytes)}});
    EXPECT_EQ(refused.status, 400) << type << ": " << refused.body;
  }
  EXPECT_EQ(call(root_token_, "PUT", "/v1/branding/logo",
                 {{"content_type", "image/png"}, {"data", "not base64!"}})
                .status,
            400);
  // A reseller has no modify_branding by default; a customer has no branding at all.
  const auto reseller = make_user("r", "account", make_partner("Resell", "reseller"));
  const json::value body{{"content_type", "image/png"}, {"data", base64(png)}};
  EXPECT_EQ(call(reseller.token, "PUT", "/v1/branding/logo", body).status, 403);
  const auto customer = make_user("c", "customer", make_customer("Acme", 0));
  EXPECT_EQ(call(customer.token, "PUT", "/v1/branding/logo", body).status, 403);
  EXPECT_EQ(call(root_token_, "GET", "/v1/branding/logo").status, 404);
}

}  // namespace
}  // namespace lmp::test
