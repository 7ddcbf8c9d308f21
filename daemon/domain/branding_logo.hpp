// An account's logo, kept and served by lmpd itself (docs/console.md "Branding"): the console's
// Content-Security-Policy admits images from lmpd only, so a logo elsewhere would not show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/context.hpp"

namespace lmp::domain {

// 64 KiB: a header logo, not a photograph; it is read with every page load.
inline constexpr std::size_t kMaxLogoBytes = 64 * 1024;

// Needs modify_branding (the parent and partner accounts), as the rest of the branding. Replaces
// the caller's account's logo. bad_request unless the bytes are 1 to kMaxLogoBytes, the type is
// one of the five, and the bytes are of that type (their signature; an SVG must be UTF-8 text
// with an <svg> element and no <script> or <foreignObject>).
BrandingLogo set_logo(const Context& ctx, std::string content_type, std::string bytes);
// Removes the caller's account's logo (the one above shows again); nothing when it has none.
void remove_logo(const Context& ctx);
// The logo in force for the caller: that of the nearest account on its way up that set one.
std::optional<BrandingLogo> effective_logo(const Context& ctx);

}  // namespace lmp::domain
