// The licenses that serve, summed per product, by the one license state rule of the domain.
#include "seat/license_figures.hpp"

#include <algorithm>

#include "domain/license_state.hpp"
#include "storage/seat_store.hpp"

namespace lmp::seat {

std::map<std::string, LicensedProduct> licensed_by_product(
    const std::vector<storage::LicenseRecord>& licenses, std::int64_t license_now_ms) {
  std::map<std::string, LicensedProduct> out;
  for (const auto& license : licenses) {
    const domain::LicenseDates dates{license.starts_at_ms, license.expires_at_ms, license.grace_ms,
                                     license.notice_days, license.cut_off_at_ms};
    switch (
        domain::license_state(dates, domain::judged_at(license_now_ms, license.clock_mark_ms))) {
      case domain::LicenseState::active:
      case domain::LicenseState::expiring:
      case domain::LicenseState::in_grace: {
        LicensedProduct& product = out[license.product_code];
        product.units += license.units;
        product.nearest_expiry_ms = std::min(
            product.nearest_expiry_ms.value_or(license.expires_at_ms), license.expires_at_ms);
        break;
      }
      case domain::LicenseState::not_started:
      case domain::LicenseState::expired:
      case domain::LicenseState::disabled:
        break;
    }
  }
  return out;
}

}  // namespace lmp::seat
