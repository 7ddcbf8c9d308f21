// Raising events into the outbox and reading them back within the caller's subtree.
#include "domain/events.hpp"

#include "core/secure_random.hpp"
#include "domain/domain_error.hpp"

namespace lmp::domain {

std::optional<std::string> raise_event(UnitOfWork& db, const NewEvent& event) {
  // 128 random bits: an id nobody can guess or enumerate, and that two instances never share.
  std::string id = "evt_" + random_hex(16);
  if (!db.events().append(event, id)) return std::nullopt;
  return id;
}

std::vector<Event> query_events(const Context& ctx, const EventQuery& query) {
  EventFilter filter;
  // The parent sees every event, also those of customers made before the first run ("/c<id>/")
  // and the products' ("/" and the root's path).
  filter.scope_prefix = ctx.caller.is_parent() ? "/" : ctx.caller.scope;
  if (query.account_id && query.customer_id)
    throw bad_request("give account or customer, not both");
  if (query.account_id) {
    auto account = ctx.db.accounts().find(*query.account_id);
    if (!account || !ctx.caller.sees(account->path)) throw not_found("account");
    filter.scope_prefix = account->path;
  }
  if (query.customer_id) {
    auto customer = ctx.db.customers().find(*query.customer_id);
    if (!customer || !ctx.caller.sees(customer->scope())) throw not_found("customer");
    filter.scope_prefix = customer->scope();
  }
  filter.type = query.type;
  return ctx.db.events().query(filter, query.page);
}

}  // namespace lmp::domain
