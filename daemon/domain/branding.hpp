// How an account presents itself to the customers below it (docs/admin-api.md, branding). Every
// field may be empty: an empty field is taken from the account above.
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace lmp::domain
