// The licenses (a port: storage implements it). Every change moves the license generation, so the
// seat path sees it in its next transaction. Every method REQUIRES the unit of work's open
// transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/license.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

struct LicenseFilter {
  std::string scope_prefix;  // licenses of customers in this subtree
  std::optional<std::int64_t> customer_id;
  std::string product;  // "" for any
};

class LicenseRepository {
 public:
  virtual ~LicenseRepository() = default;

  // Returns the new license's id; DuplicateError when the code hash exists (draw a new code).
  virtual std::int64_t create(const NewLicense& license) = 0;
  virtual std::optional<License> find(std::int64_t id) = 0;
  virtual std::vector<License> list(const LicenseFilter& filter, Page page) = 0;
  // The licenses not cut off whose notice window starts (notice_days of `day_ms` before expiry),
  // that expire, or whose grace ends in (after_ms, until_ms]: the event sweep's candidates.
  virtual std::vector<License> with_event_dates_in(std::int64_t after_ms, std::int64_t until_ms,
                                                   std::int64_t day_ms) = 0;
  // The licenses with auto-renewal, not cut off, past their expiry and still in their grace at
  // `now_ms`: the renewals the event sweep tries again.
  virtual std::vector<License> auto_renewing_in_grace(std::int64_t now_ms) = 0;
  // Writes the license's terms (units, dates, trial, grace, notice, auto-renewal).
  virtual void update(const License& license) = 0;
  // Moves the license's expiry from `from_ms` to `to_ms` only if it is still `from_ms` (a
  // compare-and-set: of two renewals of one expiry, one wins); true when it moved.
  virtual bool move_expiry(std::int64_t id, std::int64_t from_ms, std::int64_t to_ms) = 0;
  // Units of the license's leases that are live at `now_ms`.
  virtual std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) = 0;
  // The same for several licenses at once (those with none in use are left out).
  virtual std::map<std::int64_t, std::int64_t> units_in_use_of(
      const std::vector<std::int64_t>& license_ids, std::int64_t now_ms) = 0;
  virtual std::int64_t count_of_customer(std::int64_t customer_id) = 0;

  // Licenses end at `at_ms` (when they would run longer) without touching their dates; each
  // returns how many licenses changed.
  virtual std::int64_t cut_off_customer(std::int64_t customer_id, std::int64_t at_ms) = 0;
  virtual std::int64_t cut_off_under(const std::string& path, std::int64_t at_ms) = 0;
  // Undoes a customer's cut-off: its licenses run on their own dates again.
  virtual std::int64_t restore_customer(std::int64_t customer_id) = 0;

  // A license deleted at its product's End of Life.
  virtual std::optional<RetiredLicense> find_retired(std::int64_t id) = 0;
};

}  // namespace lmp::domain
