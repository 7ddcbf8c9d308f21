// The license operations and their rules.
#include "domain/licenses.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/fresh_code.hpp"
#include "domain/license_renewal.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"
#include "domain/pools.hpp"
#include "domain/product_sales.hpp"
#include "domain/request_checks.hpp"
#include "domain/site_role.hpp"

namespace lmp::domain {
namespace {

std::string object_of(const License& l) {
  return "license:" + std::to_string(l.id);
}

// The license the caller may see: a customer's user its own, an account's user those of its
// subtree with view_licenses (forbidden without, not_found outside).
License visible_license(const Context& ctx, std::int64_t id) {
  if (!ctx.caller.customer) ctx.require(kViewLicenses);
  auto license = ctx.db.licenses().find(id);
  const bool seen =
      license && (ctx.caller.customer ? license->customer_id == ctx.caller.customer->id
                                      : ctx.caller.sees(license->scope));
  if (!seen) throw not_found("license");
  return *license;
}

// The license a change is about. A change sells or takes back units, so it needs the right to
// issue them (create_registration_keys) besides seeing the license; customers change nothing.
// A license deleted at its product's End of Life answers end_of_life.
License changeable_license(const Context& ctx, std::int64_t id) {
  if (ctx.caller.customer) throw forbidden("a customer cannot change its licenses");
  ctx.require(kViewLicenses);
  ctx.require(kCreateRegistrationKeys);
  auto license = ctx.db.licenses().find(id);
  if (license && ctx.caller.sees(license->scope)) return *license;
  // SQLite may have given a deleted license's id to a new license: the live one is asked first.
  if (auto retired = ctx.db.licenses().find_retired(id);
      !license && retired && ctx.caller.sees(retired->scope))
    throw DomainError(
        ErrorCode::end_of_life,
        "product " + retired->product_code + " has reached End of Life; its licenses are deleted");
  throw not_found("license");
}

void refuse_end_of_life(const Context& ctx, const std::string& product) {
  if (ctx.lifecycle(product).end_of_life())
    throw DomainError(ErrorCode::end_of_life, "product " + product + " has reached End of Life");
}

void refuse_end_of_sale(const Context& ctx, const std::string& product) {
  refuse_end_of_life(ctx, product);
  if (ctx.lifecycle(product).end_of_sale())
    throw DomainError(ErrorCode::end_of_sale, "product " + product + " has reached End of Sale");
}

std::optional<std::int64_t> checked_units(const std::optional<std::int64_t>& units) {
  return count_within("units", units, 1, kMaxUnits);
}

// The customer a new license goes to, once it is known to be able to take one.
Customer licensable_customer(const Context& ctx, std::int64_t id) {
  auto customer = ctx.db.customers().find(id);
  if (!customer || !ctx.caller.sees(customer->scope())) throw not_found("customer");
  return *customer;
}

std::int64_t waiting_for(const Context& ctx, std::int64_t license_id) {
  return ctx.seats ? ctx.seats->waiting(license_id) : 0;
}

LicenseUsage usage_of(const Context& ctx, License license) {
  const std::int64_t used = ctx.db.licenses().units_in_use(license.id, ctx.now_ms);
  const std::int64_t waiting = waiting_for(ctx, license.id);
  return {std::move(license), used, waiting};
}

// Writes `after` and its audit record; returns the license as now stored.
LicenseUsage change(const Context& ctx, std::string_view action, const License& before,
                    const License& after) {
  ctx.db.licenses().update(after);
  auto stored = *ctx.db.licenses().find(after.id);
  ctx.audit(action, object_of(stored), stored.scope, to_text(license_json(before, ctx.now_ms)),
            to_text(license_json(stored, ctx.now_ms)));
  return usage_of(ctx, std::move(stored));
}

// Units added to a license are sold like new ones: a partner draws them from its pool, so
// raising a license never gets round the pool. Units taken away go back to no pool: they were
// drawn by whoever issued the key or the license, not necessarily this caller.
void draw_added_units(const Context& ctx, const License& before, const License& after) {
  if (after.units > before.units)
    draw_from_pool(ctx.db, ctx.caller.account ? &*ctx.caller.account : nullptr, after.product_code,
                   after.units - before.units);
}

}  // namespace

CreatedLicense create_license(const Context& ctx, const CreateLicense& request) {
  if (ctx.caller.customer) throw forbidden("a customer cannot create licenses");
  ctx.require(kCreateRegistrationKeys);
  refuse_on_site_server(ctx, "create licenses");
  const auto customer =
      licensable_customer(ctx, required(request.customer_id, "missing field customer"));
  const std::string product_code = required_text("product", request.product);
  const Product* product = ctx.products.find(product_code);
  if (product == nullptr) throw unknown_product(product_code);
  const auto units = required(checked_units(request.units), "missing field units");
  const std::int64_t starts_ms = time_within("starts", request.starts_ms).value_or(ctx.now_ms);
  const auto expires_ms = required(new_expiry(request.expires_ms, request.days, starts_ms),
                                   "missing field expires (or days)");
  if (expires_ms <= starts_ms) throw bad_request("expires must be later than starts");
  const auto grace_days = count_within("grace_days", request.grace_days, 0, kMaxDays);
  const auto notice_days = count_within("notice_days", request.notice_days, 0, kMaxDays);
  const auto period_days = count_within("period_days", request.period_days, 1, kMaxDays);
  refuse_inactive_customer(ctx, customer);
  refuse_end_of_sale(ctx, product_code);

  NewLicense license;
  license.customer_id = customer.id;
  license.product_code = product_code;
  license.units = units;
  license.unit = product->unit;
  license.starts_at_ms = starts_ms;
  license.expires_at_ms = expires_ms;
  license.created_at_ms = ctx.now_ms;
  license.trial = request.trial.value_or(false);
  license.grace_ms = grace_days.value_or(0) * kDayMs;
  license.notice_days = notice_days.value_or(0);
  license.auto_renew = request.auto_renew.value_or(false);
  license.period_days = period_days.value_or(term_days(starts_ms, expires_ms));
  // A partner's license draws from its pool as its keys do, in this transaction (the parent's
  // from none): a refusal leaves nothing written.
  draw_from_pool(ctx.db, ctx.caller.account ? &*ctx.caller.account : nullptr, product_code, units);
  return insert_license(ctx, license);
}

CreatedLicense insert_license(const Context& ctx, const NewLicense& license) {
  const auto coded = insert_with_fresh_code(ctx.db.licenses(), license);
  auto stored = *ctx.db.licenses().find(coded.id);
  // The record never holds the code or its hash.
  ctx.audit("license.create", object_of(stored), stored.scope, {},
            to_text(license_json(stored, ctx.now_ms)));
  return {std::move(stored), coded.code};
}

void refuse_inactive_customer(const Context& ctx, const Customer& customer) {
  if (customer.status != CustomerStatus::enabled)
    throw DomainError(ErrorCode::account_not_active,
                      "the customer is disabled: no new licenses for it");
  for (const auto& above : ctx.db.accounts().on_path(customer.owner_path))
    if (above.status == AccountStatus::canceled)
      throw DomainError(ErrorCode::partner_canceled, "the customer's partner account is canceled");
}

LicenseUsage replace_license_terms(const Context& ctx, std::string_view action,
                                   const License& before, const License& after) {
  return change(ctx, action, before, after);
}

std::vector<License> list_licenses(const Context& ctx, const LicenseQuery& query) {
  LicenseFilter filter;
  if (!ctx.caller.customer) ctx.require(kViewLicenses);
  // The customer filter only narrows: the scope keeps every license outside the caller's
  // subtree out, so asking for a customer one cannot see lists nothing.
  filter.customer_id = query.customer_id;
  if (ctx.caller.customer) {
    filter.scope_prefix = ctx.caller.customer->owner_path;
    if (filter.customer_id && *filter.customer_id != ctx.caller.customer->id) return {};
    filter.customer_id = ctx.caller.customer->id;
  } else {
    filter.scope_prefix = ctx.caller.scope;
  }
  filter.product = query.product;
  std::optional<LicenseState> state;
  if (query.state) {
    state = parse<LicenseState>(*query.state);
    if (!state) throw bad_request("state must be a license state");
  }
  // The state depends on the time, not on a column: read in id order and keep the matches
  // until the page is full.
  std::vector<License> rows;
  Page read{query.page.after, 500};
  for (;;) {
    auto chunk = ctx.db.licenses().list(filter, read);
    for (auto& l : chunk) {
      if (state && l.state_at(ctx.now_ms) != *state) continue;
      rows.push_back(std::move(l));
      if (static_cast<int>(rows.size()) >= query.page.limit) return rows;
    }
    if (static_cast<int>(chunk.size()) < read.limit) return rows;
    read.after = chunk.back().id;
  }
}

std::vector<LicenseUsage> usage_of_licenses(const Context& ctx, std::vector<License> licenses) {
  std::vector<std::int64_t> ids;
  ids.reserve(licenses.size());
  for (const auto& l : licenses) ids.push_back(l.id);
  const auto used = ctx.db.licenses().units_in_use_of(ids, ctx.now_ms);
  std::vector<LicenseUsage> out;
  out.reserve(licenses.size());
  for (auto& l : licenses) {
    const auto found = used.find(l.id);
    const std::int64_t waiting = waiting_for(ctx, l.id);
    out.push_back({std::move(l), found == used.end() ? 0 : found->second, waiting});
  }
  return out;
}

LicenseUsage get_license(const Context& ctx, std::int64_t id) {
  return usage_of(ctx, visible_license(ctx, id));
}

LicenseUsage renew_license(const Context& ctx, const RenewLicense& request) {
  const auto before = changeable_license(ctx, request.id);
  refuse_on_site_server(ctx, "renew licenses (a newer entitlement renews them)");
  // Allowed after End of Sale: current customers keep renewing what they have.
  refuse_end_of_life(ctx, before.product_code);
  // From the current expiry, so a renewal in the notice window or in grace leaves no gap; from
  // now (the time it is judged at) for a license already past its grace. Without `expires` or
  // `days`: by its plan's period (its own term's without a plan).
  const bool lapsed = before.state_at(ctx.now_ms) == LicenseState::expired;
  const std::int64_t from =
      lapsed ? judged_at(ctx.now_ms, before.clock_mark_ms) : before.expires_at_ms;
  auto expires = new_expiry(request.expires_ms, request.days, from);
  if (!expires) expires = from + renewal_period_ms(before, plan_of(ctx.db, before));
  // The caller sells the new period, as it sells a new license: from its pool.
  const auto after =
      renewed_license(ctx, before, *expires, ctx.caller.account ? &*ctx.caller.account : nullptr);
  return change(ctx, "license.renew", before, after);
}

LicenseUsage convert_license(const Context& ctx, const ConvertLicense& request) {
  const auto before = changeable_license(ctx, request.id);
  refuse_on_site_server(ctx, "convert licenses (a newer entitlement converts them)");
  refuse_end_of_life(ctx, before.product_code);
  if (!before.trial) throw DomainError(ErrorCode::not_trial, "the license is not a trial license");
  auto after = before;
  after.trial = false;
  if (auto expires = new_expiry(request.expires_ms, request.days, ctx.now_ms)) {
    if (*expires <= after.starts_at_ms) throw bad_request("expires must be later than starts");
    after.expires_at_ms = *expires;
  }
  after.units = checked_units(request.units).value_or(before.units);
  draw_added_units(ctx, before, after);
  return change(ctx, "license.convert", before, after);
}

LicenseUsage set_license_units(const Context& ctx, const SetLicenseUnits& request) {
  const auto before = changeable_license(ctx, request.id);
  refuse_on_site_server(ctx, "change a license's units (a newer entitlement changes them)");
  refuse_end_of_life(ctx, before.product_code);
  const auto units = required(checked_units(request.units), "missing field units");
  // Selling more of a product at End of Sale is a sale; taking units back is not.
  if (units > before.units) refuse_end_of_sale(ctx, before.product_code);
  auto after = before;
  after.units = units;
  draw_added_units(ctx, before, after);
  return change(ctx, "license.units", before, after);
}

}  // namespace lmp::domain
