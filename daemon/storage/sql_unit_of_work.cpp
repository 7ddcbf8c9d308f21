// The SOCI unit of work: one session, its transaction, and the SQL repositories on it. Plain SQL
// (prefix matches on materialized paths, RETURNING, CASE) that reads the same on SQLite and
// PostgreSQL.
#include "storage/sql_unit_of_work.hpp"

#include <soci/soci.h>

#include <utility>

#include "storage/sql_repositories.hpp"
#include "storage/sql_session.hpp"

namespace lmp::storage {
namespace {

class SqlUnitOfWork final : public domain::UnitOfWork {
 public:
  // `write_begin` opens a write transaction: BEGIN IMMEDIATE on SQLite, so the write lock is
  // held before anything is read; BEGIN on PostgreSQL, whose constraints and row locks serialise.
  SqlUnitOfWork(KeyedSession session, const char* write_begin, bool postgresql)
      : sql_(std::move(session.sql)),
        secrets_(std::move(session.secrets)),
        write_begin_(write_begin),
        postgresql_(postgresql) {}
  ~SqlUnitOfWork() override { rollback(); }

  void begin() override {
    reconnect_if_lost();
    transaction_.begin(write_begin_);
  }
  // WAL readers see the last commit and never wait for the seat path's write transactions.
  void begin_read() override {
    reconnect_if_lost();
    transaction_.begin("BEGIN");
  }
  void commit() override { transaction_.commit(); }
  void rollback() noexcept override { transaction_.rollback(); }

  domain::AccountRepository& accounts() override { return *accounts_; }
  domain::CustomerRepository& customers() override { return *customers_; }
  domain::UserRepository& users() override { return *users_; }
  domain::ConsoleSessionRepository& console_sessions() override { return *console_sessions_; }
  domain::LicenseRepository& licenses() override { return *licenses_; }
  domain::LeaseRepository& leases() override { return *leases_; }
  domain::UsageRepository& usage() override { return *usage_; }
  domain::DenialRepository& denials() override { return *denials_; }
  domain::UsageRollupRepository& usage_rollups() override { return *usage_rollups_; }
  domain::ProductLifecycleRepository& lifecycles() override { return *lifecycles_; }
  domain::PlanRepository& plans() override { return *plans_; }
  domain::KeyRepository& keys() override { return *keys_; }
  domain::PoolRepository& pools() override { return *pools_; }
  domain::BrandingRepository& branding() override { return *branding_; }
  domain::SitePolicyRepository& policies() override { return *policies_; }
  domain::SigningKeyRepository& signing_keys() override { return *signing_keys_; }
  domain::EntitlementRepository& entitlements() override { return *entitlements_; }
  domain::AuditLog& audit() override { return *audit_; }
  domain::EventRepository& events() override { return *events_; }
  domain::WebhookRepository& webhooks() override { return *webhooks_; }

 private:
  // After a PostgreSQL restart the call that found the connection broken failed (503); the next
  // one connects again. The repositories' statements live for one call only, so nothing else
  // needs renewing.
  void reconnect_if_lost() {
    if (postgresql_ && !sql_->is_connected()) {
      guarded("reconnect to PostgreSQL", [&] {
        sql_->reconnect();
        configure_postgresql_session(*sql_);
      });
    }
  }

  std::unique_ptr<soci::session> sql_;
  std::unique_ptr<StoredSecrets> secrets_;
  const char* write_begin_;
  bool postgresql_ = false;
  SessionTransaction transaction_{*sql_};
  std::unique_ptr<domain::AccountRepository> accounts_ = sql_account_repository(*sql_);
  std::unique_ptr<domain::CustomerRepository> customers_ = sql_customer_repository(*sql_);
  std::unique_ptr<domain::UserRepository> users_ = sql_user_repository(*sql_);
  std::unique_ptr<domain::ConsoleSessionRepository> console_sessions_ =
      sql_console_session_repository(*sql_);
  std::unique_ptr<domain::LicenseRepository> licenses_ = sql_license_repository(*sql_, *secrets_);
  std::unique_ptr<domain::LeaseRepository> leases_ = sql_lease_repository(*sql_);
  std::unique_ptr<domain::UsageRepository> usage_ = sql_usage_repository(*sql_);
  std::unique_ptr<domain::DenialRepository> denials_ = sql_denial_repository(*sql_);
  std::unique_ptr<domain::UsageRollupRepository> usage_rollups_ =
      sql_usage_rollup_repository(*sql_);
  std::unique_ptr<domain::ProductLifecycleRepository> lifecycles_ =
      sql_product_lifecycle_repository(*sql_);
  std::unique_ptr<domain::PlanRepository> plans_ = sql_plan_repository(*sql_);
  std::unique_ptr<domain::KeyRepository> keys_ = sql_key_repository(*sql_, *secrets_);
  std::unique_ptr<domain::PoolRepository> pools_ = sql_pool_repository(*sql_);
  std::unique_ptr<domain::BrandingRepository> branding_ = sql_branding_repository(*sql_);
  std::unique_ptr<domain::SitePolicyRepository> policies_ = sql_site_policy_repository(*sql_);
  std::unique_ptr<domain::SigningKeyRepository> signing_keys_ =
      sql_signing_key_repository(*sql_, *secrets_);
  std::unique_ptr<domain::EntitlementRepository> entitlements_ = sql_entitlement_repository(*sql_);
  std::unique_ptr<domain::AuditLog> audit_ = sql_audit_log(*sql_);
  std::unique_ptr<domain::EventRepository> events_ = sql_event_repository(*sql_);
  std::unique_ptr<domain::WebhookRepository> webhooks_ = sql_webhook_repository(*sql_, *secrets_);
};

}  // namespace

std::unique_ptr<domain::UnitOfWork> open_unit_of_work(const Options& storage, Env& env) {
  if (storage.backend == Backend::postgresql)
    return std::make_unique<SqlUnitOfWork>(open_postgresql_session(storage, env), "BEGIN", true);
  return std::make_unique<SqlUnitOfWork>(open_sqlite_session(storage, env), "BEGIN IMMEDIATE",
                                         false);
}

}  // namespace lmp::storage
