// How an account presents itself to the customers below it (docs/admin-api.md, branding). Every
// field may be empty: an empty field is taken from the account above.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::domain {

struct Branding {
  std::int64_t account_id = 0;
  std::string display_name;
  std::string support_email;
  std::string support_url;
  std::string logo_url;
  std::string primary_color;  // "#RRGGBB"
  std::int64_t updated_at_ms = 0;
};

// An account's logo, served by lmpd (domain/branding_logo.hpp).
struct BrandingLogo {
  std::int64_t account_id = 0;
  std::string content_type;  // image/png, image/jpeg, image/gif, image/webp or image/svg+xml
  std::string bytes;
  std::string sha256;  // hex of the bytes: the ETag, and the page's cache-busting version
  std::int64_t updated_at_ms = 0;
};

// The text fields of a branding, with their names in the API, in the order the API shows them.
struct BrandingField {
  std::string_view name;
  std::string Branding::*member;
};

inline constexpr BrandingField kBrandingFields[] = {
    {"display_name", &Branding::display_name},   {"support_email", &Branding::support_email},
    {"support_url", &Branding::support_url},     {"logo_url", &Branding::logo_url},
    {"primary_color", &Branding::primary_color},
};

}  // namespace lmp::domain
