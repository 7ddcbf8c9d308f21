// The permission names and the default table of docs/admin-api.md (from the domain spec).
#include "domain/permissions.hpp"

namespace lmp::domain {

const std::vector<std::string_view>& all_permissions() {
  static const std::vector<std::string_view> kAll = {
      kManagePartners,         kCreateCustomers,    kViewCustomers,
      kModifyCustomers,        kViewLicenses,       kManageServicePlans,
      kCreateRegistrationKeys, kAssignLicensePools, kModifyBranding};
  return kAll;
}

bool is_permission(std::string_view name) {
  for (auto known : all_permissions())
    if (known == name) return true;
  return false;
}

std::set<std::string> default_permissions(AccountKind partner_kind) {
  if (partner_kind == AccountKind::msp)
    return {std::string(kCreateCustomers),    std::string(kViewCustomers),
            std::string(kModifyCustomers),    std::string(kViewLicenses),
            std::string(kManageServicePlans), std::string(kCreateRegistrationKeys),
            std::string(kModifyBranding)};
  if (partner_kind == AccountKind::reseller)
    return {std::string(kCreateCustomers), std::string(kViewCustomers),
            std::string(kCreateRegistrationKeys)};
  return {};
}

}  // namespace lmp::domain
