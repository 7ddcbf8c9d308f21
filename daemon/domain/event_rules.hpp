// When a license or a product raises an event (docs/events.md): the rule on values already read,
// for a window of time the event sweep looks at. Each event is due at one moment and is raised by
// the sweep whose window (after, until] holds that moment; its dedupe key makes it once only.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/event.hpp"
#include "domain/license.hpp"
#include "domain/product_lifecycle.hpp"

namespace lmp::domain {

// How long before a product's End of Sale or End of Life the "approaching" event is raised.
inline constexpr std::int64_t kProductNoticeMs = 30 * kDayMs;

// An event of `type` about `license`, stamped `at_ms`: its payload the license's terms (as it is
// now) and `extra`; its dedupe key names the license, the type and `keyed_expiry_ms`, the expiry
// the event is about (once per expiry: a license renewed to a later date is told again).
NewEvent license_event(const License& license, std::string_view type, std::int64_t at_ms,
                       boost::json::object extra, std::int64_t keyed_expiry_ms);

// The events of `license` due in (after_ms, until_ms], stamped `until_ms`:
// - license.expiring at its notice days before expiry (none without notice days, none once it
//   has expired);
// - license.grace_entered at its expiry, when it has a grace period;
// - license.expired at the end of its grace (its expiry without one).
// A license its customer's disabling cut off raises none: it ended then, by an admin's choice.
// The keys name the expiry, so a license renewed to a later date is told again for that date.
std::vector<NewEvent> license_events(const License& license, std::int64_t after_ms,
                                     std::int64_t until_ms);

// The events of product `code` due by `until_ms`: its End of Sale or End of Life approaching,
// from kProductNoticeMs before the date until the date (a date set closer than that is due at
// once). The outbox keeps one per date (its key). `scope` is the tree's root: a product concerns
// the whole tree.
std::vector<NewEvent> product_events(const std::string& code, const ProductLifecycle& lifecycle,
                                     const std::string& scope, std::int64_t until_ms);

}  // namespace lmp::domain
