// Licenses: create one for a customer (its activation code shown once), list and read them with
// their state and usage, renew, convert a trial to full, and change units. Every change moves
// the license generation (the seat path sees it in its next transaction) and is audited with
// before and after in the same transaction.
#include <boost/json/object.hpp>

#include "core/activation_code.hpp"
#include "domain/domain_json.hpp"
#include "domain/fresh_code.hpp"
#include "domain/license_state.hpp"
#include "domain/permissions.hpp"
#include "domain/pools.hpp"
#include "domain/product_lifecycle.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

constexpr std::int64_t kDayMs = domain::kDayMs;
constexpr std::int64_t kMaxUnits = 1000000;
constexpr std::int64_t kMaxDays = 36500;
// 9999-12-31T23:59:59Z: the latest time the API accepts.
constexpr std::int64_t kMaxSeconds = 253402300799;

domain::LicenseState state_of(const domain::License& l, std::int64_t now_ms) {
  return l.state_at(now_ms);
}

json::object license_json(const domain::License& l, std::int64_t now_ms) {
  json::object out;
  out["id"] = l.id;
  out["customer"] = l.customer_id;
  out["product"] = l.product_code;
  out["units"] = l.units;
  out["unit"] = domain::to_string(l.unit);
  out["starts"] = l.starts_at_ms / 1000;
  out["expires"] = l.expires_at_ms / 1000;
  out["trial"] = l.trial;
  out["grace_days"] = l.grace_ms / kDayMs;
  out["notice_days"] = l.notice_days;
  out["auto_renew"] = l.auto_renew;
  out["plan"] = l.plan_id ? json::value(*l.plan_id) : json::value(nullptr);
  out["disabled"] = l.cut_off_at_ms ? json::value(*l.cut_off_at_ms / 1000) : json::value(nullptr);
  out["created"] = l.created_at_ms / 1000;
  out["state"] = domain::to_string(state_of(l, now_ms));
  return out;
}

std::string object_of(const domain::License& l) {
  return "license:" + std::to_string(l.id);
}

// The license at path position 0 as the caller may see it: a customer's user its own, an
// account's user those of its subtree with view_licenses (403 without, 404 outside).
domain::License visible_license(const AdminCall& call) {
  const std::int64_t id = call.path_id(0, "license");
  if (!call.caller.customer) call.require(domain::kViewLicenses);
  auto license = call.db.licenses().find(id);
  const bool seen =
      license && (call.caller.customer ? license->customer_id == call.caller.customer->id
                                       : call.caller.sees(license->scope));
  if (!seen) throw not_found("license");
  return *license;
}

// The license a change is about. A change sells or takes back units, so it needs the right to
// issue them (create_registration_keys) besides seeing the license; customers change nothing.
// A license deleted at its product's End of Life answers `end_of_life`.
domain::License changeable_license(const AdminCall& call) {
  if (call.caller.customer) throw forbidden("a customer cannot change its licenses");
  call.require(domain::kViewLicenses);
  call.require(domain::kCreateRegistrationKeys);
  const std::int64_t id = call.path_id(0, "license");
  auto license = call.db.licenses().find(id);
  if (license && call.caller.sees(license->scope)) return *license;
  // SQLite may have given a deleted license's id to a new license: the live one is asked first.
  if (auto retired = call.db.licenses().find_retired(id);
      !license && retired && call.caller.sees(retired->scope))
    throw ApiError(
        403, "end_of_life",
        "product " + retired->product_code + " has reached End of Life; its licenses are deleted");
  throw not_found("license");
}

domain::ProductLifecycle lifecycle_of(const AdminCall& call, const std::string& product) {
  return domain::product_lifecycle(call.db.lifecycles().all(), call.products, product, call.now_ms);
}

void refuse_end_of_life(const AdminCall& call, const std::string& product) {
  if (lifecycle_of(call, product).end_of_life())
    throw ApiError(403, "end_of_life", "product " + product + " has reached End of Life");
}

void refuse_end_of_sale(const AdminCall& call, const std::string& product) {
  refuse_end_of_life(call, product);
  if (lifecycle_of(call, product).end_of_sale())
    throw conflict("end_of_sale", "product " + product + " has reached End of Sale");
}

// `expires` (Unix seconds) or `days` (counted from `from_ms`); nullopt when neither is given.
std::optional<std::int64_t> new_expiry(const AdminCall& call, std::int64_t from_ms) {
  const auto expires = call.optional_count("expires", 1, kMaxSeconds);
  const auto days = call.optional_count("days", 1, kMaxDays);
  if (expires && days) throw bad_request("give expires or days, not both");
  if (expires) return *expires * 1000;
  if (days) return from_ms + *days * kDayMs;
  return std::nullopt;
}

json::value answer(AdminCall& call, const domain::License& license) {
  auto out = license_json(license, call.now_ms);
  out["used"] = call.db.licenses().units_in_use(license.id, call.now_ms);
  return out;
}

// Writes `after` and its audit record; returns the license as now stored.
json::value change(AdminCall& call, std::string_view action, const domain::License& before,
                   const domain::License& after) {
  call.db.licenses().update(after);
  auto stored = *call.db.licenses().find(after.id);
  call.audit(action, object_of(stored), stored.scope,
             domain::to_text(license_json(before, call.now_ms)),
             domain::to_text(license_json(stored, call.now_ms)));
  return answer(call, stored);
}

json::value create_license(AdminCall& call) {
  if (call.caller.customer) throw forbidden("a customer cannot create licenses");
  call.require(domain::kCreateRegistrationKeys);
  const auto customer_id = call.optional_id("customer");
  if (!customer_id) throw bad_request("missing field customer");
  auto customer = call.db.customers().find(*customer_id);
  if (!customer || !call.caller.sees(customer->scope())) throw not_found("customer");
  const std::string product_code = call.text("product");
  const auto* product = call.products.find(product_code);
  if (product == nullptr) throw not_found("product");
  const auto units = call.optional_count("units", 1, kMaxUnits);
  if (!units) throw bad_request("missing field units");
  const std::int64_t starts_ms =
      call.optional_count("starts", 1, kMaxSeconds).value_or(call.now_ms / 1000) * 1000;
  const auto expires_ms = new_expiry(call, starts_ms);
  if (!expires_ms) throw bad_request("missing field expires (or days)");
  if (*expires_ms <= starts_ms) throw bad_request("expires must be later than starts");
  if (customer->status != domain::CustomerStatus::enabled)
    throw conflict("account_not_active", "the customer is disabled: no new licenses for it");
  for (const auto& above : call.db.accounts().on_path(customer->owner_path))
    if (above.status == domain::AccountStatus::canceled)
      throw conflict("partner_canceled", "the customer's partner account is canceled");
  refuse_end_of_sale(call, product_code);

  domain::NewLicense license;
  license.customer_id = customer->id;
  license.product_code = product_code;
  license.units = *units;
  license.unit = product->unit;
  license.starts_at_ms = starts_ms;
  license.expires_at_ms = *expires_ms;
  license.created_at_ms = call.now_ms;
  license.trial = call.optional_bool("trial").value_or(false);
  license.grace_ms = call.optional_count("grace_days", 0, kMaxDays).value_or(0) * kDayMs;
  license.notice_days = call.optional_count("notice_days", 0, kMaxDays).value_or(0);
  license.auto_renew = call.optional_bool("auto_renew").value_or(false);
  // A partner's license draws from its pool as its keys do, in this transaction (the parent's
  // from none): a refusal leaves nothing written.
  domain::draw_from_pool(call.db, *call.caller.account, product_code, *units);
  const auto [id, code] = domain::insert_with_fresh_code(
      license, [&](const domain::NewLicense& coded) { return call.db.licenses().create(coded); });
  auto stored = *call.db.licenses().find(id);
  // The record never holds the code or its hash.
  call.audit("license.create", object_of(stored), stored.scope, {},
             domain::to_text(license_json(stored, call.now_ms)));
  auto out = license_json(stored, call.now_ms);
  out["used"] = 0;
  out["code"] = activation_code::format(code);
  return out;
}

json::value list_licenses(AdminCall& call) {
  domain::LicenseFilter filter;
  if (!call.caller.customer) call.require(domain::kViewLicenses);
  // The customer filter only narrows: the scope keeps every license outside the caller's
  // subtree out, so asking for a customer one cannot see lists nothing.
  filter.customer_id = call.query_id("customer");
  if (call.caller.customer) {
    filter.scope_prefix = call.caller.customer->owner_path;
    if (filter.customer_id && *filter.customer_id != call.caller.customer->id)
      return page_of(std::vector<domain::License>{}, call.page(),
                     [](const domain::License&) { return json::object(); });
    filter.customer_id = call.caller.customer->id;
  } else {
    filter.scope_prefix = call.caller.scope;
  }
  filter.product = call.query("product").value_or("");
  const auto state = call.query("state");
  if (state && !domain::parse<domain::LicenseState>(*state))
    throw bad_request("state must be a license state");
  const auto page = call.page();
  // The state depends on the time, not on a column: read in id order and keep the matches
  // until the page (and one more, to know whether more follow) is full.
  std::vector<domain::License> rows;
  domain::Page read{page.after, 500};
  for (;;) {
    auto chunk = call.db.licenses().list(filter, read);
    for (auto& l : chunk) {
      if (state && domain::to_string(state_of(l, call.now_ms)) != *state) continue;
      rows.push_back(std::move(l));
      if (static_cast<int>(rows.size()) > page.limit) break;
    }
    if (static_cast<int>(rows.size()) > page.limit || static_cast<int>(chunk.size()) < read.limit)
      break;
    read.after = chunk.back().id;
  }
  return page_of(rows, page,
                 [&](const domain::License& l) { return license_json(l, call.now_ms); });
}

json::value get_license(AdminCall& call) {
  return answer(call, visible_license(call));
}

json::value renew_license(AdminCall& call) {
  const auto before = changeable_license(call);
  // Allowed after End of Sale: current customers keep renewing what they have.
  refuse_end_of_life(call, before.product_code);
  // From the current expiry, so a renewal in the notice window or in grace leaves no gap; from
  // now for a license already past its grace. Without `expires` or `days`: by its own period.
  const bool lapsed = state_of(before, call.now_ms) == domain::LicenseState::expired;
  const std::int64_t from = lapsed ? call.now_ms : before.expires_at_ms;
  auto expires = new_expiry(call, from);
  if (!expires) expires = from + (before.expires_at_ms - before.starts_at_ms);
  if (*expires <= before.expires_at_ms)
    throw bad_request("a renewal must end later than the license does now");
  auto after = before;
  after.expires_at_ms = *expires;
  return change(call, "license.renew", before, after);
}

// Units added to a license are sold like new ones: a partner draws them from its pool, so
// raising a license never gets round the pool. Units taken away go back to no pool: they were
// drawn by whoever issued the key or the license, not necessarily this caller.
void draw_added_units(const AdminCall& call, const domain::License& before,
                      const domain::License& after) {
  if (after.units > before.units)
    domain::draw_from_pool(call.db, *call.caller.account, after.product_code,
                           after.units - before.units);
}

json::value convert_license(AdminCall& call) {
  const auto before = changeable_license(call);
  refuse_end_of_life(call, before.product_code);
  if (!before.trial) throw conflict("not_trial", "the license is not a trial license");
  auto after = before;
  after.trial = false;
  if (auto expires = new_expiry(call, call.now_ms)) {
    if (*expires <= after.starts_at_ms) throw bad_request("expires must be later than starts");
    after.expires_at_ms = *expires;
  }
  after.units = call.optional_count("units", 1, kMaxUnits).value_or(before.units);
  draw_added_units(call, before, after);
  return change(call, "license.convert", before, after);
}

json::value set_license_units(AdminCall& call) {
  const auto before = changeable_license(call);
  refuse_end_of_life(call, before.product_code);
  const auto units = call.optional_count("units", 1, kMaxUnits);
  if (!units) throw bad_request("missing field units");
  // Selling more of a product at End of Sale is a sale; taking units back is not.
  if (*units > before.units) refuse_end_of_sale(call, before.product_code);
  auto after = before;
  after.units = *units;
  draw_added_units(call, before, after);
  return change(call, "license.units", before, after);
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
