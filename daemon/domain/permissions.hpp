// The partner permissions of the domain spec, their names in the API, and the defaults by
// partner kind (MSP, reseller).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"

namespace lmp::domain {

inline constexpr std::string_view kManagePartners = "manage_partners";
inline constexpr std::string_view kCreateCustomers = "create_customers";
inline constexpr std::string_view kViewCustomers = "view_customers";
inline constexpr std::string_view kModifyCustomers = "modify_customers";
inline constexpr std::string_view kViewLicenses = "view_licenses";
inline constexpr std::string_view kManageServicePlans = "manage_service_plans";
inline constexpr std::string_view kCreateRegistrationKeys = "create_registration_keys";
inline constexpr std::string_view kAssignLicensePools = "assign_license_pools";
inline constexpr std::string_view kModifyBranding = "modify_branding";

// Every permission, in the spec's order.
const std::vector<std::string_view>& all_permissions();
bool is_permission(std::string_view name);

// The spec's table; empty for the parent, which has every permission anyway.
std::set<std::string> default_permissions(AccountKind partner_kind);

}  // namespace lmp::domain
