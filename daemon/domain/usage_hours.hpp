// The hourly roll-up of usage (docs/benchmarks.md, "Usage reports"): per license and hour, what
// the usage report rule needs to give the same rows without the records: the units in use at the
// hour's start, every change of units in the order written, the peak, unit-milliseconds,
// checkouts, and who held or took units; the same per license and holder for the user and host
// reports.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/usage_record.hpp"
#include "domain/usage_report.hpp"

namespace lmp::domain {

inline constexpr std::int64_t kUsageHourMs = 3'600'000;
inline constexpr std::int64_t kUsageDayMs = 24 * kUsageHourMs;

// The start of the hour holding `at_ms` (hours aligned on the Unix epoch).
std::int64_t usage_hour_of(std::int64_t at_ms);

// One change of a license's units in use: +units when a lease starts, -units when it ends.
// `seq` orders changes of one moment across licenses as the records were written.
struct UsageChange {
  std::int64_t at_ms = 0;
  std::int64_t seq = 0;
  std::int64_t delta = 0;
  // Whether the change is one of both ways of taking the hour (UsageLicenseHour, below), or only
  // with what was carried into it (the end of a carried lease), or only without (a repeated
  // checkout of a carried lease at that moment: a new lease to a report starting there).
  enum class Way : std::uint8_t { both, carried, own } way = Way::both;
};

// One license's use in one hour (or the part of it inside a report's range).
//
// A lease that ends exactly at an hour's start is in use at that start for a report whose range
// began earlier (the report rule carries every held lease into the next period before it reads
// the records of that moment), and is not for a report that starts there (it was not in use
// after the start). An hour built from a start that is not the report's own (`carried` below)
// counts such a lease as in use at its start and keeps it apart, so that a report starting at
// the hour can leave it out: `carried_units`, the changes that end it, and `carried_holders`,
// the holders that only it brings into the hour.
struct UsageLicenseHour {
  // As the license group names it (license, product, customer, partner); one holder's hour also
  // names its user and host.
  UsageKey key;
  std::string scope;             // the customer's place in the tree, for the caller's view
  std::int64_t from_ms = 0;      // the hour's start, or the range's start within it
  std::int64_t start_units = 0;  // in use at from_ms, carried_units included
  std::int64_t carried_units = 0;
  std::int64_t peak_units = 0;
  std::int64_t unit_ms = 0;
  std::int64_t checkouts = 0;
  std::vector<UsageChange> changes;  // in the order written
  // (user, host) of every lease held into the hour or started in it, and of every checkout;
  // "" where the checkout named none.
  std::set<std::pair<std::string, std::string>> holders;
  std::set<std::pair<std::string, std::string>> carried_holders;  // not in `holders`
};

// Builds the license hours of [from_ms, to_ms) from the leases in use at from_ms and the records
// of the range, exactly as UsageReportBuilder does for the license group and hourly periods (the
// same order of use: in_use_at_start(), add() in the order written, finish()). Records that do
// not start or end a lease (denials, waits) change nothing but the clock. Thread safety: none.
class UsageHourBuilder {
 public:
  // REQUIRES from_ms < to_ms. `by_holder`: an hour per license and holder (user, host) instead of
  // per license, each of the holder's leases only (their units, changes and checkouts), as the
  // user and host groups of UsageReportBuilder count them.
  UsageHourBuilder(std::int64_t from_ms, std::int64_t to_ms, std::int64_t end_ms,
                   bool by_holder = false);

  // `lease` as each_in_use_at() gives it; with `carried`, the ending record of a lease that ended
  // exactly at from_ms too (in use at the start of an hour of a longer report).
  void in_use_at_start(const UsageRecord& lease);
  void add(const UsageRecord& record);
  // The hours in time order; an hour where a license had no use and no holder is left out.
  std::vector<UsageLicenseHour> finish();

 private:
  struct LicenseState {
    std::int64_t in_use = 0;
    std::int64_t changed_ms = 0;
    std::int64_t open_leases = 0;
    UsageLicenseHour hour;
  };
  struct OpenLease {
    LicenseState* license = nullptr;
    std::int64_t units = 0;
    std::pair<std::string, std::string> holder;
    bool carried = false;    // ends at from_ms
    bool restarted = false;  // checked out again at from_ms, before its end
  };

  LicenseState& license_of(const UsageRecord& record);
  void advance_to(std::int64_t at_ms);
  void close_hour();
  void start(LicenseState& license, const UsageRecord& record, std::int64_t at_ms,
             bool carried = false);
  void accrue(LicenseState& license, std::int64_t at_ms);

  std::int64_t from_ms_;
  std::int64_t to_ms_;
  std::int64_t end_ms_;
  std::int64_t hour_from_ms_;
  std::int64_t hour_to_ms_;
  bool by_holder_;
  std::int64_t seq_ = 0;
  // By license id, user and host (both "" unless by_holder).
  std::map<std::tuple<std::int64_t, std::string, std::string>, LicenseState> licenses_;
  std::unordered_map<std::string, OpenLease> open_;  // by lease reference
  std::vector<UsageLicenseHour> hours_;
};

}  // namespace lmp::domain
