// Raising events into the outbox and reading them back within the caller's subtree.
#include "domain/events.hpp"

#include "core/secure_random.hpp"
#include "domain/subtree_scope.hpp"

namespace lmp::domain {

std::optional<std::string> raise_event(UnitOfWork& db, const NewEvent& event) {
  // 128 random bits: an id nobody can guess or enumerate, and that two instances never share.
  std::string id = "evt_" + random_hex(16);
  if (!db.events().append(event, id)) return std::nullopt;
  return id;
}

std::vector<Event> query_events(const Context& ctx, const EventQuery& query) {
  EventFilter filter;
  // The parent's "/" also holds the products' events (the root's path is below it).
  filter.scope_prefix = subtree_scope(ctx, query.account_id, query.customer_id);
  filter.type = query.type;
  return ctx.db.events().query(filter, query.page);
}

}  // namespace lmp::domain
