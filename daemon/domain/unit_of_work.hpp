// One database session of the domain: its transaction and the repositories that work inside it,
// so that an operation's checks, its change and its audit record commit together or not at all.
// Storage implements it (storage/sql_unit_of_work.hpp).
#pragma once

#include "domain/account_repository.hpp"
#include "domain/audit_log.hpp"
#include "domain/branding_repository.hpp"
#include "domain/console_session_repository.hpp"
#include "domain/customer_repository.hpp"
#include "domain/denial_repository.hpp"
#include "domain/entitlement_repository.hpp"
#include "domain/event_repository.hpp"
#include "domain/key_repository.hpp"
#include "domain/lease_repository.hpp"
#include "domain/license_repository.hpp"
#include "domain/plan_repository.hpp"
#include "domain/pool_repository.hpp"
#include "domain/product_lifecycle_repository.hpp"
#include "domain/signing_key_repository.hpp"
#include "domain/site_policy_repository.hpp"
#include "domain/store_error.hpp"
#include "domain/usage_repository.hpp"
#include "domain/usage_rollup_repository.hpp"
#include "domain/user_repository.hpp"
#include "domain/webhook_repository.hpp"

namespace lmp::domain {

// Thread safety: one thread at a time (one database session). The repositories REQUIRE an open
// transaction and live as long as the unit of work. Throws StoreError when the database fails.
class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;

  virtual void begin() = 0;       // a write transaction (SQLite: BEGIN IMMEDIATE)
  virtual void begin_read() = 0;  // a read-only one, which never waits for the seat path
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  virtual AccountRepository& accounts() = 0;
  virtual CustomerRepository& customers() = 0;
  virtual UserRepository& users() = 0;
  virtual ConsoleSessionRepository& console_sessions() = 0;
  virtual LicenseRepository& licenses() = 0;
  virtual LeaseRepository& leases() = 0;
  virtual UsageRepository& usage() = 0;
  virtual DenialRepository& denials() = 0;
  virtual UsageRollupRepository& usage_rollups() = 0;
  virtual ProductLifecycleRepository& lifecycles() = 0;
  virtual PlanRepository& plans() = 0;
  virtual KeyRepository& keys() = 0;
  virtual PoolRepository& pools() = 0;
  virtual BrandingRepository& branding() = 0;
  virtual SitePolicyRepository& policies() = 0;
  virtual SigningKeyRepository& signing_keys() = 0;
  virtual EntitlementRepository& entitlements() = 0;
  virtual AuditLog& audit() = 0;
  virtual EventRepository& events() = 0;
  virtual WebhookRepository& webhooks() = 0;
};

enum class TransactionMode { read, write };

// A transaction as a scope: begun by the constructor, rolled back by the destructor unless
// committed. Not copyable.
class Transaction {
 public:
  Transaction(UnitOfWork& db, TransactionMode mode) : db_(db) {
    mode == TransactionMode::write ? db_.begin() : db_.begin_read();
  }
  ~Transaction() {
    if (open_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // A failed COMMIT may leave the transaction open: the destructor then rolls it back.
  void commit() {
    db_.commit();
    open_ = false;
  }

 private:
  UnitOfWork& db_;
  bool open_ = true;
};

}  // namespace lmp::domain
