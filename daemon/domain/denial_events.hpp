// The denials event (docs/events.md): product.denials_exceeded when a product's refused
// checkouts within one clock hour (UTC) pass the site's threshold (events.denials_per_hour).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

inline constexpr std::int64_t kHourMs = 3'600'000;

// The denial events due by `until_ms` for the clock hours that (after_ms, until_ms] touches (the
// last day of them at most: a server down longer is not told of old hours), read in `db`'s open
// transaction. For each product and hour whose denials are more than `threshold` (0: none at
// all): one event for the whole tree, in `root_scope` (the parent's), and one for each partner
// whose customers' denials alone are more than it, in the partner's scope. Each is keyed by the
// product, the hour and the partner, so it is raised once per hour however often the sweep looks,
// on whichever instance. An hour is read again only while denials arrive in it.
std::vector<NewEvent> denial_events(UnitOfWork& db, std::int64_t threshold, std::int64_t after_ms,
                                    std::int64_t until_ms, const std::string& root_scope);

}  // namespace lmp::domain
