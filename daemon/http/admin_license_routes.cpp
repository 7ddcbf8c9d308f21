// Licenses over HTTP (docs/admin-api.md, licenses): each route reads its JSON into the request of
// a domain operation (domain/licenses.hpp) and writes the answer.
#include <boost/json/object.hpp>

#include "core/activation_code.hpp"
#include "domain/domain_json.hpp"
#include "domain/licenses.hpp"
#include "domain/limits.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

using domain::kMaxDays;
using domain::kMaxUnits;

json::value answer(const AdminCall& call, const domain::LicenseUsage& usage) {
  auto out = domain::license_json(usage.license, call.now_ms);
  out["used"] = usage.used;
  out["waiting"] = usage.waiting;
  return out;
}

json::value create_license(AdminCall& call) {
  domain::CreateLicense request;
  request.customer_id = call.optional_id("customer");
  request.product = call.optional_text("product");
  request.units = call.optional_count("units", 1, kMaxUnits);
  request.starts_ms = call.optional_time_ms("starts");
  request.expires_ms = call.optional_time_ms("expires");
  request.days = call.optional_count("days", 1, kMaxDays);
  request.trial = call.optional_bool("trial");
  request.grace_days = call.optional_count("grace_days", 0, kMaxDays);
  request.notice_days = call.optional_count("notice_days", 0, kMaxDays);
  request.auto_renew = call.optional_bool("auto_renew");
  request.period_days = call.optional_count("period_days", 1, kMaxDays);
  const auto created = domain::create_license(call.context(), request);
  auto out = domain::license_json(created.license, call.now_ms);
  out["used"] = 0;
  out["code"] = activation_code::format(created.code);
  return out;
}

json::value list_licenses(AdminCall& call) {
  domain::LicenseQuery query;
  query.customer_id = call.query_id("customer");
  query.product = call.query("product").value_or("");
  query.state = call.query("state");
  query.page = call.lookahead();
  auto licenses = domain::list_licenses(call.context(), query);
  return page_of(domain::usage_of_licenses(call.context(), std::move(licenses)), call.page(),
                 [&](const domain::LicenseUsage& usage) { return answer(call, usage); });
}

json::value get_license(AdminCall& call) {
  return answer(call, domain::get_license(call.context(), call.path_id(0, "license")));
}

json::value renew_license(AdminCall& call) {
  domain::RenewLicense request;
  request.id = call.path_id(0, "license");
  request.expires_ms = call.optional_time_ms("expires");
  request.days = call.optional_count("days", 1, kMaxDays);
  return answer(call, domain::renew_license(call.context(), request));
}

json::value convert_license(AdminCall& call) {
  domain::ConvertLicense request;
  request.id = call.path_id(0, "license");
  request.expires_ms = call.optional_time_ms("expires");
  request.days = call.optional_count("days", 1, kMaxDays);
  request.units = call.optional_count("units", 1, kMaxUnits);
  return answer(call, domain::convert_license(call.context(), request));
}

json::value set_license_units(AdminCall& call) {
  domain::SetLicenseUnits request;
  request.id = call.path_id(0, "license");
  request.units = call.optional_count("units", 1, kMaxUnits);
  return answer(call, domain::set_license_units(call.context(), request));
}

}  // namespace

void add_license_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/licenses", Mode::write, create_license);
  routes.add("GET", "/v1/licenses", Mode::read, list_licenses);
  routes.add("GET", "/v1/licenses/{}", Mode::read, get_license);
  routes.add("POST", "/v1/licenses/{}/renew", Mode::write, renew_license);
  routes.add("POST", "/v1/licenses/{}/convert", Mode::write, convert_license);
  routes.add("PUT", "/v1/licenses/{}/units", Mode::write, set_license_units);
}

}  // namespace lmp::http
