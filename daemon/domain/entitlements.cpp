// The entitlement operations and their rules.
#include "domain/entitlements.hpp"

#include <boost/json/object.hpp>

#include "core/secure_random.hpp"
#include "domain/customers.hpp"
#include "domain/domain_json.hpp"
#include "domain/entitlement.hpp"
#include "domain/license_renewal.hpp"
#include "domain/license_state.hpp"
#include "domain/licenses.hpp"
#include "domain/limits.hpp"
#include "domain/request_checks.hpp"
#include "domain/site_role.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::string object_of(std::int64_t license_id) {
  return "license:" + std::to_string(license_id);
}

// A site id as the vendor is given it: letters, digits and dashes, 1 to 100 of them.
std::string checked_site(const std::optional<std::string>& site) {
  const std::string text = required_text("site", site);
  if (text.size() > 100) throw bad_request("site must be at most 100 characters");
  for (char c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      throw bad_request("site must be a site id (letters, digits and dashes)");
  return text;
}

EntitlementTerms terms_of(const Context& ctx, const License& l) {
  EntitlementTerms t;
  t.license = l.id;
  t.customer = l.customer_name;
  t.product = l.product_code;
  const Product* product = ctx.products.find(l.product_code);
  t.family = product ? product->family : "";
  t.units = l.units;
  t.unit = std::string(to_string(l.unit));
  t.trial = l.trial;
  t.starts = l.starts_at_ms / 1000;
  t.expires = l.expires_at_ms / 1000;
  t.grace_days = l.grace_ms / kDayMs;
  t.notice_days = l.notice_days;
  return t;
}

DomainError unknown_product(const std::string& why) {
  return DomainError(ErrorCode::entitlement_unknown_product, why);
}

// The configured product the entitlement's terms name, which must be of the same family and
// unit: products arrive on a site server through its config (the family plugin that rules their
// checkouts is installed there), never through an entitlement.
const Product& site_product(const Context& ctx, const EntitlementTerms& t) {
  const Product* product = ctx.products.find(t.product);
  if (product == nullptr)
    throw unknown_product("the entitlement is for product '" + t.product +
                          "', which this site's config does not have: add it (family '" + t.family +
                          "') to products and reload");
  if (product->family != t.family)
    throw unknown_product("product '" + t.product + "' is of family '" + product->family +
                          "' here, and of family '" + t.family + "' in the entitlement");
  if (to_string(product->unit) != t.unit)
    throw unknown_product("product '" + t.product + "' counts " +
                          std::string(to_string(product->unit)) + " here, and " + t.unit +
                          " in the entitlement");
  if (ctx.lifecycle(t.product).end_of_life())
    throw DomainError(ErrorCode::end_of_life, "product " + t.product + " has reached End of Life");
  return *product;
}

// The license's terms as the entitlement says, over `license` (its id, customer, code kept).
template <class L>
void apply_terms(L& license, const EntitlementTerms& t, const Product& product) {
  license.units = t.units;
  license.unit = product.unit;
  license.starts_at_ms = t.starts * 1000;
  license.expires_at_ms = t.expires * 1000;
  license.trial = t.trial;
  license.grace_ms = t.grace_days * kDayMs;
  license.notice_days = t.notice_days;
}

ImportedLicense create_from(const Context& ctx, const VerifiedEntitlement& v,
                            const Product& product) {
  const EntitlementTerms& t = v.entitlement.terms;
  // The customer is made when it is missing, in this transaction: refused together with the
  // license, or kept with it.
  auto customer = find_customer_named(ctx, t.customer);
  if (!customer) customer = create_customer(ctx, {t.customer, std::nullopt});
  refuse_inactive_customer(ctx, *customer);
  NewLicense license;
  license.customer_id = customer->id;
  license.product_code = t.product;
  license.created_at_ms = ctx.now_ms;
  apply_terms(license, t, product);
  // A site server renews nothing itself (a newer entitlement does); stored for its view.
  license.period_days = term_days(license.starts_at_ms, license.expires_at_ms);
  auto created = insert_license(ctx, license);
  return {ImportedLicense::Result::created, std::move(created.license), std::move(created.code),
          v.entitlement.serial, t.license};
}

ImportedLicense import_checked(const Context& ctx, std::string_view token) {
  if (!ctx.site_server())
    throw DomainError(ErrorCode::not_site_server,
                      "this server trusts no vendor key (trust.vendor_keys): it makes its own "
                      "licenses and imports none");
  const std::string site = ctx.db.entitlements().site_id().value_or("");
  // A clock set back does not make an expired file importable again (docs/entitlements.md,
  // "The clock guard"): its `exp` is judged at the server's high-water mark of the clock.
  const VerifiedEntitlement v = verify_entitlement(
      token, *ctx.trust, site, judged_at(ctx.now_ms, ctx.db.entitlements().server_clock_mark()));
  const EntitlementTerms& t = v.entitlement.terms;
  const Product& product = site_product(ctx, t);
  const std::string terms_json = to_text(t.json());
  ImportedEntitlement row{t.license, 0, v.entitlement.serial, v.kid, terms_json, ctx.now_ms};

  const auto held = ctx.db.entitlements().imported(t.license);
  auto before = held ? ctx.db.licenses().find(held->license_id) : std::nullopt;
  if (held && before) {
    if (v.entitlement.serial == held->serial && terms_json == held->terms_json)
      return {ImportedLicense::Result::unchanged, *before, "", held->serial, t.license};
    if (v.entitlement.serial <= held->serial)
      throw DomainError(ErrorCode::entitlement_not_newer,
                        "this site holds serial " + std::to_string(held->serial) +
                            " of the vendor's license " + std::to_string(t.license) +
                            "; the entitlement has serial " + std::to_string(v.entitlement.serial) +
                            (v.entitlement.serial == held->serial ? " with other terms" : "") +
                            ": only a newer serial replaces it");
    License after = *before;
    apply_terms(after, t, product);
    auto replaced = replace_license_terms(ctx, "license.entitlement", *before, after);
    row.license_id = replaced.license.id;
    ctx.db.entitlements().save_imported(row);
    return {ImportedLicense::Result::replaced, std::move(replaced.license), "",
            v.entitlement.serial, t.license};
  }
  // New here (or its license was deleted at its product's End of Life: made again).
  auto created = create_from(ctx, v, product);
  row.license_id = created.license.id;
  ctx.db.entitlements().save_imported(row);
  return created;
}

}  // namespace

std::string ensure_site_id(EntitlementRepository& repository, std::int64_t now_ms, Env& env) {
  if (auto id = repository.site_id()) return *id;
  repository.insert_site_id("site-" + random_hex(16, env), now_ms);
  return *repository.site_id();
}

SiteView site_of(const Context& ctx) {
  if (ctx.caller.customer) throw forbidden("a customer cannot read the site's identity");
  SiteView view;
  view.site_id = ctx.db.entitlements().site_id().value_or("");
  view.site_server = ctx.site_server();
  if (ctx.trust)
    for (const auto& key : ctx.trust->vendor_keys) view.vendor_kids.push_back(key.kid);
  return view;
}

ExportedEntitlement export_entitlement(const Context& ctx, const ExportEntitlement& request) {
  // The signature vouches for units the vendor sells: the parent's alone.
  if (!ctx.caller.is_parent())
    throw forbidden("only the parent account (the vendor) may export entitlements");
  refuse_if_read_only(ctx.caller);
  refuse_on_site_server(ctx, "export entitlements (only the vendor's server signs them)");
  const std::string site = checked_site(request.site);
  const auto valid_days = count_within("valid_days", request.valid_days, 1, kMaxDays);
  auto license = ctx.db.licenses().find(request.license_id);
  if (!license) throw not_found("license");
  auto key = ctx.db.signing_keys().active();
  if (!key) throw DomainError(ErrorCode::bad_request, "the server has no signing key yet");
  auto signer = Ed25519Key::from_private(key->private_key);
  if (!signer) throw std::runtime_error("the signing key " + key->kid + " cannot be read");

  Entitlement e;
  e.terms = terms_of(ctx, *license);
  const std::string terms_json = to_text(e.terms.json());
  // The serial follows the terms, not the exports: the same terms keep their serial (a file
  // exported twice imports once), any change since the last export takes the next one.
  const auto last = ctx.db.entitlements().exported(license->id);
  e.serial = last ? last->serial : 1;
  if (last && last->terms_json != terms_json) e.serial = last->serial + 1;
  if (!last || last->terms_json != terms_json)
    ctx.db.entitlements().save_exported({license->id, e.serial, terms_json});
  e.site = site;
  e.issued = ctx.now_ms / 1000;
  if (valid_days) e.valid_until = e.issued + *valid_days * (kDayMs / 1000);

  ExportedEntitlement out{sign_entitlement(e, key->kid, *signer), key->kid, e.serial,
                          e.valid_until};
  json::object after{{"site", site}, {"serial", e.serial}, {"kid", key->kid}};
  if (e.valid_until) after["valid_until"] = *e.valid_until;
  ctx.audit("entitlement.export", object_of(license->id), license->scope, "", to_text(after));
  return out;
}

std::string_view to_string(ImportedLicense::Result result) {
  switch (result) {
    case ImportedLicense::Result::created:
      return "created";
    case ImportedLicense::Result::replaced:
      return "replaced";
    case ImportedLicense::Result::unchanged:
      return "unchanged";
  }
  return "";
}

ImportAttempt refuse_entitlement(const Context& ctx, const DomainError& refusal,
                                 std::string_view source) {
  ctx.audit(
      "entitlement.refuse", "entitlement", ctx.caller.scope, "",
      to_text(json::object{
          {"source", source}, {"reason", to_string(refusal.code())}, {"message", refusal.what()}}));
  ImportAttempt attempt;
  attempt.refusal = refusal;
  return attempt;
}

ImportAttempt import_entitlement(const Context& ctx, std::string_view token,
                                 std::string_view source) {
  if (!ctx.caller.is_parent()) throw forbidden("only the parent account may import entitlements");
  refuse_if_read_only(ctx.caller);
  ImportAttempt attempt;
  try {
    attempt.imported = import_checked(ctx, token);
  } catch (const DomainError& refusal) {
    // Every check comes before the first write, so the transaction holds nothing yet: the
    // record of the refusal is all the caller commits.
    return refuse_entitlement(ctx, refusal, source);
  }
  const auto& i = *attempt.imported;
  ctx.audit("entitlement.import", object_of(i.license.id), i.license.scope, "",
            to_text(json::object{{"source", source},
                                 {"result", to_string(i.result)},
                                 {"vendor_license", i.vendor_license},
                                 {"serial", i.serial}}));
  return attempt;
}

}  // namespace lmp::domain
