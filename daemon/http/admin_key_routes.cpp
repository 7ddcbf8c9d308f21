// Registration keys: issue from a service plan (drawing from the issuer's pool), list, read,
// void, and redeem: the key becomes a customer's license with a fresh activation code. Key texts
// and activation codes are shown once and never stored or audited; only their hashes are kept.
#include "core/activation_code.hpp"
#include "core/registration_key.hpp"
#include "core/sha256.hpp"
#include "domain/domain_json.hpp"
#include "domain/first_run.hpp"
#include "domain/fresh_code.hpp"
#include "domain/permissions.hpp"
#include "domain/pools.hpp"
#include "http/admin_call.hpp"
#include "http/admin_products.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxUnits = 1000000;
constexpr std::int64_t kMaxBatch = 1000;
constexpr std::int64_t kDayMs = 86400000;

std::string key_object(std::int64_t id) {
  return "key:" + std::to_string(id);
}

// "AB-7K2M-...-WXYZ": enough to tell keys apart in a list, too little to redeem one.
std::string hint_of(const std::string& normalized) {
  const std::string shown = registration_key::format(normalized);
  return shown.substr(0, 2) + "-...-" + shown.substr(shown.size() - 4);
}

json::value issue_keys(AdminCall& call) {
  call.require(domain::kCreateRegistrationKeys);
  const std::int64_t plan_id = *[&] {
    auto id = call.optional_id("plan");
    if (!id) throw bad_request("plan is required");
    return id;
  }();
  const auto units = call.optional_count("units", 1, kMaxUnits);
  if (!units) throw bad_request("units is required");
  const std::int64_t count = call.optional_count("count", 1, kMaxBatch).value_or(1);
  auto plan = call.db.plans().find(plan_id);
  if (!plan || !call.caller.in_line_with(plan->owner_path)) throw not_found("plan");
  const auto& product = product_for_sale(call, plan->product_code);
  // The whole batch or nothing: one draw for all of it.
  domain::draw_from_pool(call.db, &*call.caller.account, product.code, *units * count);
  json::array keys;
  for (std::int64_t i = 0; i < count; ++i) {
    domain::RegistrationKey key;
    std::string text;
    key.plan_id = plan->id;
    key.product_code = product.code;
    key.units = *units;
    key.issuer_id = call.caller.account->id;
    key.issuer_path = call.caller.account->path;
    key.issued_by_user = call.caller.user_id;
    key.status = domain::KeyStatus::issued;
    key.created_at_ms = call.now_ms;
    for (;;) {
      text = registration_key::generate(product.key_prefix);
      key.key_hash = sha256_hex(text);
      key.hint = hint_of(text);
      try {
        key.id = call.db.keys().create(key);
        break;
      } catch (const domain::DuplicateError&) {
        // 74 random bits: a clash is astronomically rare; draw again.
      }
    }
    auto shown = domain::key_json(key);
    call.audit("key.issue", key_object(key.id), key.issuer_path, {}, domain::to_text(shown));
    shown["key"] = registration_key::format(text);
    keys.push_back(std::move(shown));
  }
  return json::object{{"keys", std::move(keys)}};
}

domain::RegistrationKey visible_key(const AdminCall& call) {
  call.require(domain::kCreateRegistrationKeys);
  auto key = call.db.keys().find(call.path_id(0, "key"));
  if (!key || !call.caller.sees(key->issuer_path)) throw not_found("key");
  return *key;
}

json::value list_keys(AdminCall& call) {
  call.require(domain::kCreateRegistrationKeys);
  auto rows = call.db.keys().list_under(call.caller.scope, call.lookahead());
  return page_of(rows, call.page(), domain::key_json);
}

json::value get_key(AdminCall& call) {
  return domain::key_json(visible_key(call));
}

json::value void_key(AdminCall& call) {
  auto key = visible_key(call);
  if (!call.db.keys().leave_issued(key.id, domain::KeyStatus::voided, call.now_ms))
    throw conflict(key.status == domain::KeyStatus::voided ? "key_voided" : "key_redeemed",
                   "only an issued key can be voided; this one is " +
                       std::string(domain::to_string(key.status)));
  auto issuer = call.db.accounts().find(key.issuer_id);
  domain::return_to_pool(call.db, *issuer, key.product_code, key.units);
  auto after = domain::key_json(*call.db.keys().find(key.id));
  call.audit("key.void", key_object(key.id), key.issuer_path,
             domain::to_text(domain::key_json(key)), domain::to_text(after));
  return after;
}

// The customer a redeemed key's license goes to: the caller's own (a customer's user), or a new
// one under the key's issuing account with a first user and token, answered in `out`.
domain::Customer redeeming_customer(AdminCall& call, const domain::RegistrationKey& key,
                                    json::object& out) {
  if (call.caller.customer) {
    // A disabled customer's licenses are all cut off; a new one must not slip past that.
    if (call.caller.customer->status != domain::CustomerStatus::enabled)
      throw conflict("customer_disabled", "the customer is disabled: enable it first");
    return *call.caller.customer;
  }
  if (!call.caller.is_anonymous())
    throw forbidden("keys are redeemed by a customer's user, or without a token");
  const std::string name = call.text("customer");
  const std::string user_name = call.optional_text("user").value_or("admin");
  auto owner = call.db.accounts().find(key.issuer_id);
  for (const auto& above : call.db.accounts().on_path(owner->path))
    if (above.status != domain::AccountStatus::active)
      throw conflict("account_not_active", "the key's issuing account is not active");
  auto customer = call.db.customers().create(name, &*owner, call.now_ms);
  auto customer_after = domain::customer_json(customer);
  call.audit("customer.create", "customer:" + std::to_string(customer.id), customer.scope(), {},
             domain::to_text(customer_after));
  auto user = call.db.users().create(user_name, std::nullopt, customer.id, call.now_ms);
  auto user_after = domain::user_json(user);
  call.audit("user.create", "user:" + std::to_string(user.id), customer.scope(), {},
             domain::to_text(user_after));
  auto [token, row] = domain::issue_token(call.db, user.id, call.now_ms);
  call.audit("token.create", "token:" + std::to_string(row.id), customer.scope(), {},
             domain::to_text(json::object{{"id", row.id}, {"user", user.id}}));
  out["user"] = std::move(user_after);
  out["token"] = json::object{
      {"id", row.id}, {"user", user.id}, {"token", token}, {"created", row.created_at_ms / 1000}};
  return customer;
}

json::value redeem_key(AdminCall& call) {
  const std::string typed = call.text("key");
  auto normalized = registration_key::normalize(typed);
  if (!normalized)
    throw ApiError(400, "invalid_key", "not a registration key (format or check character)");
  auto key = call.db.keys().find_by_hash(sha256_hex(*normalized));
  if (!key) throw ApiError(404, "key_unknown", "unknown registration key");
  if (key->status != domain::KeyStatus::issued)
    throw conflict(key->status == domain::KeyStatus::voided ? "key_voided" : "key_redeemed",
                   "this registration key is " + std::string(domain::to_string(key->status)));
  SaleState state{};
  const auto& product = configured_product(call, key->product_code, state);
  if (state == SaleState::end_of_life)
    throw conflict("end_of_life", "product " + key->product_code + " is past its End of Life");
  // The one winner among concurrent redeems: the others change no row here.
  if (!call.db.keys().leave_issued(key->id, domain::KeyStatus::redeemed, call.now_ms))
    throw conflict("key_redeemed", "this registration key is redeemed");
  auto plan = *call.db.plans().find(key->plan_id);

  json::object out;
  auto customer = redeeming_customer(call, *key, out);
  domain::NewLicense license;
  license.customer_id = customer.id;
  license.product_code = product.code;
  license.units = key->units;
  license.unit = product.unit;
  license.starts_at_ms = call.now_ms;
  license.expires_at_ms = call.now_ms + plan.period_days * kDayMs;
  license.created_at_ms = call.now_ms;
  license.trial = plan.trial;
  license.grace_ms = plan.grace_days * kDayMs;
  license.notice_days = plan.notice_days;
  license.auto_renew = plan.auto_renew;
  license.plan_id = plan.id;
  const auto [license_id, code] = domain::insert_with_fresh_code(call.db.licenses(), license);
  auto license_after = domain::new_license_json(license_id, license);
  call.audit("license.create", "license:" + std::to_string(license_id), customer.scope(), {},
             domain::to_text(license_after));
  call.db.keys().set_redemption(key->id, customer.id, license_id);
  auto key_after = domain::key_json(*call.db.keys().find(key->id));
  call.audit("key.redeem", key_object(key->id), key->issuer_path,
             domain::to_text(domain::key_json(*key)), domain::to_text(key_after));
  license_after["code"] = activation_code::format(code);
  out["customer"] = domain::customer_json(customer);
  out["license"] = std::move(license_after);
  out["key"] = std::move(key_after);
  return out;
}

}  // namespace

void add_key_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/keys", Mode::write, issue_keys);
  routes.add("GET", "/v1/keys", Mode::read, list_keys);
  routes.add("GET", "/v1/keys/{}", Mode::read, get_key);
  routes.add("POST", "/v1/keys/{}/void", Mode::write, void_key);
  routes.add_guessable("POST", "/v1/keys/redeem", redeem_key);
}

}  // namespace lmp::http
