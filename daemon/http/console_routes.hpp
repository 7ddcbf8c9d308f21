// The web console's pages on the admin listener: `/` and `/console/...` answered with the
// compiled-in files (http/console_assets.hpp) under a strict Content-Security-Policy.
#pragma once

#include <string_view>

namespace lmp::http {

class Router;

// The policy every console file is served with: only lmpd's own scripts, styles, images and API;
// no inline script or style, no framing (docs/console.md).
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// Adds GET routes for every console file, and `/`, `/console` and `/console/` for its page.
void add_console_routes(Router& router);

}  // namespace lmp::http
