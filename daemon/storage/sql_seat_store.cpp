// The SQL SeatStore on SQLite (WAL journal, BEGIN IMMEDIATE) and on PostgreSQL (row locks, shared
// by several lmpd instances): one SOCI session per store, statements prepared once.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/log.hpp"
#include "core/log_throttle.hpp"
#include "storage/database_news.hpp"
#include "storage/license_rows.hpp"
#include "storage/pending_seat_writes.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_session.hpp"
#include "storage/sqlite_statement.hpp"
#include "storage/sqlite_usage_appender.hpp"
#include "storage/transaction_license_cache.hpp"
#include "storage/usage_record_ids.hpp"

namespace lmp::storage {
namespace {

constexpr std::string_view kLeaseColumns =
    "SELECT id, sealed_id, license_id, product_code, holder, holder_proof, units, issued_at_ms,"
    " expires_at_ms, ref, user_name, host, peer, heartbeat_at_ms, borrowed, instance, lingering"
    " FROM leases";

constexpr const char* kInsertLease =
    "INSERT INTO leases (id, sealed_id, license_id, product_code, holder, holder_proof, units,"
    " issued_at_ms, expires_at_ms, ref, user_name, host, peer, heartbeat_at_ms, borrowed,"
    " instance) VALUES (:id, :sealed_id, :license_id, :product_code, :holder, :holder_proof,"
    " :units, :issued_at_ms, :expires_at_ms, :ref, :user_name, :host, :peer, :heartbeat_at_ms,"
    " :borrowed, :instance)";
constexpr const char* kRenewLease =
    "UPDATE leases SET expires_at_ms = :expires_at_ms, heartbeat_at_ms = :heartbeat_at_ms,"
    " lingering = 0 WHERE id = :id";
constexpr const char* kDeleteLease = "DELETE FROM leases WHERE id = :id";

// kLeaseColumns with every column named through the alias `le`, for a query that joins the
// leases with their licenses (whose columns share some of the names).
std::string joined_lease_columns() {
  constexpr std::string_view kSelect = "SELECT ";
  constexpr std::string_view kFrom = " FROM leases";
  std::string_view names = kLeaseColumns.substr(kSelect.size());
  names.remove_suffix(kFrom.size());
  std::string out(kSelect);
  for (std::size_t at = 0; at <= names.size();) {
    const std::size_t comma = std::min(names.find(", ", at), names.size());
    if (at != 0) out += ", ";
    out += "le.";
    out += names.substr(at, comma - at);
    at = comma + 2;
  }
  return out + " FROM leases le JOIN licenses l ON l.id = le.license_id";
}

// SOCI's SQLite backend leaves a single-row SELECT positioned on its row, and an unfinished
// statement keeps its read snapshot open: a later BEGIN IMMEDIATE on this connection would
// then fail with SQLITE_BUSY_SNAPSHOT once another process commits. Stepping once more ends
// the statement. Every caller selects at most one row, so the extra step never overwrites
// the fetched values.
bool execute_single_row(soci::statement& statement) {
  const bool found = statement.execute(true);
  if (found) statement.fetch();
  return found;
}

// Flushes the WAL file, where every commit's frames land, through a file of its own opened with
// the Env: fdatasync acts on the file, whichever descriptor names it, so the SQLite connection
// can go on committing meanwhile. The file stays open. Opening it for each flush would cost two
// system calls per batch and, worse, fail while the process is out of descriptors (a flood of
// connections), when it could only stop. SQLite keeps the WAL file while lmpd's connection is
// open; should another file take its name all the same, that one is opened. The first flush of
// each WAL file also flushes its folder, held open from the start as well: SQLite at
// `synchronous=NORMAL` never does, and a file created since the folder was last flushed may lose
// its name, and every frame in it, on a power loss however often its data was flushed.
class WalSync final : public DurabilitySync {
 public:
  // Opens the WAL file now, while descriptors are to be had.
  WalSync(Env& env, std::string database_path)
      : env_(env),
        wal_path_(database_path + "-wal"),
        folder_(std::filesystem::path(database_path).parent_path().string()),
        database_path_(std::move(database_path)) {
    if (folder_.empty()) folder_ = ".";
    (void)env_.open_for_sync(wal_path_, wal_);
    (void)env_.open_for_sync(folder_, folder_file_);
  }

  bool sync() override {
    for (;;) {
      const std::error_code error = flush();
      if (!error) return true;
      if (error != std::errc::too_many_files_open &&
          error != std::errc::too_many_files_open_in_system) {
        // After a failed flush the kernel may have dropped the dirty pages: nothing committed
        // since the last good flush can be trusted, and the caller stops acknowledging.
        log::error("storage_sync_failed", {{"path", database_path_}, {"error", error.message()}});
        return false;
      }
      // Out of descriptors: nothing committed since the last flush is answered until this one
      // is done, so wait for a descriptor to come free (connections closing) instead of stopping.
      log::write_throttled(waiting_log_, log::Level::warning, "storage_sync_waiting",
                           {{"path", wal_path_}, {"error", error.message()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  // One identify per flush tells whether the file at the WAL's name is still the one held open.
  std::error_code flush() {
    FileIdentity named;
    if (const std::error_code error = env_.identify(wal_path_, named)) {
      if (error != std::errc::no_such_file_or_directory) return error;
      wal_.reset();
      return flush_database();
    }
    if (wal_ && wal_->identity() != named) wal_.reset();
    if (!wal_) {
      if (const std::error_code error = env_.open_for_sync(wal_path_, wal_))
        return error == std::errc::no_such_file_or_directory ? flush_database() : error;
    }
    if (folder_flushed_for_ != wal_->identity()) {
      if (!folder_file_)
        if (const std::error_code error = env_.open_for_sync(folder_, folder_file_)) return error;
      if (const std::error_code error = folder_file_->sync()) return error;
      folder_flushed_for_ = wal_->identity();
    }
    return wal_->sync_data();
  }

  // No WAL file means no commit since it was last checkpointed and removed: the data is in the
  // database file, which is opened for this one flush (the rare case).
  std::error_code flush_database() {
    std::unique_ptr<SyncableFile> database;
    if (const std::error_code error = env_.open_for_sync(database_path_, database)) return error;
    return database->sync_data();
  }

  Env& env_;
  std::string wal_path_;
  std::string folder_;  // the database's, where SQLite creates the WAL file
  std::string database_path_;
  std::unique_ptr<SyncableFile> wal_;  // null until the WAL file could be opened
  std::unique_ptr<SyncableFile> folder_file_;
  FileIdentity folder_flushed_for_;  // the WAL file whose name the folder's flush made durable
  log::Throttle waiting_log_{log::kFloodBurst, log::kFloodWindow};
};

// Where the two databases differ on the seat path.

class SqlSeatStore final : public SeatStore {
 public:
  // `path` and `durable` matter to SQLite only: PostgreSQL's COMMIT returns once the commit is
  // durable (synchronous_commit=on) and cannot be split from its flush.
  SqlSeatStore(Backend backend, KeyedSession session, std::string path, bool durable, Env& env)
      : backend_(backend),
        path_(std::move(path)),
        durable_(durable),
        env_(env),
        sql_(std::move(session.sql)),
        secrets_(std::move(session.secrets)) {
    guarded("preparing statements", [&] {
      prepare_statements();
      if (backend_ == Backend::sqlite) {
        sqlite_writes_ = std::make_unique<SqliteWrites>(*sql_);
        usage_at_commit_ = std::make_unique<SqliteUsageAppender>(*sql_);
      }
    });
  }

  ~SqlSeatStore() override { rollback(); }

  void begin() override {
    // A PostgreSQL restart or failover breaks the connection: the batch that found out failed
    // (its requests were answered `unavailable`); the next one connects again, or fails the
    // same way while the server is still away.
    if (backend_ == Backend::postgresql && !sql_->is_connected()) reconnect();
    if (statements_stale_) {
      guarded("preparing statements", [&] {
        st_.reset();
        prepare_statements();
      });
      statements_stale_ = false;
    }
    // SQLite: take the write lock now, not at the first write. PostgreSQL: READ COMMITTED, with
    // lock_license() serialising the decisions on one license between instances.
    licenses_read_.clear();
    expected_.clear();
    drop_pending();
    transaction_.begin(backend_ == Backend::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    policy_generation_read_ = false;
  }
  void commit() override {
    licenses_read_.clear();
    expected_.clear();
    // What is held back goes first: a failure here leaves the transaction to the caller's
    // rollback, as any failed statement of it would.
    send_pending();
    if (usage_at_commit_ && !usage_at_commit_->empty()) usage_at_commit_->write();
    transaction_.commit();
  }
  void rollback() noexcept override {
    licenses_read_.clear();
    expected_.clear();
    drop_pending();
    // A rollback ends a transaction that failed. SOCI (4.0.3) frees a bound value's text only
    // after a statement's execute() succeeds, and overwrites it at the next execute(): a
    // prepared statement that failed, run again, leaks what it was given (LeakSanitizer found
    // it). Made anew at the next begin(), the old statements free theirs.
    if (transaction_.open()) statements_stale_ = true;
    transaction_.rollback();
  }

  std::shared_ptr<DurabilitySync> detach_durability() override {
    if (!durable_ || backend_ != Backend::sqlite) return nullptr;
    // NORMAL in WAL mode still syncs around checkpoints, so the file stays consistent; the
    // per-commit flush that FULL adds is what WalSync takes over.
    guarded("detach durability", [&] { *sql_ << "PRAGMA synchronous=NORMAL"; });
    return std::make_shared<WalSync>(env_, path_);
  }

  void lock_license(std::int64_t license_id) override {
    // Checked on SQLite too, so SQLite-only tests cannot hide a call outside a transaction.
    if (!transaction_.open()) throw StoreError("lock license: no transaction is open");
    // SQLite's BEGIN IMMEDIATE already holds the database's only write lock. On PostgreSQL the
    // row lock makes every other instance's decision on this license wait for this commit, so
    // the units it counts next include the lease written here (no over-commit).
    if (backend_ == Backend::sqlite) return;
    // Held back until the next statement, which then takes the lock before it reads anything
    // (a checkout's count of units in use: the lock and the count in one round trip).
    if (pending_lock_) send_pending();
    pending_lock_ = license_id;
  }

  std::optional<LicenseRecord> find_license_by_code_hash(const std::string& code_hash) override {
    return guarded("find license by code", [&]() -> std::optional<LicenseRecord> {
      key_code_hash_ = secrets_->code_hash(code_hash);
      if (const LicenseRecord* read = licenses_read_.find_by_code(key_code_hash_)) return *read;
      send_pending_lock();
      if (!execute_single_row(st_->find_license_by_code_hash)) return std::nullopt;
      LicenseRecord row = license_from_row();
      if (transaction_.open()) licenses_read_.keep(row, key_code_hash_);
      return row;
    });
  }

  std::optional<LicenseRecord> find_license(std::int64_t license_id) override {
    return guarded("find license", [&]() -> std::optional<LicenseRecord> {
      if (const LicenseRecord* read = licenses_read_.find(license_id)) return *read;
      send_pending_lock();
      key_license_id_ = license_id;
      if (!execute_single_row(st_->find_license)) return std::nullopt;
      LicenseRecord row = license_from_row();
      if (transaction_.open()) licenses_read_.keep(row);
      return row;
    });
  }

  std::vector<LicenseRecord> customer_licenses(std::int64_t customer_id,
                                               const std::string& product_code) override {
    send_pending_lock();
    return guarded("find the customer's licenses of a product", [&] {
      std::vector<LicenseRecord> out;
      key_customer_id_ = customer_id;
      key_product_code_ = product_code;
      if (st_->customer_licenses.execute(true)) {
        do {
          out.push_back(license_from_row());
        } while (st_->customer_licenses.fetch());
      }
      return out;
    });
  }

  std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) override {
    // The writes and the lock held back go with the count, in one round trip.
    if (pending_lock_ || !pending_.empty()) return send_pending(license_id, now_ms);
    return guarded("count units in use", [&] {
      key_license_id_ = license_id;
      key_now_ = now_ms;
      units_sum_ = 0;
      execute_single_row(st_->units_in_use);
      return units_sum_;
    });
  }

  std::vector<UnitsHeldCount> units_held_counts(std::int64_t after_license_id, int limit) override {
    std::vector<UnitsHeldCount> out;
    if (backend_ != Backend::postgresql || limit <= 0) return out;
    send_pending();
    return guarded("compare units held with the leases", [&] {
      // One statement, one snapshot: the counter and the leases as of the same moment, with no
      // lock taken (READ COMMITTED gives each statement a consistent view).
      UnitsHeldCount row;
      soci::statement statement(*sql_);
      bind_columns(statement, row.license_id, row.counter, row.leases);
      statement.exchange(soci::use(after_license_id));
      statement.exchange(soci::use(limit));
      finish_prepare(statement,
                     "SELECT l.id, l.units_held, CAST(COALESCE(SUM(le.units), 0) AS BIGINT)"
                     " FROM (SELECT id, units_held FROM licenses WHERE id > :after ORDER BY id"
                     " LIMIT :limit) l LEFT JOIN leases le ON le.license_id = l.id"
                     " GROUP BY l.id, l.units_held ORDER BY l.id");
      if (statement.execute(true)) {
        do {
          out.push_back(row);
        } while (statement.fetch());
      }
      return out;
    });
  }

  std::int64_t borrowed_units(std::int64_t license_id, std::int64_t now_ms) override {
    send_pending();
    return guarded("count borrowed units", [&] {
      std::int64_t units = 0;
      *sql_ << "SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM leases WHERE license_id ="
               " :license AND borrowed = 1 AND expires_at_ms > :now",
          soci::use(license_id), soci::use(now_ms), soci::into(units);
      return units;
    });
  }

  std::optional<domain::SigningKey> active_signing_key() override {
    send_pending_lock();
    return sql_signing_key_repository(*sql_, *secrets_)->active();
  }

  void note_signed(const std::string& kid, std::int64_t exp_ms) override {
    send_pending();
    sql_signing_key_repository(*sql_, *secrets_)->note_signed(kid, exp_ms);
  }

  std::optional<LeaseRecord> find_live_lease_by_holder(std::int64_t license_id,
                                                       const std::string& product_code,
                                                       const std::string& holder,
                                                       std::int64_t now_ms) override {
    send_pending();
    return guarded("find lease by holder", [&]() -> std::optional<LeaseRecord> {
      key_license_id_ = license_id;
      key_product_code_ = product_code;
      key_holder_ = holder;
      key_now_ = now_ms;
      if (!execute_single_row(st_->find_live_lease_by_holder)) return std::nullopt;
      return read_lease_row();
    });
  }

  std::string holder_proof(std::string_view holder_key) override {
    return secrets_->holder_proof(holder_key);
  }

  std::optional<LeaseRecord> find_lease(const std::string& id) override {
    return guarded("find lease", [&]() -> std::optional<LeaseRecord> {
      // Read with the batch's other leases (expect_leases) and not written since: the first ask
      // is answered from that read, a later one reads again.
      if (auto it = expected_.find(id); it != expected_.end()) {
        std::optional<LeaseRecord> lease = std::move(it->second);
        expected_.erase(it);
        return lease;
      }
      key_lease_id_ = secrets_->lease_row_key(id);
      // Only a change of this lease (or a lock) held back must go first.
      if (pending_lock_ || pending_.touches(key_lease_id_)) send_pending();
      if (!execute_single_row(st_->find_lease)) return std::nullopt;
      // The id is the one asked for: nothing to unseal.
      LeaseRecord lease = fetched_lease();
      lease.id = id;
      return lease;
    });
  }

  // PostgreSQL: the leases of `ids` in one statement instead of one each. SQLite reads a file,
  // with no round trip to save (and its seat path reads leases from the caching store).
  void expect_leases(const std::vector<std::string>& ids) override {
    expected_.clear();
    if (backend_ != Backend::postgresql || !transaction_.open() || ids.size() < 2) return;
    guarded("find the batch's leases", [&] {
      std::unordered_map<std::string, const std::string*> id_of;  // row key: the client's id
      key_lease_ids_ = "{";
      for (const auto& id : ids) {
        std::string key = secrets_->lease_row_key(id);
        // A lease with a change held back is read after the change, by find_lease.
        if (pending_.touches(key) || !id_of.emplace(key, &id).second) continue;
        if (key_lease_ids_.size() > 1) key_lease_ids_ += ',';
        key_lease_ids_ += key;  // hex digits: nothing to quote in an array literal
      }
      key_lease_ids_ += '}';
      if (id_of.empty()) return;
      send_pending_lock();  // as find_lease: a lock held back is taken before the read
      if (st_->find_leases.execute(true)) {
        do {
          LeaseRecord lease = fetched_lease();
          auto it = id_of.find(lease.id);
          if (it == id_of.end()) continue;
          lease.id = *it->second;
          expected_.insert_or_assign(*it->second, std::move(lease));
        } while (st_->find_leases.fetch());
      }
      for (const auto& entry : id_of) expected_.try_emplace(*entry.second, std::nullopt);
    });
  }

  void insert_lease(const LeaseRecord& lease) override {
    guarded("insert lease", [&] {
      new_lease_ = lease;
      new_lease_.id = secrets_->lease_row_key(lease.id);
      expected_.erase(lease.id);
      new_sealed_id_ = secrets_->seal_lease_id(lease.id, new_lease_.id);
      if (holds_back()) {
        if (pending_.touches(new_lease_.id)) send_pending();
        pending_.insert(new_lease_, new_sealed_id_);
        return;
      }
      new_lease_borrowed_ = lease.borrowed ? 1 : 0;
      if (sqlite_writes_) return sqlite_writes_->insert(new_lease_, new_sealed_id_);
      st_->insert_lease.execute(true);
    });
  }

  void set_lease_expiry(const std::string& id, std::int64_t expires_at_ms) override {
    guarded("extend lease", [&] {
      key_lease_id_ = secrets_->lease_row_key(id);
      expected_.erase(id);
      if (holds_back()) return pending_.update(key_lease_id_, expires_at_ms, {}, {});
      key_expires_at_ms_ = expires_at_ms;
      st_->set_lease_expiry.execute(true);
    });
  }

  void renew_lease(const std::string& id, std::int64_t expires_at_ms,
                   std::int64_t heartbeat_at_ms) override {
    guarded("renew lease", [&] {
      key_lease_id_ = secrets_->lease_row_key(id);
      expected_.erase(id);
      if (holds_back())
        return pending_.update(key_lease_id_, expires_at_ms, heartbeat_at_ms, false);
      if (sqlite_writes_)
        return sqlite_writes_->renew(key_lease_id_, expires_at_ms, heartbeat_at_ms);
      key_expires_at_ms_ = expires_at_ms;
      key_heartbeat_at_ms_ = heartbeat_at_ms;
      st_->renew_lease.execute(true);
    });
  }

  void linger_lease(const std::string& id, std::int64_t until_ms) override {
    guarded("linger lease", [&] {
      key_lease_id_ = secrets_->lease_row_key(id);
      expected_.erase(id);
      if (holds_back()) return pending_.update(key_lease_id_, until_ms, {}, true);
      key_expires_at_ms_ = until_ms;
      st_->linger_lease.execute(true);
    });
  }

  void delete_lease(const std::string& id) override {
    guarded("delete lease", [&] {
      key_lease_id_ = secrets_->lease_row_key(id);
      expected_.erase(id);
      if (holds_back()) return pending_.erase(key_lease_id_);
      if (sqlite_writes_) return sqlite_writes_->erase(key_lease_id_);
      st_->delete_lease.execute(true);
    });
  }

  std::optional<LeaseRecord> find_lease_by_ref(const std::string& ref) override {
    send_pending();
    return guarded("find lease by reference", [&]() -> std::optional<LeaseRecord> {
      key_ref_ = ref;
      if (!execute_single_row(st_->find_lease_by_ref)) return std::nullopt;
      return read_lease_row();
    });
  }

  void revoke_lease(const LeaseRecord& lease, const std::string& reason, std::int64_t now_ms,
                    std::int64_t until_ms) override {
    send_pending();
    guarded("remember a released lease", [&] {
      // Kept under the lease's row key, as the End-of-Life deletion keeps its leases.
      const std::string row_key = secrets_->lease_row_key(lease.id);
      // Both databases know INSERT ... ON CONFLICT DO NOTHING (SQLite since 3.24).
      *sql_ << "INSERT INTO revoked_leases (id, ref, license_id, reason, revoked_at_ms, until_ms)"
               " VALUES (:id, :ref, :license_id, :reason, :now, :until)"
               " ON CONFLICT (id) DO NOTHING",
          soci::use(row_key), soci::use(lease.ref), soci::use(lease.license_id), soci::use(reason),
          soci::use(now_ms), soci::use(until_ms);
    });
  }

  std::optional<std::string> find_revoked_lease(const std::string& id,
                                                std::int64_t now_ms) override {
    // Asked for every unknown lease id a client sends: prepared once.
    send_pending_lock();
    return guarded("find released lease", [&]() -> std::optional<std::string> {
      key_lease_id_ = secrets_->lease_row_key(id);
      key_now_ = now_ms;
      if (!execute_single_row(st_->find_revoked_lease)) return std::nullopt;
      return revoked_reason_;
    });
  }

  std::int64_t forget_revoked_leases(std::int64_t now_ms, int limit) override {
    // Asked at every sweep, nearly always to find nothing: prepared once.
    send_pending();
    return guarded("forget released leases", [&] {
      key_now_ = now_ms;
      key_limit_ = limit;
      st_->forget_revoked_leases.execute(true);
      return static_cast<std::int64_t>(st_->forget_revoked_leases.get_affected_rows());
    });
  }

  void append_audit(const domain::AuditRecord& record) override {
    send_pending();
    guarded("append audit record", [&] { sql_audit_log(*sql_)->append(record); });
  }

  void append_usage(const domain::UsageRecord& record) override {
    // One per checkout and checkin: prepared once, like the lease's own insert.
    guarded("append usage record", [&] {
      if (holds_back()) return pending_.append_usage(record);
      // SQLite: written at commit, many a statement (storage/sqlite_usage_appender.hpp).
      if (usage_at_commit_ && transaction_.open()) return usage_at_commit_->hold(record);
      usage_ = record;
      usage_event_.assign(record.event);
      usage_account_ = record.account_id.value_or(0);
      usage_account_null_ = record.account_id ? soci::i_ok : soci::i_null;
      usage_since_ = record.since_ms.value_or(0);
      usage_since_null_ = record.since_ms ? soci::i_ok : soci::i_null;
      st_->insert_usage.execute(true);
    });
  }

  std::int64_t prune_usage(std::int64_t before_ms, int limit) override {
    // Asked at every sweep, nearly always to find nothing: prepared once.
    send_pending();
    if (usage_at_commit_ && !usage_at_commit_->empty()) usage_at_commit_->write();
    return guarded("prune usage records", [&] {
      key_now_ = before_ms;
      key_limit_ = limit;
      st_->prune_usage.execute(true);
      return static_cast<std::int64_t>(st_->prune_usage.get_affected_rows());
    });
  }

  std::vector<LeaseRecord> reclaim_expired(std::int64_t now_ms, int limit) override {
    send_pending();
    expected_.clear();
    return in_own_transaction("reclaim expired leases", [&] {
      std::vector<LeaseRecord> expired;
      if (limit <= 0) return expired;
      key_now_ = now_ms;
      key_limit_ = limit;
      // Read them all before deleting, so the deletes never run under an open cursor on
      // the same table.
      std::vector<std::string> row_keys;
      if (st_->select_expired.execute(true)) {
        do {
          row_keys.push_back(lease_row_.id);
          expired.push_back(read_lease_row());
        } while (st_->select_expired.fetch());
      }
      for (const auto& row_key : row_keys) {
        key_lease_id_ = row_key;
        st_->delete_lease.execute(true);
      }
      return expired;
    });
  }

  std::int64_t lease_count() override {
    send_pending();
    return guarded("count leases", [&] {
      std::int64_t count = 0;
      *sql_ << "SELECT COUNT(*) FROM leases", soci::into(count);
      return count;
    });
  }

  std::vector<ProductLeaseTotals> lease_totals_by_product() override {
    send_pending();
    return guarded("count leases by product", [&] {
      std::vector<ProductLeaseTotals> totals;
      ProductLeaseTotals row;
      soci::statement statement =
          (sql_->prepare << "SELECT product_code, COUNT(*), SUM(units) FROM leases"
                            " GROUP BY product_code",
           soci::into(row.product_code), soci::into(row.leases), soci::into(row.units));
      statement.execute();
      while (statement.fetch()) totals.push_back(row);
      return totals;
    });
  }

  void for_each_lease(const std::function<void(const LeaseRecord&)>& visit) override {
    send_pending();
    if (backend_ == Backend::sqlite) return for_each_sqlite_lease(visit);
    guarded("load leases", [&] {
      soci::statement statement(*sql_);
      bind_lease_columns(statement);
      finish_prepare(statement, std::string(kLeaseColumns));
      if (statement.execute(true)) {
        do {
          visit(read_lease_row());
        } while (statement.fetch());
      }
    });
  }

  std::int64_t license_generation() override {
    // Read at every batch's BEGIN by the caching store: prepared once, not parsed each time.
    return guarded("read license generation", [&] {
      generation_ = 0;
      execute_single_row(st_->license_generation);
      return generation_;
    });
  }

  std::int64_t policy_generation() override {
    // Once per transaction: every checkout of a batch asks, and policies change rarely.
    if (transaction_.open() && policy_generation_read_) return policy_generation_;
    return guarded("read policy generation", [&] {
      policy_generation_ = 0;
      execute_single_row(st_->policy_generation);
      policy_generation_read_ = transaction_.open();
      return policy_generation_;
    });
  }

  std::vector<domain::StoredPolicy> site_policies() override {
    send_pending_lock();
    return guarded("read site policies", [&] {
      std::vector<domain::StoredPolicy> out;
      domain::StoredPolicy row;
      soci::statement st(*sql_);
      bind_columns(st, row.customer_id, row.product, row.text, row.updated_at_ms);
      finish_prepare(st,
                     "SELECT customer_id, product_code, policy, updated_at_ms FROM site_policies");
      if (st.execute(true)) {
        do {
          out.push_back(row);
        } while (st.fetch());
      }
      return out;
    });
  }

  std::vector<Holding> live_holdings(std::int64_t license_id, std::int64_t now_ms) override {
    send_pending();
    return guarded("read live holdings", [&] {
      std::vector<Holding> out;
      key_license_id_ = license_id;
      key_now_ = now_ms;
      if (st_->live_holdings.execute(true)) {
        do {
          out.push_back(holding_);
        } while (st_->live_holdings.fetch());
      }
      return out;
    });
  }

  std::int64_t lease_purge() override {
    // Asked at every batch's BEGIN by the seat service on a shared database: kept while the news
    // allows, prepared once.
    return kept(kept_purge_, DatabaseNews::Topic::lease_purge, [&] {
      return guarded("read lease purge counter", [&] {
        purge_ = 0;
        execute_single_row(st_->lease_purge);
        return purge_;
      });
    });
  }

  void set_database_news(std::shared_ptr<const DatabaseNews> news) override {
    news_ = std::move(news);
  }

  void advertise_waiters(const std::string& instance, std::int64_t license_id, bool waiting,
                         std::int64_t now_ms) override {
    if (backend_ != Backend::postgresql) return;
    guarded("note the licenses with waiters", [&] {
      if (waiting) {
        *sql_ << "INSERT INTO license_waiters (license_id, instance, since_ms)"
                 " VALUES (:license, :instance, :now) ON CONFLICT DO NOTHING",
            soci::use(license_id), soci::use(instance), soci::use(now_ms);
      } else {
        *sql_ << "DELETE FROM license_waiters WHERE license_id = :license AND instance = :instance",
            soci::use(license_id), soci::use(instance);
      }
    });
  }

  void forget_advertised_waiters(const std::string& instance) override {
    if (backend_ != Backend::postgresql) return;
    guarded("forget an earlier run's licenses with waiters", [&] {
      *sql_ << "DELETE FROM license_waiters WHERE instance = :instance", soci::use(instance);
    });
  }

  std::int64_t server_clock_mark() override {
    return guarded("read the server's clock mark", [&] {
      std::int64_t mark = 0;
      *sql_ << "SELECT value FROM counters WHERE name = 'server_clock_mark'", soci::into(mark);
      return mark;
    });
  }

  void advance_server_clock_mark(std::int64_t mark_ms) override {
    // A license row shows the later of its own mark and the server's.
    licenses_read_.clear();
    guarded("advance the server's clock mark", [&] {
      key_mark_ms_ = mark_ms;
      st_->advance_server_clock_mark.execute(true);
    });
  }

  void advance_license_clock_mark(std::int64_t license_id, std::int64_t mark_ms) override {
    licenses_read_.clear();
    guarded("advance a license's clock mark", [&] {
      key_license_id_ = license_id;
      key_mark_ms_ = mark_ms;
      st_->advance_license_clock_mark.execute(true);
    });
  }

  std::optional<std::string> find_retired_product(const std::string& code_hash) override {
    send_pending_lock();
    return guarded("find retired license", [&]() -> std::optional<std::string> {
      std::string product;
      const std::string keyed = secrets_->code_hash(code_hash);
      *sql_ << "SELECT product_code FROM retired_licenses WHERE code_hash = :hash"
               " ORDER BY id DESC LIMIT 1",
          soci::use(keyed), soci::into(product);
      if (!sql_->got_data()) return std::nullopt;
      return product;
    });
  }

  std::vector<StoredLifecycle> product_lifecycles() override {
    send_pending_lock();
    return guarded("read product lifecycle", [&] { return read_product_lifecycles(*sql_); });
  }

  void record_activation(std::int64_t license_id, const std::string& host, const std::string& user,
                         std::int64_t now_ms) override {
    send_pending();
    guarded("record activation", [&] {
      *sql_ << "INSERT INTO activations (license_id, host, user_name, at_ms)"
               " VALUES (:license_id, :host, :user_name, :at_ms)",
          soci::use(license_id), soci::use(host), soci::use(user), soci::use(now_ms);
    });
  }

  std::int64_t activation_count(std::int64_t license_id) override {
    send_pending();
    return guarded("count activations", [&] {
      std::int64_t count = 0;
      *sql_ << "SELECT COUNT(*) FROM activations WHERE license_id = :license_id", soci::into(count),
          soci::use(license_id);
      return count;
    });
  }

  std::int64_t create_customer(const std::string& name, std::int64_t now_ms) override {
    return in_own_transaction("create customer",
                              [&] { return insert_customer(*sql_, name, now_ms, std::nullopt); });
  }

  std::optional<std::int64_t> find_customer(const std::string& name) override {
    return in_own_transaction("find customer", [&] { return find_customer_id(*sql_, name); });
  }

  std::int64_t create_license(const NewLicense& license) override {
    return in_own_transaction("create license",
                              [&] { return insert_license(*sql_, license, *secrets_); });
  }

  std::vector<LicenseRecord> list_licenses() override {
    return in_own_transaction("list licenses", [&] {
      std::vector<LicenseRecord> licenses;
      soci::statement statement(*sql_);
      bind_license_columns(statement);
      statement.alloc();
      statement.prepare(std::string(LicenseColumns::kSelect) + " ORDER BY l.id");
      statement.define_and_bind();
      if (statement.execute(true)) {
        do {
          licenses.push_back(license_from_row());
        } while (statement.fetch());
      }
      return licenses;
    });
  }

 private:
  void reconnect() {
    guarded("reconnect to PostgreSQL", [&] {
      // The statements hold the old connection's backend: gone before it is.
      st_.reset();
      sql_->reconnect();
      configure_postgresql_session(*sql_);
      prepare_statements();
    });
    log::info("storage_reconnected");
  }

  // PostgreSQL, inside a transaction: the seat path's lease and usage writes wait in pending_
  // and its license lock in pending_lock_, and go to the server with the next statement that
  // must see them, in one round trip, or at commit. Each statement waits for the previous one's
  // answer, so what the seat path sends, not what it writes, sets its pace on a shared database
  // (docs/scale-out.md "One round trip per batch"). The order stays the seat path's: a read
  // that could see a held-back change (the leases of a license, this lease) or that a held-back
  // lock must precede sends them first; a write after a held-back lock sends the lock first.
  // SQLite writes at once: its one lmpd writes to a file, with no round trip to save.
  bool holds_back() {
    if (backend_ != Backend::postgresql || !transaction_.open()) return false;
    if (pending_lock_) send_pending();
    return true;
  }

  // Sends what is held back, if anything; with `count_license`, also counts its units in use
  // at `now_ms` after the writes and the lock, and returns them.
  std::int64_t send_pending(std::optional<std::int64_t> count_license = std::nullopt,
                            std::int64_t now_ms = 0) {
    if (pending_.empty() && !pending_lock_ && !count_license) return 0;
    return guarded("apply the transaction's seat changes", [&] {
      const bool writes = !pending_.empty();
      step_writes_ = writes ? pending_.json() : std::string();
      step_writes_null_ = writes ? soci::i_ok : soci::i_null;
      step_lock_ = pending_lock_.value_or(0);
      step_lock_null_ = pending_lock_ ? soci::i_ok : soci::i_null;
      step_count_ = count_license.value_or(0);
      step_count_null_ = count_license ? soci::i_ok : soci::i_null;
      step_now_ = now_ms;
      // Gone whatever the answer: a failed statement fails the whole transaction.
      pending_.clear();
      pending_lock_.reset();
      step_units_ = 0;
      execute_single_row(st_->seat_step);
      return step_units_null_ == soci::i_ok ? step_units_ : 0;
    });
  }

  // Before a read that no held-back write changes but a held-back lock must precede.
  void send_pending_lock() {
    if (pending_lock_) send_pending();
  }

  // Also SQLite's usage records held for the commit.
  void drop_pending() noexcept {
    pending_.clear();
    pending_lock_.reset();
    if (usage_at_commit_) usage_at_commit_->clear();
  }

  // Runs `body` in the caller's transaction when one is open, otherwise in one of its own.
  template <class Body>
  std::invoke_result_t<Body&> in_own_transaction(std::string_view operation, Body&& body) {
    if (transaction_.open()) {
      send_pending();
      return guarded(operation, body);
    }
    begin();
    try {
      auto result = guarded(operation, body);
      commit();
      return result;
    } catch (...) {
      rollback();
      throw;
    }
  }

  void bind_license_columns(soci::statement& statement) {
    license_columns_.bind(statement, license_row_);
  }

  // The caching store's load at every start: a million rows read through SQLite's own
  // interface rather than SOCI's per-row conversions (docs/benchmarks.md, "Restart,
  // re-measured"). Columns in kLeaseColumns' order.
  void for_each_sqlite_lease(const std::function<void(const LeaseRecord&)>& visit) {
    guarded("load leases", [&] {
      SqliteStatement rows(*sql_, kLeaseColumns);
      LeaseRecord lease;
      while (rows.next_row("load leases")) {
        const std::string_view row_key = rows.column_text(0);
        lease.license_id = rows.column_int64(2);
        lease.product_code = rows.column_text(3);
        lease.holder = rows.column_text(4);
        lease.holder_proof = rows.column_text(5);
        lease.units = rows.column_int64(6);
        lease.issued_at_ms = rows.column_int64(7);
        lease.expires_at_ms = rows.column_int64(8);
        lease.ref = rows.column_text(9);
        lease.user = rows.column_text(10);
        lease.host = rows.column_text(11);
        lease.peer = rows.column_text(12);
        lease.heartbeat_at_ms = rows.column_int64(13);
        lease.borrowed = rows.column_int64(14) != 0;
        lease.instance = rows.column_text(15);
        lease.lingering = rows.column_int64(16) != 0;
        lease.id = unsealed_id(rows.column_text(1), row_key);
        visit(lease);
      }
    });
  }

  // The row as the client knows it: its id unsealed from the row's.
  LeaseRecord read_lease_row() {
    LeaseRecord lease = fetched_lease();
    lease.id = unsealed_id(sealed_id_row_, lease_row_.id);
    return lease;
  }

  // The client's lease id from a row's sealed id and key.
  std::string unsealed_id(std::string_view sealed, std::string_view row_key) {
    try {
      return secrets_->unseal_lease_id(sealed, row_key);
    } catch (const std::invalid_argument&) {
      throw StoreError("read lease: a stored lease id is damaged");
    }
  }

  // Fills lease_row_ with the row key in `id` and sealed_id_row_; read_lease_row() makes the
  // client's record of them.
  void bind_lease_columns(soci::statement& statement) {
    statement.exchange(soci::into(lease_row_.id));
    statement.exchange(soci::into(sealed_id_row_));
    statement.exchange(soci::into(lease_row_.license_id));
    statement.exchange(soci::into(lease_row_.product_code));
    statement.exchange(soci::into(lease_row_.holder));
    statement.exchange(soci::into(lease_row_.holder_proof));
    statement.exchange(soci::into(lease_row_.units));
    statement.exchange(soci::into(lease_row_.issued_at_ms));
    statement.exchange(soci::into(lease_row_.expires_at_ms));
    statement.exchange(soci::into(lease_row_.ref));
    statement.exchange(soci::into(lease_row_.user));
    statement.exchange(soci::into(lease_row_.host));
    statement.exchange(soci::into(lease_row_.peer));
    statement.exchange(soci::into(lease_row_.heartbeat_at_ms));
    statement.exchange(soci::into(lease_borrowed_));
    statement.exchange(soci::into(lease_row_.instance));
    statement.exchange(soci::into(lease_lingering_));
  }

  static void finish_prepare(soci::statement& statement, const std::string& query) {
    statement.alloc();
    statement.prepare(query);
    statement.define_and_bind();
  }

  // The exchanged variables are members: SOCI binds by reference and reads them again on
  // every execute(), so a call only assigns its arguments to them and executes.
  void prepare_statements() {
    st_ = std::make_unique<Statements>(*sql_);
    if (backend_ == Backend::postgresql) {
      // The writes held back, the lock held back (the customer's licenses of the license's
      // product, the license among them, since a site policy counts over them together, locked
      // in id order, the same order in every session) and the count of units in use, in one
      // round trip (lmp_seat_step, schema migrations); each part only when given.
      st_->seat_step.exchange(soci::into(step_units_, step_units_null_));
      st_->seat_step.exchange(soci::use(step_writes_, step_writes_null_));
      st_->seat_step.exchange(soci::use(step_lock_, step_lock_null_));
      st_->seat_step.exchange(soci::use(step_count_, step_count_null_));
      st_->seat_step.exchange(soci::use(step_now_));
      finish_prepare(st_->seat_step,
                     "SELECT lmp_seat_step(CAST(:writes AS jsonb), CAST(:lock_id AS BIGINT),"
                     " CAST(:count_id AS BIGINT), CAST(:now_ms AS BIGINT))");
    }
    bind_license_columns(st_->find_license_by_code_hash);
    st_->find_license_by_code_hash.exchange(soci::use(key_code_hash_));
    finish_prepare(st_->find_license_by_code_hash,
                   std::string(LicenseColumns::kSelect) + " WHERE l.code_hash = :code_hash");

    bind_license_columns(st_->find_license);
    st_->find_license.exchange(soci::use(key_license_id_));
    finish_prepare(st_->find_license,
                   std::string(LicenseColumns::kSelect) + " WHERE l.id = :license_id");

    bind_license_columns(st_->customer_licenses);
    st_->customer_licenses.exchange(soci::use(key_customer_id_));
    st_->customer_licenses.exchange(soci::use(key_product_code_));
    finish_prepare(st_->customer_licenses,
                   std::string(LicenseColumns::kSelect) +
                       " WHERE l.customer_id = :customer_id AND l.product_code = :product_code"
                       " ORDER BY l.id");

    // COALESCE: SUM over no rows is NULL.
    st_->units_in_use.exchange(soci::into(units_sum_));
    if (backend_ == Backend::postgresql) {
      // The license row's counter (schema 25) less the leases that expired but are not reclaimed
      // yet: an index range over those few, never over the live leases, however many.
      st_->units_in_use.exchange(soci::use(key_now_));
      st_->units_in_use.exchange(soci::use(key_license_id_));
      finish_prepare(st_->units_in_use,
                     "SELECT CAST(l.units_held - COALESCE((SELECT SUM(le.units) FROM leases le"
                     " WHERE le.license_id = l.id AND le.expires_at_ms <= :now_ms), 0) AS BIGINT)"
                     " FROM licenses l WHERE l.id = :license_id");
    } else {
      st_->units_in_use.exchange(soci::use(key_license_id_));
      st_->units_in_use.exchange(soci::use(key_now_));
      finish_prepare(st_->units_in_use,
                     "SELECT COALESCE(SUM(units), 0) FROM leases"
                     " WHERE license_id = :license_id AND expires_at_ms > :now_ms");
    }

    st_->policy_generation.exchange(soci::into(policy_generation_));
    finish_prepare(st_->policy_generation,
                   "SELECT value FROM counters WHERE name = 'policy_generation'");

    bind_columns(st_->live_holdings, holding_.units, holding_.user, holding_.host, holding_.peer);
    st_->live_holdings.exchange(soci::use(key_license_id_));
    st_->live_holdings.exchange(soci::use(key_now_));
    finish_prepare(st_->live_holdings,
                   "SELECT CAST(SUM(units) AS BIGINT), user_name, host, peer FROM leases"
                   " WHERE license_id = :license_id AND expires_at_ms > :now_ms"
                   " GROUP BY user_name, host, peer");

    // Anonymous leases share the empty holder; LIMIT 1 keeps the answer a single row.
    bind_lease_columns(st_->find_live_lease_by_holder);
    st_->find_live_lease_by_holder.exchange(soci::use(key_license_id_));
    st_->find_live_lease_by_holder.exchange(soci::use(key_product_code_));
    st_->find_live_lease_by_holder.exchange(soci::use(key_holder_));
    st_->find_live_lease_by_holder.exchange(soci::use(key_now_));
    finish_prepare(st_->find_live_lease_by_holder,
                   std::string(kLeaseColumns) +
                       " WHERE license_id = :license_id AND product_code = :product_code"
                       " AND holder = :holder AND expires_at_ms > :now_ms"
                       " ORDER BY expires_at_ms DESC, id LIMIT 1");

    bind_lease_columns(st_->find_lease);
    st_->find_lease.exchange(soci::use(key_lease_id_));
    finish_prepare(st_->find_lease, std::string(kLeaseColumns) + " WHERE id = :id");
    if (backend_ == Backend::postgresql) {
      bind_lease_columns(st_->find_leases);
      st_->find_leases.exchange(soci::use(key_lease_ids_));
      finish_prepare(st_->find_leases,
                     std::string(kLeaseColumns) + " WHERE id = ANY(CAST(:ids AS TEXT[]))");
    }

    bind_lease_columns(st_->find_lease_by_ref);
    st_->find_lease_by_ref.exchange(soci::use(key_ref_));
    finish_prepare(st_->find_lease_by_ref,
                   std::string(kLeaseColumns) + " WHERE ref = :ref ORDER BY id LIMIT 1" +
                       (backend_ == Backend::postgresql ? " FOR UPDATE" : ""));

    st_->find_revoked_lease.exchange(soci::into(revoked_reason_));
    st_->find_revoked_lease.exchange(soci::use(key_lease_id_));
    st_->find_revoked_lease.exchange(soci::use(key_now_));
    finish_prepare(st_->find_revoked_lease,
                   "SELECT reason FROM revoked_leases WHERE id = :id AND until_ms > :now_ms");

    st_->forget_revoked_leases.exchange(soci::use(key_now_));
    st_->forget_revoked_leases.exchange(soci::use(key_limit_));
    // SKIP LOCKED: instances sweeping one PostgreSQL database at once take disjoint rows.
    finish_prepare(st_->forget_revoked_leases,
                   std::string("DELETE FROM revoked_leases WHERE id IN (SELECT id FROM"
                               " revoked_leases WHERE until_ms <= :now_ms ORDER BY until_ms"
                               " LIMIT :limit") +
                       (backend_ == Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "") + ")");

    st_->insert_usage.exchange(soci::use(usage_.at_ms));
    st_->insert_usage.exchange(soci::use(usage_event_));
    st_->insert_usage.exchange(soci::use(usage_.license_id));
    st_->insert_usage.exchange(soci::use(usage_.product_code));
    st_->insert_usage.exchange(soci::use(usage_.customer_id));
    st_->insert_usage.exchange(soci::use(usage_account_, usage_account_null_));
    st_->insert_usage.exchange(soci::use(usage_.scope));
    st_->insert_usage.exchange(soci::use(usage_.units));
    st_->insert_usage.exchange(soci::use(usage_.user));
    st_->insert_usage.exchange(soci::use(usage_.host));
    st_->insert_usage.exchange(soci::use(usage_.peer));
    st_->insert_usage.exchange(soci::use(usage_.lease_ref));
    st_->insert_usage.exchange(soci::use(usage_.code));
    st_->insert_usage.exchange(soci::use(usage_since_, usage_since_null_));
    // On SQLite the record's id carries its time (storage/usage_record_ids.hpp).
    finish_prepare(st_->insert_usage,
                   backend_ == Backend::sqlite
                       ? "WITH n AS (" + next_usage_id_sql(":at_ms") +
                             ") INSERT INTO usage_records (id, at_ms, event, license_id,"
                             " product_code, customer_id, account_id, scope, units, user_name,"
                             " host, peer, lease_ref, code, since_ms) SELECT next_id, " +
                             usage_id_time_sql("next_id") +
                             ", :event, :license_id, :product_code, :customer_id, :account_id,"
                             " :scope, :units, :user_name, :host, :peer, :lease_ref, :code,"
                             " :since_ms FROM n"
                       : std::string("INSERT INTO usage_records (at_ms, event, license_id,"
                                     " product_code, customer_id, account_id, scope, units,"
                                     " user_name, host, peer, lease_ref, code, since_ms) VALUES"
                                     " (:at_ms, :event, :license_id, :product_code,"
                                     " :customer_id, :account_id, :scope, :units, :user_name,"
                                     " :host, :peer, :lease_ref, :code, :since_ms)"));

    st_->prune_usage.exchange(soci::use(key_now_));
    st_->prune_usage.exchange(soci::use(key_limit_));
    // Oldest first through the time index, which on SQLite is the ids (usage_record_ids.hpp);
    // SKIP LOCKED as for the released leases above.
    finish_prepare(st_->prune_usage,
                   backend_ == Backend::sqlite
                       ? "DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records"
                         " WHERE id < " +
                             usage_id_floor_sql(":before_ms") + " ORDER BY id LIMIT :limit)"
                       : std::string("DELETE FROM usage_records WHERE id IN (SELECT id FROM"
                                     " usage_records WHERE at_ms < :before_ms ORDER BY at_ms"
                                     " LIMIT :limit FOR UPDATE SKIP LOCKED)"));

    st_->insert_lease.exchange(soci::use(new_lease_.id));
    st_->insert_lease.exchange(soci::use(new_sealed_id_));
    st_->insert_lease.exchange(soci::use(new_lease_.license_id));
    st_->insert_lease.exchange(soci::use(new_lease_.product_code));
    st_->insert_lease.exchange(soci::use(new_lease_.holder));
    st_->insert_lease.exchange(soci::use(new_lease_.holder_proof));
    st_->insert_lease.exchange(soci::use(new_lease_.units));
    st_->insert_lease.exchange(soci::use(new_lease_.issued_at_ms));
    st_->insert_lease.exchange(soci::use(new_lease_.expires_at_ms));
    st_->insert_lease.exchange(soci::use(new_lease_.ref));
    st_->insert_lease.exchange(soci::use(new_lease_.user));
    st_->insert_lease.exchange(soci::use(new_lease_.host));
    st_->insert_lease.exchange(soci::use(new_lease_.peer));
    st_->insert_lease.exchange(soci::use(new_lease_.heartbeat_at_ms));
    st_->insert_lease.exchange(soci::use(new_lease_borrowed_));
    st_->insert_lease.exchange(soci::use(new_lease_.instance));
    finish_prepare(st_->insert_lease, kInsertLease);

    st_->set_lease_expiry.exchange(soci::use(key_expires_at_ms_));
    st_->set_lease_expiry.exchange(soci::use(key_lease_id_));
    finish_prepare(st_->set_lease_expiry,
                   "UPDATE leases SET expires_at_ms = :expires_at_ms WHERE id = :id");

    st_->renew_lease.exchange(soci::use(key_expires_at_ms_));
    st_->renew_lease.exchange(soci::use(key_heartbeat_at_ms_));
    st_->renew_lease.exchange(soci::use(key_lease_id_));
    finish_prepare(st_->renew_lease, kRenewLease);

    st_->linger_lease.exchange(soci::use(key_expires_at_ms_));
    st_->linger_lease.exchange(soci::use(key_lease_id_));
    finish_prepare(st_->linger_lease,
                   "UPDATE leases SET expires_at_ms = :expires_at_ms, lingering = 1"
                   " WHERE id = :id");

    st_->delete_lease.exchange(soci::use(key_lease_id_));
    finish_prepare(st_->delete_lease, kDeleteLease);

    st_->license_generation.exchange(soci::into(generation_));
    finish_prepare(st_->license_generation,
                   "SELECT value FROM counters WHERE name = 'license_generation'");

    // Only forward: an instance whose clock is a little behind another's leaves the mark be.
    st_->advance_server_clock_mark.exchange(soci::use(key_mark_ms_));
    st_->advance_server_clock_mark.exchange(soci::use(key_mark_ms_));
    finish_prepare(st_->advance_server_clock_mark,
                   "UPDATE counters SET value = :mark"
                   " WHERE name = 'server_clock_mark' AND value < :mark2");

    // Both databases know INSERT ... ON CONFLICT DO UPDATE ... WHERE (SQLite since 3.24).
    st_->advance_license_clock_mark.exchange(soci::use(key_license_id_));
    st_->advance_license_clock_mark.exchange(soci::use(key_mark_ms_));
    finish_prepare(st_->advance_license_clock_mark,
                   "INSERT INTO license_clock_marks (license_id, mark_ms)"
                   " VALUES (:license_id, :mark) ON CONFLICT (license_id) DO UPDATE"
                   " SET mark_ms = excluded.mark_ms"
                   " WHERE license_clock_marks.mark_ms < excluded.mark_ms");

    st_->lease_purge.exchange(soci::into(purge_));
    finish_prepare(st_->lease_purge, "SELECT value FROM counters WHERE name = 'lease_purge'");

    bind_lease_columns(st_->select_expired);
    st_->select_expired.exchange(soci::use(key_now_));
    st_->select_expired.exchange(soci::use(key_limit_));
    // SKIP LOCKED: instances sweeping one PostgreSQL database at once take disjoint leases,
    // so each expired lease is reclaimed by exactly one of them and none waits for another.
    // PostgreSQL also locks each lease's license row, which the delete's trigger updates
    // (units_held): a license another session holds is left to a later sweep instead of waited
    // for, so a sweep never waits while holding rows a seat decision may wait for. Leases
    // expired and not reclaimed count as free meanwhile (units_in_use).
    if (backend_ == Backend::postgresql)
      finish_prepare(st_->select_expired,
                     joined_lease_columns() +
                         " WHERE le.expires_at_ms <= :now_ms"
                         " ORDER BY le.expires_at_ms, le.id LIMIT :limit FOR UPDATE SKIP LOCKED");
    else
      finish_prepare(st_->select_expired, std::string(kLeaseColumns) +
                                              " WHERE expires_at_ms <= :now_ms"
                                              " ORDER BY expires_at_ms, id LIMIT :limit");
  }

  LicenseRecord license_from_row() { return seat_view(license_columns_.finish(license_row_)); }
  // The row as stored, its row key in `id`.
  const LeaseRecord& fetched_lease() {
    lease_row_.borrowed = lease_borrowed_ != 0;
    lease_row_.lingering = lease_lingering_ != 0;
    return lease_row_;
  }

  const Backend backend_;
  const std::string path_;
  const bool durable_;  // synchronous: full
  Env& env_;
  std::unique_ptr<soci::session> sql_;
  std::unique_ptr<StoredSecrets> secrets_;
  SessionTransaction transaction_{*sql_};
  TransactionLicenseCache licenses_read_;  // in the open transaction
  // Leases read ahead by expect_leases in the open transaction, by the client's lease id (so a
  // hit costs no row key's HMAC; nullopt: no such row), each dropped at its first ask or at a
  // write of that lease.
  std::unordered_map<std::string, std::optional<LeaseRecord>> expected_;
  // PostgreSQL: the open transaction's writes and license lock, not sent yet (holds_back()).
  PendingSeatWrites pending_;
  std::optional<std::int64_t> pending_lock_;

  // Values bound into the prepared statements (SOCI keeps references to these).
  std::string key_code_hash_;
  std::int64_t key_license_id_ = 0;
  std::int64_t key_customer_id_ = 0;
  std::int64_t key_now_ = 0;
  std::string key_product_code_;
  std::string key_holder_;
  std::string key_lease_id_;
  std::string key_lease_ids_;  // expect_leases: the row keys as a PostgreSQL array literal
  std::string key_ref_;
  std::int64_t key_expires_at_ms_ = 0;
  std::int64_t key_mark_ms_ = 0;
  std::int64_t key_heartbeat_at_ms_ = 0;
  int key_limit_ = 0;
  LeaseRecord new_lease_;  // with its row key as id
  std::string new_sealed_id_;
  int new_lease_borrowed_ = 0;
  domain::UsageRecord usage_;
  std::string usage_event_;
  std::int64_t usage_account_ = 0;
  soci::indicator usage_account_null_ = soci::i_null;
  std::int64_t usage_since_ = 0;
  soci::indicator usage_since_null_ = soci::i_null;

  // Rows fetched by the prepared statements.
  domain::License license_row_;
  LicenseColumns license_columns_;
  LeaseRecord lease_row_;  // with the row key as id
  std::string sealed_id_row_;
  int lease_borrowed_ = 0;
  int lease_lingering_ = 0;
  std::int64_t units_sum_ = 0;
  // lmp_seat_step's arguments and answer.
  std::string step_writes_;
  soci::indicator step_writes_null_ = soci::i_null;
  std::int64_t step_lock_ = 0;
  soci::indicator step_lock_null_ = soci::i_null;
  std::int64_t step_count_ = 0;
  soci::indicator step_count_null_ = soci::i_null;
  std::int64_t step_now_ = 0;
  std::int64_t step_units_ = 0;
  soci::indicator step_units_null_ = soci::i_null;
  std::int64_t generation_ = 0;
  std::int64_t policy_generation_ = 0;
  bool policy_generation_read_ = false;  // in the open transaction
  bool statements_stale_ = false;        // a transaction failed since they were prepared
  Holding holding_;
  std::int64_t purge_ = 0;

  // A counter kept from one transaction to the next (docs/scale-out.md, "News"): while the news
  // says nothing changed since it was read, and for a second at most, so that news lost without
  // the listener noticing costs a second of staleness, not more.
  struct KeptCounter {
    std::optional<std::int64_t> value;
    std::optional<std::uint64_t> version;  // the news's, read before the row
    std::chrono::steady_clock::time_point read_at{};
  };
  static constexpr std::chrono::milliseconds kKeptAtMost{1000};
  template <typename Read>
  std::int64_t kept(KeptCounter& kept, DatabaseNews::Topic topic, Read read) {
    const auto now = std::chrono::steady_clock::now();
    if (kept.value && news_ && news_->unchanged_since(topic, kept.version) &&
        now - kept.read_at < kKeptAtMost)
      return *kept.value;
    kept.value.reset();
    const std::optional<std::uint64_t> version =
        news_ ? news_->version_to_keep(topic) : std::nullopt;
    const std::int64_t value = read();
    if (version) kept = {value, version, now};
    return value;
  }
  std::shared_ptr<const DatabaseNews> news_;  // null: nothing is kept
  KeptCounter kept_purge_;
  std::string revoked_reason_;

  // The prepared statements of one connection: made anew after a PostgreSQL reconnect, since
  // they belong to the connection they were prepared on. Declared after every variable they
  // bind, so they are destroyed first.
  struct Statements {
    explicit Statements(soci::session& sql)
        : seat_step(sql),
          find_license_by_code_hash(sql),
          find_license(sql),
          customer_licenses(sql),
          units_in_use(sql),
          find_live_lease_by_holder(sql),
          find_lease(sql),
          find_leases(sql),
          find_lease_by_ref(sql),
          find_revoked_lease(sql),
          forget_revoked_leases(sql),
          insert_usage(sql),
          prune_usage(sql),
          insert_lease(sql),
          set_lease_expiry(sql),
          renew_lease(sql),
          linger_lease(sql),
          delete_lease(sql),
          select_expired(sql),
          license_generation(sql),
          policy_generation(sql),
          live_holdings(sql),
          lease_purge(sql),
          advance_server_clock_mark(sql),
          advance_license_clock_mark(sql) {}
    soci::statement seat_step;
    soci::statement find_license_by_code_hash;
    soci::statement find_license;
    soci::statement customer_licenses;
    soci::statement units_in_use;
    soci::statement find_live_lease_by_holder;
    soci::statement find_lease;
    soci::statement find_leases;  // PostgreSQL: expect_leases
    soci::statement find_lease_by_ref;
    soci::statement find_revoked_lease;
    soci::statement forget_revoked_leases;
    soci::statement insert_usage;
    soci::statement prune_usage;
    soci::statement insert_lease;
    soci::statement set_lease_expiry;
    soci::statement renew_lease;
    soci::statement linger_lease;
    soci::statement delete_lease;
    soci::statement select_expired;
    soci::statement license_generation;
    soci::statement policy_generation;
    soci::statement live_holdings;
    soci::statement lease_purge;
    soci::statement advance_server_clock_mark;
    soci::statement advance_license_clock_mark;
  };
  std::unique_ptr<Statements> st_;
  // SQLite: the seat path's lease writes, one a checkout, heartbeat or checkin, through SQLite's
  // own interface (storage/sqlite_statement.hpp), the same statements as st_'s.
  struct SqliteWrites {
    explicit SqliteWrites(soci::session& sql)
        : insert_lease(sql, kInsertLease),
          renew_lease(sql, kRenewLease),
          delete_lease(sql, kDeleteLease) {}
    void insert(const LeaseRecord& row, const std::string& sealed_id) {
      int at = 0;
      insert_lease.bind(++at, row.id);
      insert_lease.bind(++at, sealed_id);
      insert_lease.bind(++at, row.license_id);
      insert_lease.bind(++at, row.product_code);
      insert_lease.bind(++at, row.holder);
      insert_lease.bind(++at, row.holder_proof);
      insert_lease.bind(++at, row.units);
      insert_lease.bind(++at, row.issued_at_ms);
      insert_lease.bind(++at, row.expires_at_ms);
      insert_lease.bind(++at, row.ref);
      insert_lease.bind(++at, row.user);
      insert_lease.bind(++at, row.host);
      insert_lease.bind(++at, row.peer);
      insert_lease.bind(++at, row.heartbeat_at_ms);
      insert_lease.bind(++at, std::int64_t{row.borrowed ? 1 : 0});
      insert_lease.bind(++at, row.instance);
      insert_lease.run("insert lease");
    }
    void renew(const std::string& row_key, std::int64_t expires_at_ms,
               std::int64_t heartbeat_at_ms) {
      renew_lease.bind(1, expires_at_ms);
      renew_lease.bind(2, heartbeat_at_ms);
      renew_lease.bind(3, row_key);
      renew_lease.run("renew lease");
    }
    void erase(const std::string& row_key) {
      delete_lease.bind(1, row_key);
      delete_lease.run("delete lease");
    }
    SqliteStatement insert_lease, renew_lease, delete_lease;
  };
  std::unique_ptr<SqliteWrites> sqlite_writes_;
  // SQLite: the open transaction's usage records, written at its commit. Declared after sql_,
  // whose connection its statements belong to, so it is destroyed first.
  std::unique_ptr<SqliteUsageAppender> usage_at_commit_;
};

}  // namespace

std::unique_ptr<SeatStore> open_sqlite(const Options& storage, Env& env) {
  return std::make_unique<SqlSeatStore>(Backend::sqlite, open_sqlite_session(storage, env),
                                        storage.sqlite_path,
                                        storage.synchronous == Synchronous::full, env);
}

std::unique_ptr<SeatStore> open_postgresql(const Options& storage, Env& env) {
  return std::make_unique<SqlSeatStore>(Backend::postgresql, open_postgresql_session(storage, env),
                                        std::string(), true, env);
}

std::unique_ptr<SeatStore> open_store(const Options& storage, Env& env) {
  return storage.backend == Backend::postgresql ? open_postgresql(storage, env)
                                                : open_sqlite(storage, env);
}

}  // namespace lmp::storage
