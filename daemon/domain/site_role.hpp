// The one rule of a site server's role (docs/entitlements.md): it serves only what the vendor
// signed, so whatever would make or enlarge a license by itself is refused there.
#pragma once

#include <string_view>

#include "domain/context.hpp"

namespace lmp::domain {

// Throws DomainError site_server, naming `what` ("create licenses"), on a site server.
void refuse_on_site_server(const Context& ctx, std::string_view what);

}  // namespace lmp::domain
