// A license's state at a moment (docs/admin-api.md, "License states"): the one rule that the
// seat path (which states serve, what STATUS reports) and the admin API both apply.
#pragma once

#include <cstdint>
#include <optional>

#include "domain/enum_names.hpp"

namespace lmp::domain {

enum class LicenseState { not_started, active, expiring, in_grace, expired, disabled };

struct LicenseDates {
  std::int64_t starts_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // the license's own expiry
  std::int64_t grace_ms = 0;
  std::int64_t notice_days = 0;
  std::optional<std::int64_t> cut_off_at_ms;  // customer disabled or partner canceled
};

inline constexpr std::int64_t kDayMs = 86400000;

LicenseState license_state(const LicenseDates& dates, std::int64_t now_ms);
// The moment a license is judged at (docs/architecture.md, "Time"): the clock's time, but never
// earlier than the license's high-water mark, the time up to which it has been judged already.
// So a clock set back never revives an expired license or lengthens a trial.
std::int64_t judged_at(std::int64_t now_ms, std::int64_t mark_ms);
// Whether checkouts, activations and heartbeats are served: active, expiring and in_grace.
bool serves(LicenseState state);

template <>
struct EnumNames<LicenseState> {
  static constexpr EnumName<LicenseState> kNames[] = {
      {LicenseState::not_started, "not_started"}, {LicenseState::active, "active"},
      {LicenseState::expiring, "expiring"},       {LicenseState::in_grace, "in_grace"},
      {LicenseState::expired, "expired"},         {LicenseState::disabled, "disabled"}};
};

}  // namespace lmp::domain
