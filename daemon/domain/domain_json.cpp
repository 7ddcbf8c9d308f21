// Field by field JSON of the domain objects (docs/admin-api.md shows each).
#include "domain/domain_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::int64_t seconds(std::int64_t ms) {
  return ms / 1000;
}

// The stored before/after text as JSON again; null when there is none.
json::value stored_json(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  return ec ? json::value(text) : parsed;
}

}  // namespace

json::object account_json(const Account& account, const std::set<std::string>& permissions) {
  json::object out;
  out["id"] = account.id;
  out["kind"] = to_string(account.kind);
  out["name"] = account.name;
  out["parent"] = account.parent_id ? json::value(*account.parent_id) : json::value(nullptr);
  out["status"] = to_string(account.status);
  out["status_changed"] = seconds(account.status_changed_at_ms);
  out["created"] = seconds(account.created_at_ms);
  if (account.parent_id) {
    json::array names;
    for (const auto& name : permissions) names.emplace_back(name);
    out["permissions"] = std::move(names);
  }
  return out;
}

json::object customer_json(const Customer& customer) {
  json::object out;
  out["id"] = customer.id;
  out["name"] = customer.name;
  out["account"] = customer.owner_id;
  out["status"] = to_string(customer.status);
  out["created"] = seconds(customer.created_at_ms);
  return out;
}

json::object user_json(const User& user) {
  json::object out;
  out["id"] = user.id;
  out["name"] = user.name;
  out["account"] = user.account_id ? json::value(*user.account_id) : json::value(nullptr);
  out["customer"] = user.customer_id ? json::value(*user.customer_id) : json::value(nullptr);
  out["created"] = seconds(user.created_at_ms);
  return out;
}

json::object audit_json(const AuditRecord& record) {
  json::object actor;
  actor["user"] = record.actor_user_id ? json::value(*record.actor_user_id) : json::value(nullptr);
  actor["token"] =
      record.actor_token_id ? json::value(*record.actor_token_id) : json::value(nullptr);
  actor["scope"] = record.actor_scope;
  json::object out;
  out["id"] = record.id;
  out["time"] = seconds(record.at_ms);
  out["actor"] = std::move(actor);
  out["action"] = record.action;
  out["object"] = record.object;
  out["scope"] = record.scope;
  out["before"] = stored_json(record.before_json);
  out["after"] = stored_json(record.after_json);
  return out;
}

json::object license_json(std::int64_t id, const NewLicense& license) {
  json::object out;
  out["id"] = id;
  out["customer"] = license.customer_id;
  out["product"] = license.product_code;
  out["units"] = license.units;
  out["unit"] = to_string(license.unit);
  out["starts"] = seconds(license.starts_at_ms);
  out["expires"] = seconds(license.expires_at_ms);
  return out;
}

json::object plan_json(const ServicePlan& plan) {
  json::object out;
  out["id"] = plan.id;
  out["name"] = plan.name;
  out["account"] = plan.owner_id;
  out["product"] = plan.product_code;
  out["trial"] = plan.trial;
  out["unit"] = to_string(plan.unit);
  out["period_days"] = plan.period_days;
  out["auto_renew"] = plan.auto_renew;
  out["notice_days"] = plan.notice_days;
  out["grace_days"] = plan.grace_days;
  out["created"] = seconds(plan.created_at_ms);
  out["updated"] = seconds(plan.updated_at_ms);
  return out;
}

json::object key_json(const RegistrationKey& key) {
  auto optional = [](const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  json::object out;
  out["id"] = key.id;
  out["hint"] = key.hint;
  out["plan"] = key.plan_id;
  out["product"] = key.product_code;
  out["units"] = key.units;
  out["account"] = key.issuer_id;
  out["issued_by"] = key.issued_by_user;
  out["status"] = to_string(key.status);
  out["customer"] = optional(key.customer_id);
  out["license"] = optional(key.license_id);
  out["created"] = seconds(key.created_at_ms);
  out["changed"] = key.changed_at_ms ? json::value(seconds(*key.changed_at_ms)) : nullptr;
  return out;
}

json::object pool_json(const PartnerPool& pool) {
  json::object out;
  out["account"] = pool.account_id;
  out["product"] = pool.product_code;
  out["assigned"] = pool.assigned;
  out["drawn"] = pool.drawn;
  out["left"] = pool.assigned - pool.drawn;
  return out;
}

std::string to_text(const json::object& object) {
  return json::serialize(object);
}

}  // namespace lmp::domain
