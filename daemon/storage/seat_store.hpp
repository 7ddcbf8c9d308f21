// The storage interface of the seat path and of the first admin commands: customers, licenses,
// activations and leases. One SeatStore is one database session; it is used by one thread at a
// time. Every seat decision reads and writes through it inside one transaction, which is what
// lets a shared PostgreSQL backend follow without over-committing (docs/architecture.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.hpp"
#include "domain/audit_record.hpp"
#include "domain/license.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/signing_key.hpp"
#include "domain/site_policy_repository.hpp"
#include "domain/store_error.hpp"
#include "domain/unit_type.hpp"
#include "domain/usage_record.hpp"
#include "storage/storage_options.hpp"

namespace lmp::storage {

class DatabaseNews;

// The domain's repository errors (domain/store_error.hpp): the seat store fails the same way.
using domain::DuplicateError;
using domain::StoreError;

struct LicenseRecord {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string customer_name;
  std::string product_code;
  std::int64_t units = 0;
  domain::UnitType unit = domain::UnitType::seats;
  std::int64_t starts_at_ms = 0;  // Unix ms; the license is not usable before
  // Unix ms; the license's own expiry, or its cut-off when that came first.
  std::int64_t expires_at_ms = 0;
  std::int64_t created_at_ms = 0;
  bool trial = false;
  std::int64_t grace_ms = 0;  // after expires_at_ms it still serves this long (not after a cut-off)
  std::int64_t notice_days = 0;  // the days before expiry in which it is `expiring`
  // When its customer's disabling or its partner's cancellation ended it.
  std::optional<std::int64_t> cut_off_at_ms;
  // The time up to which it has been judged: its own mark or the server's, whichever is later
  // (domain::License::clock_mark_ms); the seat path judges it no earlier.
  std::int64_t clock_mark_ms = 0;
  std::string scope;  // its customer's place in the account tree (domain::License::scope)
};

using domain::NewLicense;
using domain::StoredLifecycle;

struct ProductLeaseTotals {
  std::string product_code;
  std::int64_t leases = 0;
  std::int64_t units = 0;
};

struct LeaseRecord {
  // The lease id handed to the client: 32 lowercase hex digits (128 random bits). The database
  // keeps it under a keyed row key with the id sealed (storage/stored_secrets.hpp): a copy of
  // the file alone names no lease a client could heartbeat or check in, while the server can
  // still hand a holder's repeated checkout its id back.
  std::string id;
  std::int64_t license_id = 0;
  std::string product_code;
  std::string holder;  // the family's holder key; empty for anonymous leases
  // What the lease keeps of the holder_key it was checked out with (SeatStore::holder_proof);
  // empty when it came without one (or without a holder), and then anyone naming the holder
  // reuses it.
  std::string holder_proof;
  std::int64_t units = 0;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  // Who holds it, for the admin API and the usage records (domain/lease.hpp): the public
  // reference (16 hex digits, random; never the id), the user and host the checkout named, the
  // client address it came from and the last heartbeat (or repeated checkout).
  std::string ref;
  std::string user;
  std::string host;
  std::string peer;
  std::int64_t heartbeat_at_ms = 0;
  bool borrowed = false;
  // Checked in and held for its holder until expires_at_ms (a site policy's linger): it counts
  // as in use and its holder's next checkout takes it back, but it is no client's lease to
  // heartbeat or check in any more.
  bool lingering = false;
  // The instance that granted it (`server.instance_id`). Written with the lease; nothing on the
  // seat path reads it back, so the caching store leaves it empty in what it returns.
  std::string instance;
};

// What a live lease holds, as a site policy's limits count it (no lease id: nothing to unseal).
struct Holding {
  std::int64_t units = 0;
  std::string user;
  std::string host;
  std::string peer;
};

// A license's counter of the units its stored leases hold (licenses.units_held, PostgreSQL,
// moved by the database with every lease change), beside the sum over those leases, both read in
// one snapshot: a consistency check compares them.
struct UnitsHeldCount {
  std::int64_t license_id = 0;
  std::int64_t counter = 0;
  std::int64_t leases = 0;
};

// Makes transactions that already committed durable. Thread-safe: meant to run on a thread of
// its own while the store's thread goes on with the next transaction.
class DurabilitySync {
 public:
  virtual ~DurabilitySync() = default;
  // Returns true once every transaction committed before the call is on disk. False when the
  // flush failed (logged): what was committed since the last good flush may be lost, and the
  // kernel may have dropped the pages it failed to write, so that no later flush can be trusted
  // to cover them. The caller must then stop acknowledging anything.
  [[nodiscard]] virtual bool sync() = 0;
};

class SeatStore {
 public:
  virtual ~SeatStore() = default;

  // By default commit() returns once the transaction is durable. A caller that would rather
  // overlap the disk flush with its next transaction takes the flush over: from then on
  // commit() only orders the write, and the returned object's sync() makes it durable.
  // nullptr when there is nothing to take over (durability is configured off, or the backend's
  // commit cannot be split).
  virtual std::shared_ptr<DurabilitySync> detach_durability() { return nullptr; }

  // One write transaction. SQLite takes the write lock at begin() (BEGIN IMMEDIATE), so a
  // decision made inside sees every committed change and no other writer can interleave.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // REQUIRES: inside begin()/commit(). Serialises decisions on one license between sessions,
  // and on its customer's other licenses of the same product with it, since a site policy counts
  // its max and reserve over all of them (PostgreSQL: SELECT ... FOR UPDATE on those rows, in id
  // order so that two sessions never wait for each other). A no-op on SQLite, whose begin()
  // already excludes every other writer. PostgreSQL takes the lock with the store's next
  // statement, before that statement reads or writes anything (a checkout's count of units in
  // use: one round trip for both), so every read a decision makes after this call sees the
  // license locked.
  //
  // On PostgreSQL the lease and usage writes below (insert_lease to delete_lease, append_usage)
  // are held back in the same way and sent together with the next statement that must see them,
  // or at commit() (docs/scale-out.md "One round trip per batch"): a failure of one then shows
  // as a StoreError of that later call, and the transaction fails as a whole either way.
  virtual void lock_license(std::int64_t license_id) = 0;

  // `code_hash` is the code's SHA-256 (sha256_hex of the normalized code); the store keys it
  // with the server secret before it looks (storage/stored_secrets.hpp), here and below.
  virtual std::optional<LicenseRecord> find_license_by_code_hash(const std::string& code_hash) = 0;
  virtual std::optional<LicenseRecord> find_license(std::int64_t license_id) = 0;
  // The customer's licenses of the product, by id, whatever their state (a site policy's pool:
  // domain::LicensePool).
  virtual std::vector<LicenseRecord> customer_licenses(std::int64_t customer_id,
                                                       const std::string& product_code) = 0;
  // The product of a license deleted at its product's End of Life, by its code hash.
  virtual std::optional<std::string> find_retired_product(const std::string& code_hash) = 0;
  // Every product lifecycle row (a few at most); it changes with the license generation.
  virtual std::vector<StoredLifecycle> product_lifecycles() = 0;

  // Sum of units of the license's leases with expires_at_ms > now_ms.
  virtual std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) = 0;

  // Up to `limit` licenses with an id above `after_license_id`, in id order, each with its
  // counter of units held and the sum over its stored leases (a slice of the consistency check;
  // docs/scale-out.md "Units held"). Empty where no counter is kept (SQLite: its one lmpd counts
  // units in memory, from the leases themselves).
  virtual std::vector<UnitsHeldCount> units_held_counts(std::int64_t after_license_id,
                                                        int limit) = 0;

  // Sum of units of the license's borrowed leases with expires_at_ms > now_ms (a site policy's
  // borrow.max_units counts them).
  virtual std::int64_t borrowed_units(std::int64_t license_id, std::int64_t now_ms) = 0;
  // The server's signing key that signs now, private key included (domain::SigningKeyRepository::
  // active), read in this transaction so that a rotation by any instance is seen at once; nullopt
  // when there is none.
  virtual std::optional<domain::SigningKey> active_signing_key() = 0;
  // Notes that key `kid` signed a token valid until `exp_ms`, in this transaction (a retired
  // key stays published until then).
  virtual void note_signed(const std::string& kid, std::int64_t exp_ms) = 0;

  // The live lease (expires_at_ms > now_ms) that `holder` holds on the license for the product;
  // the one expiring last when there are several. REQUIRES: `holder` is not empty (anonymous
  // leases have no holder to find).
  virtual std::optional<LeaseRecord> find_live_lease_by_holder(std::int64_t license_id,
                                                               const std::string& product_code,
                                                               const std::string& holder,
                                                               std::int64_t now_ms) = 0;
  // The form in which a lease keeps a client's holder_key: a digest, never the key itself. Equal
  // keys give equal proofs, in every session on the database; an empty key gives "".
  virtual std::string holder_proof(std::string_view holder_key) = 0;
  // The lease with this id, live or not yet reclaimed.
  virtual std::optional<LeaseRecord> find_lease(const std::string& id) = 0;
  // The open transaction will ask find_lease for these ids (a batch's heartbeats and checkins): a
  // store that pays a round trip per read may read them all in one, and answer each first ask
  // from what it read unless the transaction wrote that lease since. Answers stay the same.
  virtual void expect_leases(const std::vector<std::string>& ids) { (void)ids; }
  virtual void insert_lease(const LeaseRecord& lease) = 0;
  virtual void set_lease_expiry(const std::string& id, std::int64_t expires_at_ms) = 0;
  // A heartbeat (or a repeated checkout): the new expiry and the time of the heartbeat. A
  // lingering lease so renewed is its holder's again (no longer lingering).
  virtual void renew_lease(const std::string& id, std::int64_t expires_at_ms,
                           std::int64_t heartbeat_at_ms) = 0;
  // A checkin that lingers: the lease is kept, lingering, until `until_ms`.
  virtual void linger_lease(const std::string& id, std::int64_t until_ms) = 0;
  virtual void delete_lease(const std::string& id) = 0;

  // The live-or-not-yet-reclaimed lease with this public reference. PostgreSQL locks its row
  // (FOR UPDATE), so two instances releasing one lease do it one after the other.
  virtual std::optional<LeaseRecord> find_lease_by_ref(const std::string& ref) = 0;
  // Remembers that `lease` (deleted in this transaction) was released for `reason`, so that its
  // id answers `lease_revoked` until `until_ms`. Remembering one lease twice keeps the first.
  virtual void revoke_lease(const LeaseRecord& lease, const std::string& reason,
                            std::int64_t now_ms, std::int64_t until_ms) = 0;
  // Why the lease with this id was released, while that is remembered at `now_ms`.
  virtual std::optional<std::string> find_revoked_lease(const std::string& id,
                                                        std::int64_t now_ms) = 0;
  // Forgets at most `limit` releases remembered no longer than `now_ms`; returns how many.
  virtual std::int64_t forget_revoked_leases(std::int64_t now_ms, int limit) = 0;
  // Appends to the audit log in this transaction (a release is audited with the change itself).
  virtual void append_audit(const domain::AuditRecord& record) = 0;
  // Appends a usage record in this transaction: it commits or rolls back with the seat change it
  // describes.
  virtual void append_usage(const domain::UsageRecord& record) = 0;
  // Deletes at most `limit` usage records older than `before_ms`, oldest first; returns how many.
  virtual std::int64_t prune_usage(std::int64_t before_ms, int limit) = 0;

  // Deletes at most `limit` leases with expires_at_ms <= now_ms and returns them.
  virtual std::vector<LeaseRecord> reclaim_expired(std::int64_t now_ms, int limit) = 0;
  // Number of leases stored, live or not yet reclaimed.
  virtual std::int64_t lease_count() = 0;
  // Calls `visit` for every stored lease, in no particular order (loading a cache at startup).
  virtual void for_each_lease(const std::function<void(const LeaseRecord&)>& visit) = 0;
  // Leases and units stored for each product, live or not yet reclaimed (the metrics' seeding
  // at every start and after End-of-Life deletions): a sum, not a visit of every lease.
  virtual std::vector<ProductLeaseTotals> lease_totals_by_product() = 0;

  // A counter that every change to a license row increases (creation included), so a cache of
  // license rows can tell cheaply, once per transaction, whether it is still current.
  virtual std::int64_t license_generation() = 0;
  // A counter that every change to a site policy moves (domain::SitePolicyRepository), so the
  // seat path compiles the policies again only when they changed. Read once per transaction
  // (the caching store at begin(), the SQL store at the first call inside it).
  virtual std::int64_t policy_generation() = 0;
  // Every customer's stored site policies (read when the generation moved).
  virtual std::vector<domain::StoredPolicy> site_policies() = 0;
  // What the license's live leases (expires_at_ms > now_ms) hold, summed per user, host and
  // address (a policy's rules ask who holds how much, and many leases share a holder), in no
  // particular order.
  virtual std::vector<Holding> live_holdings(std::int64_t license_id, std::int64_t now_ms) = 0;

  // A counter that moves when leases are deleted outside the seat path (an End-of-Life
  // deletion), so a cache of leases knows to load them again.
  virtual std::int64_t lease_purge() = 0;
  // The leases that such a deletion removed, as a cache of leases found out since the last call
  // (so the seat path can count them out and answer their waiters); empty for a store that keeps
  // no leases in memory.
  virtual std::vector<LeaseRecord> take_purged_leases() { return {}; }

  // On a shared database, which licenses `instance` has waiters for: while a row says so, a
  // session that frees units of the license, or of another of its customer's licenses of the
  // product, notifies DatabaseListener's channel (docs/scale-out.md, "Waiters across
  // instances"). In the transaction that queued or answered the waiters. A store of one
  // instance's database has nobody to tell: nothing.
  virtual void advertise_waiters(const std::string& instance, std::int64_t license_id, bool waiting,
                                 std::int64_t now_ms) {
    (void)instance, (void)license_id, (void)waiting, (void)now_ms;
  }
  // At start: the rows an earlier run of `instance` left (its waiters went with it).
  virtual void forget_advertised_waiters(const std::string& instance) { (void)instance; }

  // On a shared database, what the database listener hears: lease_purge(), policy_generation()
  // and product_lifecycles() are then kept from one transaction to the next until it says they
  // changed (or a second passed). Without it they are read in every transaction. Call before
  // the first transaction.
  virtual void set_database_news(std::shared_ptr<const DatabaseNews> news) { (void)news; }

  // The durable high-water marks of the wall clock (docs/architecture.md, "Time"). A mark only
  // moves forward: writing an earlier time than the stored one changes nothing, so instances on
  // one database whose clocks differ a little never move each other's marks back.
  // The server's mark (0 on a new database); read at start.
  virtual std::int64_t server_clock_mark() = 0;
  virtual void advance_server_clock_mark(std::int64_t mark_ms) = 0;
  // REQUIRES: inside begin()/commit(). The license's own mark; its rows read afterwards show it
  // once the transaction has committed.
  virtual void advance_license_clock_mark(std::int64_t license_id, std::int64_t mark_ms) = 0;

  virtual void record_activation(std::int64_t license_id, const std::string& host,
                                 const std::string& user, std::int64_t now_ms) = 0;
  virtual std::int64_t activation_count(std::int64_t license_id) = 0;

  // Administration. Each runs in its own transaction when called outside begin()/commit().
  // create_customer throws DuplicateError when the name exists.
  virtual std::int64_t create_customer(const std::string& name, std::int64_t now_ms) = 0;
  virtual std::optional<std::int64_t> find_customer(const std::string& name) = 0;
  // Throws DuplicateError when the code hash exists (the caller draws a new code).
  virtual std::int64_t create_license(const NewLicense& license) = 0;
  virtual std::vector<LicenseRecord> list_licenses() = 0;
};

// Opens (creating if needed) the SQLite database named by the config, sets WAL and the
// configured `synchronous` level, and brings the schema to the current version. The flush it
// hands over (detach_durability) goes through `env`, which must outlive the store.
std::unique_ptr<SeatStore> open_sqlite(const Options& storage, Env& env = Env::posix());

// Connects to the PostgreSQL database of the config's connection string, makes every commit
// durable before it returns (synchronous_commit=on) and brings the schema to the current
// version; several instances may do this at once. The server secret is read through `env`.
std::unique_ptr<SeatStore> open_postgresql(const Options& storage, Env& env = Env::posix());

// The configured backend's store.
std::unique_ptr<SeatStore> open_store(const Options& storage, Env& env = Env::posix());

}  // namespace lmp::storage
