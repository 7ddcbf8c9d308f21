// The storage of the account tree for the admin API and `lmpd admin init`: accounts, partner
// permissions, customers, users, token hashes, the append-only audit log, and cutting licenses
// off when a customer is disabled or a partner canceled. Its own database session, so admin work
// never waits on (or blocks) the seat path's session longer than one short transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/audit_record.hpp"
#include "domain/branding.hpp"
#include "domain/customer.hpp"
#include "domain/license.hpp"
#include "domain/page.hpp"
#include "domain/partner_pool.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/registration_key.hpp"
#include "domain/service_plan.hpp"
#include "domain/token.hpp"
#include "domain/user.hpp"
#include "storage/seat_store.hpp"

namespace lmp::storage {

using domain::Account;
using domain::AccountKind;
using domain::AccountStatus;
using domain::AuditRecord;
using domain::Branding;
using domain::Customer;
using domain::CustomerStatus;
using domain::KeyStatus;
using domain::License;
using domain::Page;
using domain::PartnerPool;
using domain::RegistrationKey;
using domain::RetiredLicense;
using domain::ServicePlan;
using domain::Token;
using domain::User;

struct AuditFilter {
  std::string scope_prefix;             // records of objects in this subtree only
  std::string action;                   // "" for any
  std::string object;                   // "" for any
  std::optional<std::int64_t> from_ms;  // at_ms >= from_ms
  std::optional<std::int64_t> to_ms;    // at_ms < to_ms
};

struct LicenseFilter {
  std::string scope_prefix;  // licenses of customers in this subtree
  std::optional<std::int64_t> customer_id;
  std::string product;  // "" for any
};

// The rows an End-of-Life deletion removed, by table.
struct EndOfLifeDeletion {
  std::int64_t licenses = 0;
  std::int64_t activations = 0;
  std::int64_t leases = 0;
};

// Thread safety: one thread at a time (one SOCI session). Every method but begin/commit/rollback
// REQUIRES an open transaction, so each API call is one transaction: its checks, its change and
// its audit record commit together or not at all. Throws StoreError (seat_store.hpp) when the
// database fails, DuplicateError when a unique name exists.
class DomainStore {
 public:
  // Opens its own session on the configured SQLite file (WAL, busy timeout, migrations).
  static std::unique_ptr<DomainStore> open(const Options& storage);
  virtual ~DomainStore() = default;

  virtual void begin() = 0;       // a write transaction (SQLite: BEGIN IMMEDIATE)
  virtual void begin_read() = 0;  // a read-only one, which never waits for the seat path
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  virtual std::optional<Account> root_account() = 0;
  virtual std::optional<Account> find_account(std::int64_t id) = 0;
  // Every account whose path is a prefix of `path` (the account itself and its ancestors).
  virtual std::vector<Account> accounts_on_path(const std::string& path) = 0;
  // A new account under `parent` (none: the parent account itself).
  virtual Account create_account(AccountKind kind, const std::string& name, const Account* parent,
                                 std::int64_t now_ms) = 0;
  // The accounts strictly below the one with path `path`.
  virtual std::vector<Account> list_accounts_below(const std::string& path, Page page) = 0;
  virtual void set_account_status(std::int64_t id, AccountStatus status, std::int64_t now_ms) = 0;
  virtual std::set<std::string> permissions(std::int64_t account_id) = 0;
  virtual void set_permissions(std::int64_t account_id, const std::set<std::string>& names) = 0;

  virtual std::optional<Customer> find_customer(std::int64_t id) = 0;
  virtual std::optional<Customer> find_customer_by_name(const std::string& name) = 0;
  // Under `owner`; without one under the parent account (before the first run: under none,
  // until the first run adopts it). The result's scope is then "/c<id>/".
  virtual Customer create_customer(const std::string& name, const Account* owner,
                                   std::int64_t now_ms) = 0;
  // Returns the new license's id; DuplicateError when the code hash exists (draw a new code).
  virtual std::int64_t create_license(const NewLicense& license) = 0;
  // Customers of every account in the subtree of `path`.
  virtual std::vector<Customer> list_customers_under(const std::string& path, Page page) = 0;
  virtual void set_customer_status(std::int64_t id, CustomerStatus status, std::int64_t now_ms) = 0;
  // Legacy customers (created before the parent account) are put under it.
  virtual void adopt_orphan_customers(std::int64_t parent_id) = 0;

  // Licenses end at `at_ms` (when they would run longer) without touching their dates; each
  // returns how many licenses changed and moves the license generation, so the seat path's
  // cache sees it in the same transaction.
  virtual std::int64_t cut_off_customer_licenses(std::int64_t customer_id, std::int64_t at_ms) = 0;
  virtual std::int64_t cut_off_licenses_under(const std::string& path, std::int64_t at_ms) = 0;
  // Undoes a customer's cut-off: its licenses run on their own dates again.
  virtual std::int64_t restore_customer_licenses(std::int64_t customer_id) = 0;
  virtual std::int64_t license_count(std::int64_t customer_id) = 0;

  virtual std::optional<License> find_license(std::int64_t id) = 0;
  virtual std::vector<License> list_licenses(const LicenseFilter& filter, Page page) = 0;
  // Writes the license's terms (units, dates, trial, grace, notice, auto-renewal) and moves the
  // license generation, so the seat path sees the change in its next transaction.
  virtual void update_license(const License& license) = 0;
  // Units of the license's leases that are live at `now_ms`.
  virtual std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) = 0;
  virtual std::optional<RetiredLicense> find_retired_license(std::int64_t id) = 0;

  // Product lifecycle dates set through the API (the config's are in the catalog).
  virtual std::vector<StoredLifecycle> product_lifecycles() = 0;
  // Sets the API's End-of-Sale / End-of-Life date of the product (creating its row) and moves
  // the license generation, so every instance's seat path reads the lifecycle again.
  virtual void set_end_of_sale(const std::string& product_code, std::int64_t at_ms) = 0;
  virtual void set_end_of_life(const std::string& product_code, std::int64_t at_ms) = 0;
  // Marks the product's data deleted at `now_ms` unless it already is; true when this call did
  // (so exactly one transaction, of one instance, goes on to delete). On PostgreSQL the row lock
  // makes a concurrent claim wait for this transaction and then find the mark.
  virtual bool claim_end_of_life_deletion(const std::string& product_code, std::int64_t now_ms) = 0;
  // Deletes every license of the product with its activations and leases, keeping a retired row
  // per license; moves the license generation and the lease purge counter.
  virtual EndOfLifeDeletion delete_product_data(const std::string& product_code) = 0;

  virtual User create_user(const std::string& name, std::optional<std::int64_t> account_id,
                           std::optional<std::int64_t> customer_id, std::int64_t now_ms) = 0;
  virtual std::optional<User> find_user(std::int64_t id) = 0;
  virtual std::vector<User> list_users(std::optional<std::int64_t> account_id,
                                       std::optional<std::int64_t> customer_id, Page page) = 0;
  // Stores the token's hash; DuplicateError when it exists (the caller draws again).
  virtual Token create_token(std::int64_t user_id, const std::string& token_hash,
                             std::int64_t now_ms) = 0;
  // The token with this hash, revoked or not.
  virtual std::optional<Token> find_token_by_hash(const std::string& token_hash) = 0;
  virtual std::optional<Token> find_token(std::int64_t id) = 0;
  virtual void revoke_token(std::int64_t id, std::int64_t now_ms) = 0;

  // Plans visible from `scope`: owned by an account on the path to it or below it; `product`
  // "" for every product. DuplicateError when the name exists.
  virtual ServicePlan create_plan(const ServicePlan& plan) = 0;
  virtual std::optional<ServicePlan> find_plan(std::int64_t id) = 0;
  virtual std::vector<ServicePlan> list_plans(const std::string& scope, const std::string& product,
                                              Page page) = 0;
  virtual void update_plan(const ServicePlan& plan) = 0;

  // DuplicateError when the hash exists (draw another key).
  virtual std::int64_t create_key(const RegistrationKey& key) = 0;
  virtual std::optional<RegistrationKey> find_key(std::int64_t id) = 0;
  virtual std::optional<RegistrationKey> find_key_by_hash(const std::string& key_hash) = 0;
  // Keys issued by the accounts in the subtree of `path`.
  virtual std::vector<RegistrationKey> list_keys_under(const std::string& path, Page page) = 0;
  // Moves an `issued` key to `status` ("redeemed" or "voided"); false when it was not issued
  // any more (a concurrent call won): a conditional update, so exactly one caller succeeds.
  virtual bool leave_issued(std::int64_t id, KeyStatus status, std::int64_t now_ms) = 0;
  virtual void set_key_redemption(std::int64_t id, std::int64_t customer_id,
                                  std::int64_t license_id) = 0;

  virtual void set_pool(std::int64_t account_id, const std::string& product,
                        std::int64_t assigned) = 0;
  virtual std::optional<PartnerPool> find_pool(std::int64_t account_id,
                                               const std::string& product) = 0;
  virtual std::vector<PartnerPool> list_pools(std::int64_t account_id) = 0;
  // Adds `units` to drawn unless that crosses assigned (negative units give back); false when it
  // would, or when there is no pool. A conditional update, safe under concurrent draws.
  virtual bool change_drawn(std::int64_t account_id, const std::string& product,
                            std::int64_t units) = 0;

  virtual std::optional<Branding> find_branding(std::int64_t account_id) = 0;
  // Replaces the account's branding (creates it the first time).
  virtual void set_branding(const Branding& branding) = 0;

  // Appends; there is no way to change or remove a record (and SQLite triggers refuse it).
  virtual void append_audit(const AuditRecord& record) = 0;
  virtual std::vector<AuditRecord> query_audit(const AuditFilter& filter, Page page) = 0;
};

}  // namespace lmp::storage
