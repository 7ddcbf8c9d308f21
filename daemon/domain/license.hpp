// A license: one customer's right to units of one product, on its terms (trial or full, dates,
// grace, notice, auto-renewal); and what remains of one deleted at its product's End of Life.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/license_state.hpp"
#include "domain/unit_type.hpp"

namespace lmp::domain {

// A license with every term, as the admin API shows it (storage/seat_store.hpp has the seat
// path's view, whose dates already include a cut-off).
struct License {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string customer_name;
  std::string scope;  // its customer's scope (Customer::scope())
  std::string product_code;
  std::int64_t units = 0;
  UnitType unit = UnitType::seats;
  std::int64_t starts_at_ms = 0;
  std::int64_t expires_at_ms = 0;             // its own expiry, whatever a cut-off did
  std::optional<std::int64_t> cut_off_at_ms;  // when its customer's disabling ended it
  bool trial = false;
  std::int64_t grace_ms = 0;     // after expires_at_ms it still serves this long
  std::int64_t notice_days = 0;  // the days before expiry in which it is `expiring`
  bool auto_renew = false;
  std::optional<std::int64_t> plan_id;  // the service plan it was issued from, if any
  // The period it renews for when its plan is gone or it has none: its plan's period or its
  // first term's length in days, fixed when it was made (its term grows with each renewal).
  std::int64_t period_days = 0;
  std::int64_t created_at_ms = 0;
  // Its high-water mark of the wall clock: the time up to which it has been judged (its own
  // mark, or the server's when that is later: the server judges all its licenses); 0 when never.
  std::int64_t clock_mark_ms = 0;

  LicenseDates dates() const {
    return {starts_at_ms, expires_at_ms, grace_ms, notice_days, cut_off_at_ms};
  }
  // Its state when the clock reads `now_ms`: judged at that time or at its mark, the later.
  LicenseState state_at(std::int64_t now_ms) const {
    return license_state(dates(), judged_at(now_ms, clock_mark_ms));
  }
  // The dates the license is used on: a cut-off ends it (and one before its start means it never
  // starts), while its own dates stay for the day the customer is enabled again.
  std::int64_t effective_starts_ms() const { return cut_off_before(starts_at_ms); }
  std::int64_t effective_expires_ms() const { return cut_off_before(expires_at_ms); }

 private:
  std::int64_t cut_off_before(std::int64_t date) const {
    return cut_off_at_ms && *cut_off_at_ms < date ? *cut_off_at_ms : date;
  }
};

// A license about to be stored, with the hash of its activation code (never the code).
struct NewLicense {
  std::int64_t customer_id = 0;
  std::string product_code;
  std::int64_t units = 0;
  UnitType unit = UnitType::seats;
  std::int64_t starts_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string code_hash;  // sha256_hex of the normalized 20-digit activation code
  std::int64_t created_at_ms = 0;
  bool trial = false;
  std::int64_t grace_ms = 0;
  std::int64_t notice_days = 0;
  bool auto_renew = false;
  std::optional<std::int64_t> plan_id;
  std::int64_t period_days = 0;  // License::period_days
};

// What remains of a license deleted at its product's End of Life.
struct RetiredLicense {
  std::int64_t id = 0;
  std::string product_code;
  std::string scope;
};

}  // namespace lmp::domain
