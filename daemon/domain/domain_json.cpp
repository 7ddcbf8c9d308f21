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

json::value or_null(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value seconds_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? json::value(seconds(*ms)) : json::value(nullptr);
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
  json::object out{{"id", account.id},
                   {"kind", to_string(account.kind)},
                   {"name", account.name},
                   {"parent", or_null(account.parent_id)},
                   {"status", to_string(account.status)},
                   {"status_changed", seconds(account.status_changed_at_ms)},
                   {"created", seconds(account.created_at_ms)}};
  if (account.parent_id) {
    json::array names;
    for (const auto& name : permissions) names.emplace_back(name);
    out["permissions"] = std::move(names);
  }
  return out;
}

json::object customer_json(const Customer& customer) {
  return {{"id", customer.id},
          {"name", customer.name},
          {"account", customer.owner_id},
          {"status", to_string(customer.status)},
          {"created", seconds(customer.created_at_ms)}};
}

json::object user_json(const User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"account", or_null(user.account_id)},
          {"customer", or_null(user.customer_id)},
          {"created", seconds(user.created_at_ms)},
          {"login", user.login ? json::value(*user.login) : json::value(nullptr)},
          {"password_set", seconds_or_null(user.password_set_at_ms)}};
}

json::object issued_token_json(const Token& token, const std::string& text) {
  return {{"id", token.id},
          {"user", token.user_id},
          {"token", text},
          {"created", seconds(token.created_at_ms)},
          {"expires", seconds_or_null(token.expires_at_ms)}};
}

json::object token_json(const Token& token) {
  return {{"id", token.id},
          {"user", token.user_id},
          {"created", seconds(token.created_at_ms)},
          {"expires", seconds_or_null(token.expires_at_ms)},
          {"revoked", seconds_or_null(token.revoked_at_ms)}};
}

json::object token_record_json(const Token& token) {
  json::object out{{"id", token.id}, {"user", token.user_id}};
  if (token.expires_at_ms) out["expires"] = seconds(*token.expires_at_ms);
  if (token.revoked_at_ms) out["revoked"] = seconds(*token.revoked_at_ms);
  return out;
}

json::object audit_json(const AuditRecord& record) {
  json::object actor{{"user", or_null(record.actor_user_id)},
                     {"token", or_null(record.actor_token_id)},
                     {"scope", record.actor_scope}};
  return {{"id", record.id},
          {"time", seconds(record.at_ms)},
          {"actor", std::move(actor)},
          {"action", record.action},
          {"object", record.object},
          {"scope", record.scope},
          {"before", stored_json(record.before_json)},
          {"after", stored_json(record.after_json)}};
}

json::object event_json(const Event& event) {
  return {{"id", event.id},       {"seq", event.seq},
          {"type", event.type},   {"time", seconds(event.at_ms)},
          {"scope", event.scope}, {"data", stored_json(event.payload_json)}};
}

json::object webhook_json(const Webhook& webhook) {
  return {{"id", webhook.id},
          {"url", webhook.url},
          {"scope", webhook.scope},
          {"created", seconds(webhook.created_at_ms)},
          {"deliveries",
           {{"pending", webhook.pending},
            {"delivered", webhook.delivered},
            {"failed", webhook.failed}}}};
}

json::object delivery_json(const WebhookDelivery& d) {
  json::object out{
      {"event", d.event.id},        {"seq", d.event.seq},
      {"type", d.event.type},       {"status", to_string(d.status)},
      {"attempts", d.attempts},     {"last_http_status", or_null(d.last_http_status)},
      {"last_error", d.last_error}, {"delivered_at", seconds_or_null(d.delivered_at_ms)}};
  out["next_attempt"] = d.status == DeliveryStatus::pending
                            ? json::value(seconds(d.next_attempt_ms))
                            : json::value(nullptr);
  return out;
}

json::object license_json(const License& l, std::int64_t now_ms) {
  return {{"id", l.id},
          {"customer", l.customer_id},
          {"product", l.product_code},
          {"units", l.units},
          {"unit", to_string(l.unit)},
          {"starts", seconds(l.starts_at_ms)},
          {"expires", seconds(l.expires_at_ms)},
          {"trial", l.trial},
          {"grace_days", l.grace_ms / kDayMs},
          {"notice_days", l.notice_days},
          {"auto_renew", l.auto_renew},
          {"plan", or_null(l.plan_id)},
          {"period_days", l.period_days},
          {"disabled", seconds_or_null(l.cut_off_at_ms)},
          {"created", seconds(l.created_at_ms)},
          {"state", to_string(l.state_at(now_ms))}};
}

json::object lease_json(const Lease& l) {
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? json::value(nullptr) : json::value(text);
  };
  return {{"id", l.ref},
          {"license", l.license_id},
          {"product", l.product_code},
          {"customer", l.customer_id},
          {"account", or_null(l.account_id)},
          {"units", l.units},
          {"user", text_or_null(l.user)},
          {"host", text_or_null(l.host)},
          {"peer", text_or_null(l.peer)},
          {"checked_out", seconds(l.checked_out_ms)},
          {"last_heartbeat", seconds(l.heartbeat_ms)},
          {"expires", seconds(l.expires_ms)},
          {"borrowed", l.borrowed},
          {"lingering", l.lingering},
          {"instance", l.instance}};
}

json::object new_license_json(std::int64_t id, const NewLicense& license) {
  return {{"id", id},
          {"customer", license.customer_id},
          {"product", license.product_code},
          {"units", license.units},
          {"unit", to_string(license.unit)},
          {"starts", seconds(license.starts_at_ms)},
          {"expires", seconds(license.expires_at_ms)},
          {"period_days", license.period_days}};
}

json::object plan_json(const ServicePlan& plan) {
  return {{"id", plan.id},
          {"name", plan.name},
          {"account", plan.owner_id},
          {"product", plan.product_code},
          {"trial", plan.trial},
          {"unit", to_string(plan.unit)},
          {"period_days", plan.period_days},
          {"auto_renew", plan.auto_renew},
          {"notice_days", plan.notice_days},
          {"grace_days", plan.grace_days},
          {"created", seconds(plan.created_at_ms)},
          {"updated", seconds(plan.updated_at_ms)}};
}

json::object key_json(const RegistrationKey& key) {
  return {{"id", key.id},
          {"hint", key.hint},
          {"plan", key.plan_id},
          {"product", key.product_code},
          {"units", key.units},
          {"account", key.issuer_id},
          {"issued_by", key.issued_by_user},
          {"status", to_string(key.status)},
          {"customer", or_null(key.customer_id)},
          {"license", or_null(key.license_id)},
          {"created", seconds(key.created_at_ms)},
          {"changed", seconds_or_null(key.changed_at_ms)}};
}

json::object pool_json(const PartnerPool& pool) {
  return {{"account", pool.account_id},
          {"product", pool.product_code},
          {"assigned", pool.assigned},
          {"drawn", pool.drawn},
          {"left", pool.assigned - pool.drawn}};
}

json::object product_json(const Product& product, const ProductLifecycle& lifecycle) {
  return {{"code", product.code},
          {"name", product.name},
          {"family", product.family},
          {"unit", to_string(product.unit)},
          {"end_of_sale", seconds_or_null(lifecycle.end_of_sale_ms)},
          {"end_of_life", seconds_or_null(lifecycle.end_of_life_ms)},
          {"state", to_string(lifecycle.state)},
          {"data_deleted", seconds_or_null(lifecycle.data_deleted_at_ms)}};
}

json::object branding_json(const Branding& branding) {
  json::object out{{"account", branding.account_id}};
  for (const auto& field : kBrandingFields) out[field.name] = branding.*field.member;
  return out;
}

std::string to_text(const json::object& object) {
  return json::serialize(object);
}

}  // namespace lmp::domain
