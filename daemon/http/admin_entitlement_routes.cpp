// Entitlements over HTTP (docs/admin-api.md, "Entitlements"): the site's identity, the export of
// a license on the vendor's server, and the import on a site server. Each route adapts JSON to an
// operation of domain/entitlements.hpp.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/activation_code.hpp"
#include "domain/domain_json.hpp"
#include "domain/entitlements.hpp"
#include "domain/limits.hpp"
#include "http/admin_call.hpp"
#include "http/domain_errors.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value site(AdminCall& call) {
  const auto view = domain::site_of(call.context());
  json::array kids;
  for (const auto& kid : view.vendor_kids) kids.emplace_back(kid);
  return json::object{{"site", view.site_id},
                      {"role", view.site_server ? "site" : "vendor"},
                      {"vendor_keys", std::move(kids)}};
}

json::value export_entitlement(AdminCall& call) {
  domain::ExportEntitlement request;
  request.license_id = call.path_id(0, "license");
  request.site = call.optional_text("site");
  request.valid_days = call.optional_count("valid_days", 1, domain::kMaxDays);
  const auto made = domain::export_entitlement(call.context(), request);
  json::object out{{"entitlement", made.token},
                   {"license", request.license_id},
                   {"site", *request.site},
                   {"serial", made.serial},
                   {"kid", made.kid}};
  out["valid_until"] = made.valid_until ? json::value(*made.valid_until) : json::value(nullptr);
  return out;
}

json::value import_entitlement(AdminCall& call) {
  const auto* field = call.body.if_contains("entitlement");
  if (field == nullptr || !field->is_string())
    throw ApiError(400, "bad_request", "entitlement must be the entitlement's text (a string)");
  const auto attempt =
      domain::import_entitlement(call.context(), std::string_view(field->get_string()), "api");
  if (attempt.refusal) {
    // Answered as a refusal, while the transaction with its audit record commits.
    call.answer = error_response(*attempt.refusal);
    return nullptr;
  }
  const auto& imported = *attempt.imported;
  auto out = domain::license_json(imported.license, call.now_ms);
  out["result"] = domain::to_string(imported.result);
  out["customer_name"] = imported.license.customer_name;
  out["serial"] = imported.serial;
  out["vendor_license"] = imported.vendor_license;
  if (!imported.code.empty()) out["code"] = activation_code::format(imported.code);
  return out;
}

}  // namespace

void add_entitlement_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/site", Mode::read, site);
  routes.add("POST", "/v1/licenses/{}/entitlement", Mode::write, export_entitlement);
  routes.add("POST", "/v1/entitlements", Mode::write, import_entitlement);
}

}  // namespace lmp::http
