// A site server's refusals.
#include "domain/site_role.hpp"

#include <string>

#include "domain/domain_error.hpp"

namespace lmp::domain {

void refuse_on_site_server(const Context& ctx, std::string_view what) {
  if (ctx.site_server())
    throw DomainError(ErrorCode::site_server,
                      "this is a site server (trust.vendor_keys is set): it cannot " +
                          std::string(what) +
                          "; its licenses come from the vendor's entitlements (lmpd admin import, "
                          "POST /v1/entitlements)");
}

}  // namespace lmp::domain
