// Webhooks over HTTP (docs/events.md): each route reads its JSON into a domain operation
// (domain/webhooks.hpp) and writes the answer. The secret is shown once, at creation.
#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/webhooks.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value create_webhook(AdminCall& call) {
  const json::value* url = call.body.if_contains("url");
  if (url == nullptr || !url->is_string())
    throw ApiError(400, "bad_request", "url is required (a string)");
  const auto created = domain::create_webhook(call.context(), std::string(url->as_string()));
  json::object out = domain::webhook_json(created.webhook);
  out["secret"] = created.secret;
  return out;
}

json::value list_webhooks(AdminCall& call) {
  return page_of(domain::list_webhooks(call.context(), call.lookahead()), call.page(),
                 domain::webhook_json);
}

json::value get_webhook(AdminCall& call) {
  return domain::webhook_json(domain::find_webhook(call.context(), call.path_id(0, "webhook")));
}

json::value delete_webhook(AdminCall& call) {
  domain::delete_webhook(call.context(), call.path_id(0, "webhook"));
  return json::object();
}

json::value list_deliveries(AdminCall& call) {
  return page_of(
      domain::list_deliveries(call.context(), call.path_id(0, "webhook"), call.lookahead()),
      call.page(), domain::delivery_json);
}

}  // namespace

void add_webhook_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/webhooks", Mode::write, create_webhook);
  routes.add("GET", "/v1/webhooks", Mode::read, list_webhooks);
  routes.add("GET", "/v1/webhooks/{}", Mode::read, get_webhook);
  routes.add("DELETE", "/v1/webhooks/{}", Mode::write, delete_webhook);
  routes.add("GET", "/v1/webhooks/{}/deliveries", Mode::read, list_deliveries);
}

}  // namespace lmp::http
