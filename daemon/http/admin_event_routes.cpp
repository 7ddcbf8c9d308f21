// GET /v1/events (docs/events.md): reads the query into the domain's event query
// (domain/events.hpp) and writes the page, oldest first.
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/events.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value query_events(AdminCall& call) {
  domain::EventQuery query;
  query.account_id = call.query_id("account");
  query.customer_id = call.query_id("customer");
  query.type = call.query("type").value_or("");
  query.page = call.lookahead();
  return page_of(domain::query_events(call.context(), query), call.page(), domain::event_json);
}

}  // namespace

void add_event_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/events", Mode::read, query_events);
}

}  // namespace lmp::http
