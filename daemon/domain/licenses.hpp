// The license operations: create one for a customer (its activation code shown once), list and
// read them with their usage, renew, convert a trial to full, and change units. Every change
// moves the license generation (the seat path sees it in its next transaction) and is audited
// with before and after in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/context.hpp"
#include "domain/customer.hpp"
#include "domain/license.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

// Times are Unix ms. Absent fields take their defaults (starts: now; trial, auto-renewal: no;
// grace and notice: 0 days); exactly one of expires_ms and days is required.
struct CreateLicense {
  std::optional<std::int64_t> customer_id;
  std::optional<std::string> product;
  std::optional<std::int64_t> units;
  std::optional<std::int64_t> starts_ms;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> days;  // counted from starts
  std::optional<bool> trial;
  std::optional<std::int64_t> grace_days;
  std::optional<std::int64_t> notice_days;
  std::optional<bool> auto_renew;
  // What it renews for (License::period_days); default: its first term in whole days.
  std::optional<std::int64_t> period_days;
};

struct CreatedLicense {
  License license;
  std::string code;  // the 20 digits, unformatted; shown once, never stored
};

struct LicenseQuery {
  std::optional<std::int64_t> customer_id;  // narrows; never widens the caller's view
  std::string product;                      // "" for every product
  std::optional<std::string> state;         // a license state's name
  Page page;
};

// A license with the units its live leases hold now, and the checkouts waiting for one at this
// instance (0 without a seat engine).
struct LicenseUsage {
  License license;
  std::int64_t used = 0;
  std::int64_t waiting = 0;
};

// Renewing: a new expiry (`expires_ms`) or a length (`days`, from the current expiry, or from now
// for a license past its grace); neither: by its own period.
struct RenewLicense {
  std::int64_t id = 0;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> days;
};

// Converting a trial to full, optionally with a new expiry (`days` from now) and units.
struct ConvertLicense {
  std::int64_t id = 0;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> days;
  std::optional<std::int64_t> units;
};

struct SetLicenseUnits {
  std::int64_t id = 0;
  std::optional<std::int64_t> units;
};

// Needs create_registration_keys (customers may not). Refuses a disabled customer
// (account_not_active), a canceled partner's customer (partner_canceled), a product at End of
// Life (end_of_life) or End of Sale (end_of_sale), a partner's pool too small (pool_exhausted).
CreatedLicense create_license(const Context& ctx, const CreateLicense& request);
// The licenses the caller sees (a customer's user its own; otherwise view_licenses), in id
// order from `page.after`, at most `page.limit`.
std::vector<License> list_licenses(const Context& ctx, const LicenseQuery& query);
// The usage of each license of a list (one read for all of them).
std::vector<LicenseUsage> usage_of_licenses(const Context& ctx, std::vector<License> licenses);
LicenseUsage get_license(const Context& ctx, std::int64_t id);
// These need view_licenses and create_registration_keys; a license deleted at its product's End
// of Life answers end_of_life.
LicenseUsage renew_license(const Context& ctx, const RenewLicense& request);
LicenseUsage convert_license(const Context& ctx, const ConvertLicense& request);
LicenseUsage set_license_units(const Context& ctx, const SetLicenseUnits& request);

// The steps every way of making a license shares (create_license, an imported entitlement).
// Refuses a disabled customer (account_not_active) or a canceled partner's (partner_canceled).
void refuse_inactive_customer(const Context& ctx, const Customer& customer);
// Stores `license` with a fresh activation code and audits `license.create`. REQUIRES the
// context's write transaction; the caller has checked the license.
CreatedLicense insert_license(const Context& ctx, const NewLicense& license);
// Stores `after` in place of `before` (a newer entitlement's terms) and audits it as `action`.
LicenseUsage replace_license_terms(const Context& ctx, std::string_view action,
                                   const License& before, const License& after);

}  // namespace lmp::domain
