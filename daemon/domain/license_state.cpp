// The license state rule. A cut-off wins over every date: a disabled customer's license stays
// `disabled` (with no grace) until the customer is enabled again.
#include "domain/license_state.hpp"

namespace lmp::domain {

LicenseState license_state(const LicenseDates& dates, std::int64_t now_ms) {
  if (dates.cut_off_at_ms && now_ms >= *dates.cut_off_at_ms) return LicenseState::disabled;
  if (now_ms < dates.starts_at_ms) return LicenseState::not_started;
  if (now_ms < dates.expires_at_ms - dates.notice_days * kDayMs) return LicenseState::active;
  if (now_ms < dates.expires_at_ms) return LicenseState::expiring;
  // Written as a difference so that a huge grace cannot overflow the sum.
  if (now_ms - dates.expires_at_ms < dates.grace_ms) return LicenseState::in_grace;
  return LicenseState::expired;
}

std::int64_t judged_at(std::int64_t now_ms, std::int64_t mark_ms) {
  return now_ms > mark_ms ? now_ms : mark_ms;
}

bool serves(LicenseState state) {
  return state == LicenseState::active || state == LicenseState::expiring ||
         state == LicenseState::in_grace;
}

}  // namespace lmp::domain
