// The SOCI implementations of the domain's repositories, each on the unit of work's session
// (storage/sql_unit_of_work.cpp assembles them). Included only by daemon/storage/*.cpp.
#pragma once

#include <memory>

#include "domain/unit_of_work.hpp"

namespace soci {
class session;
}

namespace lmp::storage {

class StoredSecrets;

// Each keeps a reference to `sql` (and `secrets`), which must outlive it.
std::unique_ptr<domain::AccountRepository> sql_account_repository(soci::session& sql);
std::unique_ptr<domain::CustomerRepository> sql_customer_repository(soci::session& sql);
std::unique_ptr<domain::UserRepository> sql_user_repository(soci::session& sql);
std::unique_ptr<domain::ConsoleSessionRepository> sql_console_session_repository(
    soci::session& sql);
// Licenses and registration keys are found by their codes' and keys' SHA-256, which they keep
// keyed with `secrets`.
std::unique_ptr<domain::LicenseRepository> sql_license_repository(soci::session& sql,
                                                                  StoredSecrets& secrets);
std::unique_ptr<domain::LeaseRepository> sql_lease_repository(soci::session& sql);
std::unique_ptr<domain::UsageRepository> sql_usage_repository(soci::session& sql);
std::unique_ptr<domain::DenialRepository> sql_denial_repository(soci::session& sql);
std::unique_ptr<domain::UsageRollupRepository> sql_usage_rollup_repository(soci::session& sql);
std::unique_ptr<domain::ProductLifecycleRepository> sql_product_lifecycle_repository(
    soci::session& sql);
std::unique_ptr<domain::PlanRepository> sql_plan_repository(soci::session& sql);
std::unique_ptr<domain::KeyRepository> sql_key_repository(soci::session& sql,
                                                          StoredSecrets& secrets);
std::unique_ptr<domain::PoolRepository> sql_pool_repository(soci::session& sql);
std::unique_ptr<domain::BrandingRepository> sql_branding_repository(soci::session& sql);
std::unique_ptr<domain::SitePolicyRepository> sql_site_policy_repository(soci::session& sql);
std::unique_ptr<domain::AuditLog> sql_audit_log(soci::session& sql);
std::unique_ptr<domain::EntitlementRepository> sql_entitlement_repository(soci::session& sql);
std::unique_ptr<domain::EventRepository> sql_event_repository(soci::session& sql);
// Webhook secrets are kept sealed with `secrets`.
std::unique_ptr<domain::WebhookRepository> sql_webhook_repository(soci::session& sql,
                                                                  StoredSecrets& secrets);
// Private keys are kept sealed with `secrets`.
std::unique_ptr<domain::SigningKeyRepository> sql_signing_key_repository(soci::session& sql,
                                                                         StoredSecrets& secrets);

}  // namespace lmp::storage
