// The event outbox's operations: raising an event in the caller's transaction, and the list of the
// caller's subtree (GET /v1/events, `lmpctl events`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/event.hpp"
#include "domain/page.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// Stores `event` in `db`'s open transaction with a fresh random id (so it commits or rolls back
// with the change it tells of), unless its dedupe key is stored already. Returns the id, or
// nullopt when it was a duplicate.
std::optional<std::string> raise_event(UnitOfWork& db, const NewEvent& event);

struct EventQuery {
  // The subtree of one account or customer (not both); default the caller's whole subtree.
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
  std::string type;  // "" for any
  Page page;
};

std::vector<Event> query_events(const Context& ctx, const EventQuery& query);

}  // namespace lmp::domain
