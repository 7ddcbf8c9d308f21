// Branding over HTTP (docs/admin-api.md, branding): each route reads its JSON into the request of
// a domain operation (domain/branding_settings.hpp) and writes the answer.
#include <boost/json/object.hpp>

#include "domain/branding_settings.hpp"
#include "domain/domain_json.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value effective_branding(AdminCall& call) {
  const auto effective = domain::effective_branding(call.context());
  json::object out;
  json::object from;
  for (std::size_t i = 0; i < std::size(domain::kBrandingFields); ++i) {
    const auto& field = domain::kBrandingFields[i];
    out[field.name] = effective.values.*field.member;
    from[field.name] = effective.from[i] ? json::value(*effective.from[i]) : json::value(nullptr);
  }
  out["from"] = std::move(from);
  return out;
}

json::value set_branding(AdminCall& call) {
  domain::Branding next;
  for (const auto& field : domain::kBrandingFields)
    next.*field.member = call.optional_text(field.name).value_or("");
  return domain::branding_json(domain::set_branding(call.context(), std::move(next)));
}

}  // namespace

void add_branding_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/branding", Mode::read, effective_branding);
  routes.add("PUT", "/v1/branding", Mode::write, set_branding);
}

}  // namespace lmp::http
