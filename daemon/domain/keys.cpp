// The registration key operations and their rules.
#include "domain/keys.hpp"

#include <boost/json/object.hpp>

#include "core/registration_key.hpp"
#include "core/sha256.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/fresh_code.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"
#include "domain/pools.hpp"
#include "domain/product_sales.hpp"
#include "domain/request_checks.hpp"
#include "domain/site_role.hpp"
#include "domain/unique_names.hpp"

namespace lmp::domain {
namespace {

std::string key_object(std::int64_t id) {
  return "key:" + std::to_string(id);
}

// "AB-7K2M-...-WXYZ": enough to tell keys apart in a list, too little to redeem one.
std::string hint_of(const std::string& normalized) {
  const std::string shown = registration_key::format(normalized);
  return shown.substr(0, 2) + "-...-" + shown.substr(shown.size() - 4);
}

DomainError not_issued(const RegistrationKey& key, const std::string& message) {
  return DomainError(
      key.status == KeyStatus::voided ? ErrorCode::key_voided : ErrorCode::key_redeemed, message);
}

RegistrationKey visible_key(const Context& ctx, std::int64_t id) {
  ctx.require(kCreateRegistrationKeys);
  auto key = ctx.db.keys().find(id);
  if (!key || !ctx.caller.sees(key->issuer_path)) throw not_found("key");
  return *key;
}

// Stores a new key with a fresh text (74 random bits: a clash is astronomically rare; the text is
// drawn again then) and returns its text.
std::string store_with_fresh_text(const Context& ctx, RegistrationKey& key,
                                  const std::string& prefix) {
  for (;;) {
    std::string text = registration_key::generate(prefix);
    key.key_hash = sha256_hex(text);
    key.hint = hint_of(text);
    try {
      key.id = ctx.db.keys().create(key);
      return text;
    } catch (const DuplicateError&) {
    }
  }
}

// The customer a redeemed key's license goes to: the caller's own (a customer's user), or a new
// one under the key's issuing account with a first user and token, put in `out`.
Customer redeeming_customer(const Context& ctx, const RedeemKey& request,
                            const RegistrationKey& key, Redemption& out) {
  if (ctx.caller.customer) {
    // A disabled customer's licenses are all cut off; a new one must not slip past that.
    if (ctx.caller.customer->status != CustomerStatus::enabled)
      throw DomainError(ErrorCode::customer_disabled, "the customer is disabled: enable it first");
    return *ctx.caller.customer;
  }
  if (!ctx.caller.is_anonymous())
    throw forbidden("keys are redeemed by a customer's user, or without a token");
  const std::string name = required_text("customer", request.customer);
  const std::string user_name = optional_text("user", request.user).value_or("admin");
  auto owner = ctx.db.accounts().find(key.issuer_id);
  for (const auto& above : ctx.db.accounts().on_path(owner->path))
    if (above.status != AccountStatus::active)
      throw DomainError(ErrorCode::account_not_active, "the key's issuing account is not active");
  auto customer = unique_name([&] { return ctx.db.customers().create(name, &*owner, ctx.now_ms); });
  ctx.audit("customer.create", "customer:" + std::to_string(customer.id), customer.scope(), {},
            to_text(customer_json(customer)));
  out.user = ctx.db.users().create(user_name, std::nullopt, customer.id, ctx.now_ms);
  ctx.audit("user.create", "user:" + std::to_string(out.user->id), customer.scope(), {},
            to_text(user_json(*out.user)));
  out.token = issue_token(ctx.db, out.user->id, ctx.now_ms);
  ctx.audit("token.create", "token:" + std::to_string(out.token->token.id), customer.scope(), {},
            to_text(token_record_json(out.token->token)));
  return customer;
}

// Voids `key` if it is still issued and gives its units back to its issuer's pool, audited;
// nullopt when it was not issued any more (a concurrent call won).
std::optional<RegistrationKey> void_issued(const Context& ctx, const RegistrationKey& key) {
  if (!ctx.db.keys().leave_issued(key.id, KeyStatus::voided, ctx.now_ms)) return std::nullopt;
  return_to_pool(ctx.db, *ctx.db.accounts().find(key.issuer_id), key.product_code, key.units);
  auto after = *ctx.db.keys().find(key.id);
  ctx.audit("key.void", key_object(key.id), key.issuer_path, to_text(key_json(key)),
            to_text(key_json(after)));
  return after;
}

}  // namespace

std::vector<IssuedKey> issue_keys(const Context& ctx, const IssueKeys& request) {
  ctx.require(kCreateRegistrationKeys);
  refuse_on_site_server(ctx, "issue registration keys");
  const std::int64_t plan_id = required(request.plan_id, "plan is required");
  const auto units =
      required(count_within("units", request.units, 1, kMaxUnits), "units is required");
  const std::int64_t count = count_within("count", request.count, 1, kMaxKeyBatch).value_or(1);
  auto plan = ctx.db.plans().find(plan_id);
  if (!plan || !ctx.caller.in_line_with(plan->owner_path)) throw not_found("plan");
  const auto& product = product_for_sale(ctx, plan->product_code);
  // Keys are issued by an account, whose pool they draw from: the whole batch or nothing, one
  // draw for all of it.
  if (!ctx.caller.account) throw forbidden("keys are issued by an account");
  const Account& issuer = *ctx.caller.account;
  draw_from_pool(ctx.db, &issuer, product.code, units * count);
  std::vector<IssuedKey> keys;
  for (std::int64_t i = 0; i < count; ++i) {
    RegistrationKey key;
    key.plan_id = plan->id;
    key.product_code = product.code;
    key.units = units;
    key.issuer_id = issuer.id;
    key.issuer_path = issuer.path;
    key.issued_by_user = ctx.caller.user_id;
    key.status = KeyStatus::issued;
    key.created_at_ms = ctx.now_ms;
    const std::string text = store_with_fresh_text(ctx, key, product.key_prefix);
    ctx.audit("key.issue", key_object(key.id), key.issuer_path, {}, to_text(key_json(key)));
    keys.push_back({std::move(key), registration_key::format(text)});
  }
  return keys;
}

std::vector<RegistrationKey> list_keys(const Context& ctx, Page page) {
  ctx.require(kCreateRegistrationKeys);
  return ctx.db.keys().list_under(ctx.caller.scope, page);
}

RegistrationKey get_key(const Context& ctx, std::int64_t id) {
  return visible_key(ctx, id);
}

RegistrationKey void_key(const Context& ctx, std::int64_t id) {
  auto key = visible_key(ctx, id);
  auto after = void_issued(ctx, key);
  if (!after)
    throw not_issued(
        key, "only an issued key can be voided; this one is " + std::string(to_string(key.status)));
  return *after;
}

std::int64_t void_keys_of_ended_product(const Context& ctx, const std::string& product) {
  std::int64_t voided = 0;
  for (const auto& key : ctx.db.keys().issued_of_product(product))
    if (void_issued(ctx, key)) ++voided;
  return voided;
}

Redemption redeem_key(const Context& ctx, const RedeemKey& request) {
  refuse_on_site_server(ctx, "redeem registration keys");
  const auto normalized = registration_key::normalize(required_text("key", request.key));
  if (!normalized)
    throw DomainError(ErrorCode::invalid_key, "not a registration key (format or check character)");
  auto key = ctx.db.keys().find_by_hash(sha256_hex(*normalized));
  if (!key) throw DomainError(ErrorCode::key_unknown, "unknown registration key");
  // End of Life first: its deletion voids the keys still issued, and such a key should keep
  // saying why it cannot be redeemed.
  SaleState state{};
  const auto& product = configured_product(ctx, key->product_code, state);
  if (state == SaleState::end_of_life)
    throw DomainError(ErrorCode::key_end_of_life,
                      "product " + key->product_code + " is past its End of Life");
  if (key->status != KeyStatus::issued)
    throw not_issued(*key, "this registration key is " + std::string(to_string(key->status)));
  // The one winner among concurrent redeems: the others change no row here.
  if (!ctx.db.keys().leave_issued(key->id, KeyStatus::redeemed, ctx.now_ms))
    throw DomainError(ErrorCode::key_redeemed, "this registration key is redeemed");
  const auto plan = *ctx.db.plans().find(key->plan_id);

  Redemption out;
  out.customer = redeeming_customer(ctx, request, *key, out);
  NewLicense& license = out.license;
  license.customer_id = out.customer.id;
  license.product_code = product.code;
  license.units = key->units;
  license.unit = product.unit;
  license.starts_at_ms = ctx.now_ms;
  license.expires_at_ms = ctx.now_ms + plan.period_days * kDayMs;
  license.created_at_ms = ctx.now_ms;
  license.trial = plan.trial;
  license.grace_ms = plan.grace_days * kDayMs;
  license.notice_days = plan.notice_days;
  license.auto_renew = plan.auto_renew;
  license.plan_id = plan.id;
  license.period_days = plan.period_days;
  const auto coded = insert_with_fresh_code(ctx.db.licenses(), license);
  out.license_id = coded.id;
  out.code = coded.code;
  ctx.audit("license.create", "license:" + std::to_string(coded.id), out.customer.scope(), {},
            to_text(new_license_json(coded.id, license)));
  ctx.db.keys().set_redemption(key->id, out.customer.id, coded.id);
  out.key = *ctx.db.keys().find(key->id);
  ctx.audit("key.redeem", key_object(key->id), key->issuer_path, to_text(key_json(*key)),
            to_text(key_json(out.key)));
  return out;
}

}  // namespace lmp::domain
