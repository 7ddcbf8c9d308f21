// The migration list and the runner that applies it, one write transaction per version.
#include "storage/schema_migrations.hpp"

#include <soci/soci.h>

#include <string>

#include "core/log.hpp"
#include "storage/migration_steps.hpp"
#include "storage/seat_store.hpp"

namespace lmp::storage {

const std::vector<Migration>& schema_migrations() {
  // Portable SQL only (INTEGER/BIGINT/TEXT, standard constraints); dialect differences go
  // through SqlDialect placeholders.
  static const std::vector<Migration> migrations = {
      {1,
       {
           "CREATE TABLE customers ("
           " id {auto_id},"
           " name TEXT NOT NULL UNIQUE,"
           " created_at_ms BIGINT NOT NULL)",

           "CREATE TABLE licenses ("
           " id {auto_id},"
           " customer_id INTEGER NOT NULL REFERENCES customers(id),"
           " product_code TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " unit TEXT NOT NULL,"
           " starts_at_ms BIGINT NOT NULL,"
           " expires_at_ms BIGINT NOT NULL,"
           " code_hash TEXT NOT NULL UNIQUE,"
           " created_at_ms BIGINT NOT NULL)",

           "CREATE TABLE activations ("
           " id {auto_id},"
           " license_id INTEGER NOT NULL REFERENCES licenses(id),"
           " host TEXT NOT NULL,"
           " user_name TEXT NOT NULL,"
           " at_ms BIGINT NOT NULL)",
           // activation_count() filters by license; without this it scans every activation.
           "CREATE INDEX activations_by_license ON activations (license_id)",

           "CREATE TABLE leases ("
           " id TEXT PRIMARY KEY,"
           " license_id INTEGER NOT NULL REFERENCES licenses(id),"
           " product_code TEXT NOT NULL,"
           " holder TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " issued_at_ms BIGINT NOT NULL,"
           " expires_at_ms BIGINT NOT NULL) {without_rowid}",
           // units_in_use: the live leases of one license.
           "{shared_only}CREATE INDEX leases_by_license_expiry ON leases (license_id, "
           "expires_at_ms)",
           // find_live_lease_by_holder.
           "{shared_only}CREATE INDEX leases_by_holder ON leases (license_id, product_code, "
           "holder)",
           // reclaim_expired: the oldest expired leases first.
           "{shared_only}CREATE INDEX leases_by_expiry ON leases (expires_at_ms)",

           // Counters kept by the store itself; license_generation moves on every license write.
           "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
           "INSERT INTO counters (name, value) VALUES ('license_generation', 0)",
       }},
      // The account tree (docs/admin-api.md): the parent and partner accounts with their
      // permissions, customers placed in the tree, users and their bearer tokens (hashes only),
      // and the append-only audit log.
      {2,
       {
           // `path` is the materialized path of ids ("/1/4/"): a subtree is one prefix match,
           // the same on every SQL database.
           "CREATE TABLE accounts ("
           " id {auto_id},"
           " kind TEXT NOT NULL,"
           " name TEXT NOT NULL UNIQUE,"
           " parent_id INTEGER REFERENCES accounts(id),"
           " path TEXT NOT NULL,"
           " status TEXT NOT NULL,"
           " status_changed_at_ms BIGINT NOT NULL,"
           " created_at_ms BIGINT NOT NULL)",
           "CREATE INDEX accounts_by_path ON accounts (path)",
           "CREATE TABLE partner_permissions ("
           " account_id INTEGER NOT NULL REFERENCES accounts(id),"
           " permission TEXT NOT NULL,"
           " PRIMARY KEY (account_id, permission))",
           // owner_id NULL: created before the parent account existed; it belongs to the parent.
           "ALTER TABLE customers ADD COLUMN owner_id INTEGER REFERENCES accounts(id)",
           "ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'enabled'",
           "ALTER TABLE customers ADD COLUMN status_changed_at_ms BIGINT",
           "CREATE INDEX customers_by_owner ON customers (owner_id)",
           // When the customer's disabling or its partner's cancellation ended the license; the
           // license's own dates stay as they were, so enabling the customer restores them.
           "ALTER TABLE licenses ADD COLUMN cut_off_at_ms BIGINT",
           "CREATE INDEX licenses_by_customer ON licenses (customer_id)",
           // A user belongs to one account or to one customer.
           "CREATE TABLE users ("
           " id {auto_id},"
           " account_id INTEGER REFERENCES accounts(id),"
           " customer_id INTEGER REFERENCES customers(id),"
           " name TEXT NOT NULL,"
           " created_at_ms BIGINT NOT NULL)",
           "CREATE TABLE tokens ("
           " id {auto_id},"
           " user_id INTEGER NOT NULL REFERENCES users(id),"
           " token_hash TEXT NOT NULL UNIQUE,"
           " created_at_ms BIGINT NOT NULL,"
           " revoked_at_ms BIGINT)",
           // scope: the tree path of the object changed, so a partner's query is a prefix match.
           "CREATE TABLE audit_log ("
           " id {auto_id},"
           " at_ms BIGINT NOT NULL,"
           " actor_user_id INTEGER,"
           " actor_token_id INTEGER,"
           " actor_scope TEXT NOT NULL,"
           " scope TEXT NOT NULL,"
           " action TEXT NOT NULL,"
           " object TEXT NOT NULL,"
           " before_json TEXT,"
           " after_json TEXT)",
           "CREATE INDEX audit_by_scope ON audit_log (scope)",
           // Append-only whatever writes to the file: the database itself refuses to change or
           // remove an audit row (PostgreSQL gets the same as a trigger function).
           "{sqlite_only}CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
           "{sqlite_only}CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
           "{postgresql_only}CREATE FUNCTION audit_log_append_only() RETURNS trigger"
           " LANGUAGE plpgsql AS $$ BEGIN"
           " RAISE EXCEPTION 'the audit log is append-only'; END $$",
           "{postgresql_only}CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE"
           " ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
       }},
      // The terms a license is sold on: trial or full, a grace period after expiry, the notice
      // window before it, auto-renewal, and the service plan it came from.
      {3,
       {
           "ALTER TABLE licenses ADD COLUMN trial INTEGER NOT NULL DEFAULT 0",
           "ALTER TABLE licenses ADD COLUMN grace_ms BIGINT NOT NULL DEFAULT 0",
           "ALTER TABLE licenses ADD COLUMN notice_days BIGINT NOT NULL DEFAULT 0",
           "ALTER TABLE licenses ADD COLUMN auto_renew INTEGER NOT NULL DEFAULT 0",
           "ALTER TABLE licenses ADD COLUMN plan_id BIGINT",
       }},
      // Product lifecycle set through the admin API (the config's dates stay in the config; the
      // earlier of the two counts), the once-only End-of-Life deletion, and what remains of a
      // deleted license: its id, code hash, product and place in the tree, so that its code and
      // id keep answering `end_of_life` instead of looking unknown.
      {4,
       {
           "CREATE TABLE product_lifecycle ("
           " product_code TEXT PRIMARY KEY,"
           " end_of_sale_ms BIGINT,"
           " end_of_life_ms BIGINT,"
           " data_deleted_at_ms BIGINT)",
           // Not keyed on the license id: SQLite may give a deleted license's id to a new one,
           // which may in turn reach End of Life.
           "CREATE TABLE retired_licenses ("
           " id {auto_id},"
           " license_id BIGINT NOT NULL,"
           " code_hash TEXT NOT NULL,"
           " product_code TEXT NOT NULL,"
           " scope TEXT NOT NULL)",
           "CREATE INDEX retired_licenses_by_code ON retired_licenses (code_hash)",
           "CREATE INDEX retired_licenses_by_license ON retired_licenses (license_id)",
           // Moves when leases are deleted behind the seat path's back (an End-of-Life deletion),
           // so a cache of leases knows to load them again.
           "INSERT INTO counters (name, value) VALUES ('lease_purge', 0)",
       }},
      // Selling (docs/admin-api.md): service plans, registration keys (a hash of the key and a
      // display hint only) and the partner pools the keys draw from. A key's license_id has no
      // foreign key: an End-of-Life deletion removes licenses and detaches their keys.
      {5,
       {
           "CREATE TABLE service_plans ("
           " id {auto_id},"
           " name TEXT NOT NULL UNIQUE,"
           " owner_id INTEGER NOT NULL REFERENCES accounts(id),"
           " product_code TEXT NOT NULL,"
           " trial INTEGER NOT NULL,"
           " unit TEXT NOT NULL,"
           " period_days BIGINT NOT NULL,"
           " auto_renew INTEGER NOT NULL,"
           " notice_days BIGINT NOT NULL,"
           " grace_days BIGINT NOT NULL,"
           " created_at_ms BIGINT NOT NULL,"
           " updated_at_ms BIGINT NOT NULL)",
           "CREATE TABLE registration_keys ("
           " id {auto_id},"
           " key_hash TEXT NOT NULL UNIQUE,"
           " hint TEXT NOT NULL,"
           " plan_id INTEGER NOT NULL REFERENCES service_plans(id),"
           " product_code TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " issuer_id INTEGER NOT NULL REFERENCES accounts(id),"
           " issued_by_user INTEGER NOT NULL,"
           " status TEXT NOT NULL,"
           " customer_id INTEGER REFERENCES customers(id),"
           " license_id BIGINT,"
           " created_at_ms BIGINT NOT NULL,"
           " changed_at_ms BIGINT)",
           "CREATE INDEX registration_keys_by_issuer ON registration_keys (issuer_id)",
           // drawn: the units of the partner's keys that are issued or redeemed.
           "CREATE TABLE partner_pools ("
           " account_id INTEGER NOT NULL REFERENCES accounts(id),"
           " product_code TEXT NOT NULL,"
           " assigned BIGINT NOT NULL,"
           " drawn BIGINT NOT NULL DEFAULT 0,"
           " PRIMARY KEY (account_id, product_code))",
       }},
      // Branding: how an account presents itself to the customers below it. Empty strings, not
      // NULLs, for fields not set: one text column type on both databases.
      {6,
       {
           "CREATE TABLE branding ("
           " account_id INTEGER PRIMARY KEY REFERENCES accounts(id),"
           " display_name TEXT NOT NULL,"
           " support_email TEXT NOT NULL,"
           " support_url TEXT NOT NULL,"
           " logo_url TEXT NOT NULL,"
           " primary_color TEXT NOT NULL,"
           " updated_at_ms BIGINT NOT NULL)",
       }},
      // Holders (protocol 1.1): a lease keeps a digest of the holder_key it was checked out with
      // ('' without one), and seat holder keys are escaped so that no two holders share one.
      {7,
       {
           "ALTER TABLE leases ADD COLUMN holder_proof TEXT NOT NULL DEFAULT ''",
       },
       escape_seat_holder_keys},
      // Secrets at rest (storage/stored_secrets.hpp): code and key hashes and holder proofs keyed
      // with the server secret, a lease stored under a keyed row key with its id sealed, and the
      // check value that tells a wrong secret file at every start.
      {8,
       {
           "CREATE TABLE server_secret (check_value TEXT NOT NULL)",
           "ALTER TABLE leases ADD COLUMN sealed_id TEXT NOT NULL DEFAULT ''",
       },
       key_stored_secrets},
      // Time that cannot be turned back (issue #25): the durable high-water marks of the wall
      // clock (docs/architecture.md, "Time"), the time up to which each license has been judged
      // and the server's (a row of counters), which only move forward, so a clock set back
      // revives no expired license.
      {9,
       {
           "CREATE TABLE license_clock_marks ("
           " license_id BIGINT PRIMARY KEY,"
           " mark_ms BIGINT NOT NULL) {without_rowid}",
           "INSERT INTO counters (name, value) VALUES ('server_clock_mark', 0)",
       }},
      // The optional expiry of an admin API token (issue #25; NULL: it never expires), from
      // which on it is refused like a revoked one.
      {10,
       {
           "ALTER TABLE tokens ADD COLUMN expires_at_ms BIGINT",
       }},
      // Running a site (docs/operations.md, "Leases and usage records"): who holds each lease,
      // the leases an administrator released, and the usage records.
      {11,
       {
           // `ref` is a lease's public reference, the admin API's id: the lease id itself is the
           // endpoint's credential and never leaves the seat path. The holder's user and host as
           // the checkout named them, the client address it came from, the last heartbeat,
           // whether it is borrowed, and the instance that granted it.
           "ALTER TABLE leases ADD COLUMN ref TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE leases ADD COLUMN user_name TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE leases ADD COLUMN host TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE leases ADD COLUMN peer TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE leases ADD COLUMN heartbeat_at_ms BIGINT NOT NULL DEFAULT 0",
           "ALTER TABLE leases ADD COLUMN borrowed INTEGER NOT NULL DEFAULT 0",
           "ALTER TABLE leases ADD COLUMN instance TEXT NOT NULL DEFAULT ''",
           "UPDATE leases SET heartbeat_at_ms = issued_at_ms",
           "{sqlite_only}UPDATE leases SET ref = lower(hex(randomblob(8)))",
           "{postgresql_only}UPDATE leases SET ref = substr(md5(random()::text || id), 1, 16)",
           // Releasing a lease by its reference; SQLite finds it in the lease cache.
           "{shared_only}CREATE INDEX leases_by_ref ON leases (ref)",
           // A released lease's id answers `lease_revoked` until `until_ms` (at least a lease
           // duration after the release), then nothing: the sweep deletes the row.
           "CREATE TABLE revoked_leases ("
           " id TEXT PRIMARY KEY,"
           " ref TEXT NOT NULL,"
           " license_id BIGINT NOT NULL,"
           " reason TEXT NOT NULL,"
           " revoked_at_ms BIGINT NOT NULL,"
           " until_ms BIGINT NOT NULL) {without_rowid}",
           "CREATE INDEX revoked_leases_by_until ON revoked_leases (until_ms)",
           // One row per seat event, written in the transaction of the change it describes.
           // `since_ms`: when the lease of an ending event (checkin, reclaim, release) was
           // checked out, or when an ended wait began, so a report needs no earlier record to
           // know what was in use at the start of its range. No foreign keys: records outlive
           // their leases, and an End-of-Life deletion removes the license before its records.
           "CREATE TABLE usage_records ("
           " id {auto_id},"
           " at_ms BIGINT NOT NULL,"
           " event TEXT NOT NULL,"
           " license_id BIGINT NOT NULL,"
           " product_code TEXT NOT NULL,"
           " customer_id BIGINT NOT NULL,"
           " account_id BIGINT,"
           " scope TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " user_name TEXT NOT NULL,"
           " host TEXT NOT NULL,"
           " peer TEXT NOT NULL,"
           " lease_ref TEXT NOT NULL,"
           " code TEXT NOT NULL,"
           " since_ms BIGINT)",
           // Reports read a time range; the retention sweep deletes the oldest first. One index
           // only: every other one would cost each checkout and checkin another B-tree insert.
           "CREATE INDEX usage_records_by_time ON usage_records (at_ms)",
           // The records of a product past its End of Life still to delete: the sweep walks the
           // ids up to `last_id` a bounded step at a time, from `next_id`.
           "CREATE TABLE usage_purges ("
           " product_code TEXT PRIMARY KEY,"
           " next_id BIGINT NOT NULL,"
           " last_id BIGINT NOT NULL)",
       }},
      // Site policy (issue #17, docs/admin-api.md "Site policy"): a customer's rules for one
      // product ('' for all its products), kept as their JSON, and the generation every change
      // moves so each instance's seat path compiles the new rules for its next checkout.
      {12,
       {
           "CREATE TABLE site_policies ("
           " customer_id BIGINT NOT NULL REFERENCES customers(id),"
           " product_code TEXT NOT NULL,"
           " policy TEXT NOT NULL,"
           " updated_at_ms BIGINT NOT NULL,"
           " PRIMARY KEY (customer_id, product_code))",
           "INSERT INTO counters (name, value) VALUES ('policy_generation', 0)",
       }},
      // The denials report (docs/admin-api.md, "Denials") reads a range of denial records only:
      // a partial index, which costs the other records' inserts nothing.
      {13,
       {
           "CREATE INDEX usage_denials_by_time ON usage_records (at_ms) WHERE event = 'denial'",
       }},
      // Hourly roll-ups of the usage records (docs/benchmarks.md, "Usage reports"), written by
      // the roll-up sweep for closed hours: the hours rolled up and their record counts (-1:
      // stale, a record came late); per license and hour, what a report merges (`changes`:
      // "offset_ms,seq,delta;" per change of units in use, in the order written, "*" or "+"
      // after the delta of a change of one way only, domain/usage_hours.hpp); per license and UTC
      // day, who held or took units, bit h of `hours` for hour h (of `carried_hours` when only a
      // lease carried into the hour brought them).
      {14,
       {
           "CREATE TABLE usage_rollup_hours ("
           " hour_ms BIGINT PRIMARY KEY,"
           " records BIGINT NOT NULL)",
           "CREATE TABLE usage_hours ("
           " hour_ms BIGINT NOT NULL,"
           " license_id BIGINT NOT NULL,"
           " product_code TEXT NOT NULL,"
           " customer_id BIGINT NOT NULL,"
           " account_id BIGINT,"
           " scope TEXT NOT NULL,"
           " start_units BIGINT NOT NULL,"
           " carried_units BIGINT NOT NULL,"
           " peak_units BIGINT NOT NULL,"
           " unit_ms BIGINT NOT NULL,"
           " checkouts BIGINT NOT NULL,"
           " changes TEXT NOT NULL,"
           " PRIMARY KEY (hour_ms, license_id))",
           "CREATE TABLE usage_hour_holders ("
           " day_ms BIGINT NOT NULL,"
           " license_id BIGINT NOT NULL,"
           " user_name TEXT NOT NULL,"
           " host TEXT NOT NULL,"
           " hours BIGINT NOT NULL,"
           " carried_hours BIGINT NOT NULL,"
           " product_code TEXT NOT NULL,"
           " customer_id BIGINT NOT NULL,"
           " account_id BIGINT,"
           " scope TEXT NOT NULL,"
           " PRIMARY KEY (day_ms, license_id, user_name, host))",
       }},
      // A site policy's linger (issue #17): a checked-in lease kept for its holder until its
      // expiry, counted as in use, taken back by the holder's next checkout.
      {15,
       {
           "ALTER TABLE leases ADD COLUMN lingering INTEGER NOT NULL DEFAULT 0",
       }},
      // A site's policy file (issue #17, docs/operations.md "Site policy"): the file a stored
      // policy was loaded from, '' for one set through the admin API, which may not change it.
      {16,
       {
           "ALTER TABLE site_policies ADD COLUMN source TEXT NOT NULL DEFAULT ''",
       }},
      // The server's signing keys (issue #18, docs/operations.md "Signing keys"): Ed25519 keys
      // that sign borrowed leases' tokens, in the database so that every instance on it signs
      // with a key all of them publish. The private key is sealed with the server secret (hex of
      // nonce, AES-256-GCM ciphertext and tag). `retired_at_ms` is NULL for the key that signs;
      // `signed_until_ms` the latest `exp` it signed, up to which a retired key stays published.
      {17,
       {
           "CREATE TABLE signing_keys ("
           " kid TEXT PRIMARY KEY,"
           " public_key TEXT NOT NULL,"
           " sealed_private_key TEXT NOT NULL,"
           " created_at_ms BIGINT NOT NULL,"
           " retired_at_ms BIGINT,"
           " signed_until_ms BIGINT NOT NULL DEFAULT 0)",
       }},
      // Each holder's own use of each hour it held or took units (issue #16, per-user and per-host
      // reports from the roll-ups): "hour:start,carried,peak,unit_ms,checkouts:changes|" or
      // "hour=units|" per hour (storage/sql_usage_rollup_repository.cpp). The hours rolled up
      // before have none: marked stale, they are rolled up again (and replayed until then).
      {18,
       {
           "ALTER TABLE usage_hour_holders ADD COLUMN hour_use TEXT NOT NULL DEFAULT ''",
           "UPDATE usage_rollup_hours SET records = -1",
       }},
      // License ids are never given twice (issue #21): SQLite's plain rowid gave a new license
      // the id of the newest one an End-of-Life deletion removed, so the audit log's
      // `license:ID` named two licenses. SQLite gets the table rebuilt with AUTOINCREMENT (the
      // documented way: new table, copy, drop, rename; foreign keys are off while migrations
      // run), its sequence starting above every id ever given: the licenses left, the deleted
      // ones remembered in retired_licenses and the audit log. PostgreSQL's BIGSERIAL sequence
      // never goes back and needs nothing.
      {19,
       {
           "{sqlite_only}CREATE TABLE licenses_never_reused ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " customer_id INTEGER NOT NULL REFERENCES customers(id),"
           " product_code TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " unit TEXT NOT NULL,"
           " starts_at_ms BIGINT NOT NULL,"
           " expires_at_ms BIGINT NOT NULL,"
           " code_hash TEXT NOT NULL UNIQUE,"
           " created_at_ms BIGINT NOT NULL,"
           " cut_off_at_ms BIGINT,"
           " trial INTEGER NOT NULL DEFAULT 0,"
           " grace_ms BIGINT NOT NULL DEFAULT 0,"
           " notice_days BIGINT NOT NULL DEFAULT 0,"
           " auto_renew INTEGER NOT NULL DEFAULT 0,"
           " plan_id BIGINT)",
           "{sqlite_only}INSERT INTO licenses_never_reused (id, customer_id, product_code, units,"
           " unit, starts_at_ms, expires_at_ms, code_hash, created_at_ms, cut_off_at_ms, trial,"
           " grace_ms, notice_days, auto_renew, plan_id)"
           " SELECT id, customer_id, product_code, units, unit, starts_at_ms, expires_at_ms,"
           " code_hash, created_at_ms, cut_off_at_ms, trial, grace_ms, notice_days, auto_renew,"
           " plan_id FROM licenses",
           "{sqlite_only}DROP TABLE licenses",
           "{sqlite_only}ALTER TABLE licenses_never_reused RENAME TO licenses",
           "{sqlite_only}CREATE INDEX licenses_by_customer ON licenses (customer_id)",
           "{sqlite_only}DELETE FROM sqlite_sequence WHERE name = 'licenses'",
           "{sqlite_only}INSERT INTO sqlite_sequence (name, seq) SELECT 'licenses', max("
           " COALESCE((SELECT MAX(id) FROM licenses), 0),"
           " COALESCE((SELECT MAX(license_id) FROM retired_licenses), 0),"
           " COALESCE((SELECT MAX(CAST(substr(object, 9) AS INTEGER)) FROM audit_log"
           " WHERE object LIKE 'license:%'), 0))",
       }},
      // Entitlements from the vendor (issue #19, docs/entitlements.md): a site server's id,
      // made once; the entitlement each imported license came from (by the vendor's license id,
      // so a newer serial finds the license it replaces); on the vendor's server, the serial
      // each license's terms were last exported with. No foreign key to licenses: an End-of-Life
      // deletion removes licenses, and the serials must outlive them (never given twice).
      {20,
       {
           "CREATE TABLE site_identity ("
           " id INTEGER PRIMARY KEY CHECK (id = 1),"
           " site_id TEXT NOT NULL,"
           " created_at_ms BIGINT NOT NULL)",
           "CREATE TABLE imported_entitlements ("
           " vendor_license BIGINT PRIMARY KEY,"
           " license_id BIGINT NOT NULL,"
           " serial BIGINT NOT NULL,"
           " kid TEXT NOT NULL,"
           " terms TEXT NOT NULL,"
           " imported_at_ms BIGINT NOT NULL)",
           "CREATE TABLE exported_serials ("
           " license_id BIGINT PRIMARY KEY,"
           " serial BIGINT NOT NULL,"
           " terms TEXT NOT NULL)",
       }},
      // The event outbox (issue #21, docs/events.md): events with their random ids in the order
      // stored (`seq`), the subtree each belongs to, and the key of what each tells, so one
      // is never raised twice (also by two instances); the event sweep's mark in counters.
      {21,
       {
           "CREATE TABLE events ("
           " seq {auto_id},"
           " id TEXT NOT NULL UNIQUE,"
           " type TEXT NOT NULL,"
           " at_ms BIGINT NOT NULL,"
           " scope TEXT NOT NULL,"
           " payload TEXT NOT NULL,"
           " dedupe_key TEXT UNIQUE)",
           "INSERT INTO counters (name, value) VALUES ('event_sweep_mark', 0)",
       }},
      // Webhooks (issue #21, docs/events.md): a receiver's URL per place in the tree, its secret
      // sealed with the server secret (signing needs the secret itself); a delivery row per
      // event and webhook above it, made with the event, so the outbox survives any restart.
      {22,
       {
           "CREATE TABLE webhooks ("
           " id {auto_id},"
           " scope TEXT NOT NULL,"
           " url TEXT NOT NULL,"
           " sealed_secret TEXT NOT NULL,"
           " created_at_ms BIGINT NOT NULL)",
           "CREATE TABLE webhook_deliveries ("
           " webhook_id BIGINT NOT NULL,"
           " event_seq BIGINT NOT NULL,"
           " status TEXT NOT NULL,"
           " attempts BIGINT NOT NULL DEFAULT 0,"
           " next_attempt_ms BIGINT NOT NULL,"
           " last_http_status BIGINT,"
           " last_error TEXT NOT NULL DEFAULT '',"
           " delivered_at_ms BIGINT,"
           " PRIMARY KEY (webhook_id, event_seq))",
           "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms)"
           " WHERE status = 'pending'",
       }},
      // The web console's login sessions (issue #20, docs/console.md): the SHA-256 of each
      // session id with the token it was opened with, in the database so that every instance
      // on it knows them.
      {23,
       {
           "CREATE TABLE console_sessions ("
           " id_hash TEXT PRIMARY KEY,"
           " token_id BIGINT NOT NULL,"
           " created_at_ms BIGINT NOT NULL,"
           " expires_at_ms BIGINT NOT NULL)",
           "CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at_ms)",
       }},
      // A license's own renewal period (issue #21, docs/events.md "Auto-renewal"): its plan's, or
      // for a license made without one its first term's length, fixed when it is made. Licenses
      // stored before get their plan's period, else their term's length as it is now (a term
      // renewed by hand before this version has grown: `period_days` says what it became).
      {24,
       {
           "ALTER TABLE licenses ADD COLUMN period_days BIGINT NOT NULL DEFAULT 0",
           "UPDATE licenses SET period_days = COALESCE((SELECT p.period_days FROM service_plans p"
           " WHERE p.id = licenses.plan_id), CASE WHEN expires_at_ms - starts_at_ms < 129600000"
           " THEN 1 ELSE (expires_at_ms - starts_at_ms + 43200000) / 86400000 END)",
       }},
      // Units held without a scan (issue #23, docs/scale-out.md "Units held"): on PostgreSQL a
      // license row keeps the units of its stored leases, moved by a trigger in the transaction
      // of every insert, delete or change of units of a lease, whichever path makes it (seat
      // path, sweep, administrator's release, End-of-Life deletion, a hand-written statement).
      // The seat path already holds the license row lock when it changes a lease's units, so
      // the trigger's update never waits there. CREATE TRIGGER locks out writers of `leases`
      // until the migration commits, so the count written last includes every lease. SQLite
      // needs none: its single lmpd counts the units in memory. No colon in the function body:
      // SOCI would read it as a bind placeholder. Each statement can run again over itself (a
      // test replays the migrations after its own, usage_rollups_test.cpp).
      {25,
       {
           "{postgresql_only}ALTER TABLE licenses ADD COLUMN IF NOT EXISTS units_held BIGINT"
           " NOT NULL DEFAULT 0",
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_count_units_held() RETURNS trigger"
           " LANGUAGE plpgsql AS $$ BEGIN"
           " IF TG_OP <> 'INSERT' THEN"
           " UPDATE licenses SET units_held = units_held - OLD.units WHERE id = OLD.license_id;"
           " END IF;"
           " IF TG_OP <> 'DELETE' THEN"
           " UPDATE licenses SET units_held = units_held + NEW.units WHERE id = NEW.license_id;"
           " END IF;"
           " RETURN NULL; END $$",
           "{postgresql_only}DROP TRIGGER IF EXISTS leases_count_units_held ON leases",
           "{postgresql_only}CREATE TRIGGER leases_count_units_held"
           " AFTER INSERT OR DELETE OR UPDATE OF units, license_id ON leases"
           " FOR EACH ROW EXECUTE FUNCTION lmp_count_units_held()",
           "{postgresql_only}UPDATE licenses SET units_held = (SELECT COALESCE(SUM(units), 0)"
           " FROM leases WHERE leases.license_id = licenses.id)",
       }},
      // Dead rows (issue #23, docs/scale-out.md "For the DBA"): every checkout inserts a lease,
      // every checkin deletes one, every heartbeat writes a new version of one, and every change
      // of units a new version of its license row (units_held). Free room in each page lets a
      // new version stay on its page (HOT for the license row, whose changed column has no
      // index; a lease's expiry is indexed, so its heartbeats cannot be HOT, but staying on the
      // page still spares the heap). Autovacuum thresholds in rows rather than a share of the
      // table: a table that holds a few thousand live rows but turns them over thousands of
      // times a second would otherwise wait for 20% of itself to be dead.
      {26,
       {
           "{postgresql_only}ALTER TABLE leases SET (fillfactor = 70,"
           " autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,"
           " autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,"
           " autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000,"
           " autovacuum_vacuum_cost_delay = 0)",
           "{postgresql_only}ALTER TABLE licenses SET (fillfactor = 50,"
           " autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,"
           " autovacuum_vacuum_cost_delay = 0)",
       }},
      // One round trip per batch (issue #23, docs/scale-out.md "One round trip per batch"): on
      // PostgreSQL the seat path holds a transaction's lease and usage writes back and sends them
      // in one call, as JSON (storage/pending_seat_writes.hpp), together with the license lock and
      // the count of units in use that the next checkout's decision needs: the writes first, in
      // the order the seat path made them, then the lock (the customer's licenses of the
      // product, in id order, as SeatStore::lock_license), then the count (units_held less the
      // leases expired and not reclaimed yet). Each part only when given. The decisions stay in
      // lmpd; the function only applies them and answers the count. No colon in the body (SOCI
      // would read it as a bind placeholder); CREATE OR REPLACE runs again over itself.
      {27,
       {
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_seat_step(p_writes jsonb,"
           " p_lock bigint, p_count bigint, p_now bigint) RETURNS bigint"
           " LANGUAGE plpgsql AS $$ BEGIN"
           " IF p_writes IS NOT NULL THEN"
           " IF p_writes->'inserted' IS NOT NULL THEN"
           " INSERT INTO leases (id, sealed_id, license_id, product_code, holder, holder_proof,"
           " units, issued_at_ms, expires_at_ms, ref, user_name, host, peer, heartbeat_at_ms,"
           " borrowed, instance, lingering)"
           " SELECT x.id, x.sealed_id, x.license_id, x.product_code, x.holder, x.holder_proof,"
           " x.units, x.issued_at_ms, x.expires_at_ms, x.ref, x.user_name, x.host, x.peer,"
           " x.heartbeat_at_ms, x.borrowed, x.instance, x.lingering"
           " FROM jsonb_to_recordset(p_writes->'inserted') AS x(id text, sealed_id text,"
           " license_id integer, product_code text, holder text, holder_proof text, units bigint,"
           " issued_at_ms bigint, expires_at_ms bigint, ref text, user_name text, host text,"
           " peer text, heartbeat_at_ms bigint, borrowed integer, instance text,"
           " lingering integer);"
           " END IF;"
           " IF p_writes->'updated' IS NOT NULL THEN"
           " UPDATE leases le SET expires_at_ms = COALESCE(x.expires_at_ms, le.expires_at_ms),"
           " heartbeat_at_ms = COALESCE(x.heartbeat_at_ms, le.heartbeat_at_ms),"
           " lingering = COALESCE(x.lingering, le.lingering)"
           " FROM jsonb_to_recordset(p_writes->'updated') AS x(id text, expires_at_ms bigint,"
           " heartbeat_at_ms bigint, lingering integer) WHERE le.id = x.id;"
           " END IF;"
           " IF p_writes->'deleted' IS NOT NULL THEN"
           " DELETE FROM leases WHERE id IN"
           " (SELECT jsonb_array_elements_text(p_writes->'deleted'));"
           " END IF;"
           " IF p_writes->'usage' IS NOT NULL THEN"
           " INSERT INTO usage_records (at_ms, event, license_id, product_code, customer_id,"
           " account_id, scope, units, user_name, host, peer, lease_ref, code, since_ms)"
           " SELECT x.at_ms, x.event, x.license_id, x.product_code, x.customer_id, x.account_id,"
           " x.scope, x.units, x.user_name, x.host, x.peer, x.lease_ref, x.code, x.since_ms"
           " FROM ROWS FROM (jsonb_to_recordset(p_writes->'usage') AS (at_ms bigint, event text,"
           " license_id bigint, product_code text, customer_id bigint, account_id bigint,"
           " scope text, units bigint, user_name text, host text, peer text, lease_ref text,"
           " code text, since_ms bigint)) WITH ORDINALITY AS x(at_ms, event, license_id,"
           " product_code, customer_id, account_id, scope, units, user_name, host, peer,"
           " lease_ref, code, since_ms, n) ORDER BY x.n;"
           " END IF;"
           " END IF;"
           " IF p_lock IS NOT NULL THEN"
           " PERFORM id FROM licenses WHERE (customer_id, product_code) ="
           " (SELECT customer_id, product_code FROM licenses WHERE id = p_lock)"
           " ORDER BY id FOR UPDATE;"
           " END IF;"
           " IF p_count IS NULL THEN RETURN NULL; END IF;"
           " RETURN COALESCE((SELECT l.units_held - COALESCE((SELECT SUM(le.units) FROM leases le"
           " WHERE le.license_id = l.id AND le.expires_at_ms <= p_now), 0)"
           " FROM licenses l WHERE l.id = p_count), 0);"
           " END $$",
       }},
      // Password login to the web console (docs/console.md): a user may have a login name
      // (unique on the server) and a password, kept only as its scrypt hash with the salt and
      // the cost it was made with. A console session acts as a token's holder or as a user
      // logged in with a password: the table is made anew (its sessions end: one more login).
      // An account's logo is kept here, so that lmpd serves it under its own origin.
      {28,
       {
           "ALTER TABLE users ADD COLUMN login TEXT",
           "ALTER TABLE users ADD COLUMN password_hash TEXT",
           "ALTER TABLE users ADD COLUMN password_set_at_ms BIGINT",
           "CREATE UNIQUE INDEX users_by_login ON users (login)",
           "DROP TABLE IF EXISTS console_sessions",
           "CREATE TABLE console_sessions ("
           " id_hash TEXT PRIMARY KEY,"
           " user_id BIGINT NOT NULL,"
           " token_id BIGINT,"
           " created_at_ms BIGINT NOT NULL,"
           " expires_at_ms BIGINT NOT NULL)",
           "CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at_ms)",
           "CREATE INDEX console_sessions_by_user ON console_sessions (user_id)",
           "CREATE TABLE branding_logos ("
           " account_id BIGINT PRIMARY KEY,"
           " content_type TEXT NOT NULL,"
           " data_base64 TEXT NOT NULL,"
           " sha256 TEXT NOT NULL,"
           " updated_at_ms BIGINT NOT NULL)",
       }},
      // Waiters across instances (issue #23, docs/scale-out.md "Waiters across instances"): each
      // instance keeps a row for every license it has waiters for, and the leases trigger of
      // migration 25 notifies `lmp_units_freed` (the license id as payload) when it frees units
      // of such a license or of another of the customer's licenses of the product (a site
      // policy's max and reserve count over them together); so does a license whose units
      // grow. Only then: a transaction that notifies takes PostgreSQL's notification lock until
      // it has committed, which would queue every checkin's commit behind the others'. The
      // trigger looks for the row after its update of the license row, whose lock orders it
      // after the transaction that queued a waiter: a waiter is never queued unheard. SOCI reads
      // a colon as a bind placeholder, so the function bodies cast with CAST(p_license AS text),
      // never with PostgreSQL's double colon.
      {29,
       {
           "{postgresql_only}CREATE TABLE IF NOT EXISTS license_waiters ("
           " license_id BIGINT NOT NULL,"
           " instance TEXT NOT NULL,"
           " since_ms BIGINT NOT NULL,"
           " PRIMARY KEY (license_id, instance))",
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_notify_units_freed(p_license bigint)"
           " RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
           // Nobody waits anywhere (the common case): one look at an empty table.
           " IF NOT EXISTS (SELECT 1 FROM license_waiters) THEN RETURN; END IF;"
           " IF EXISTS (SELECT 1 FROM license_waiters w JOIN licenses l ON l.id = w.license_id"
           " JOIN licenses o ON o.customer_id = l.customer_id AND o.product_code = l.product_code"
           " WHERE o.id = p_license) THEN"
           " PERFORM pg_notify('lmp_units_freed', CAST(p_license AS text));"
           " END IF; END $$",
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_count_units_held() RETURNS trigger"
           " LANGUAGE plpgsql AS $$ BEGIN"
           " IF TG_OP <> 'INSERT' THEN"
           " UPDATE licenses SET units_held = units_held - OLD.units WHERE id = OLD.license_id;"
           " END IF;"
           " IF TG_OP <> 'DELETE' THEN"
           " UPDATE licenses SET units_held = units_held + NEW.units WHERE id = NEW.license_id;"
           " END IF;"
           " IF TG_OP = 'DELETE' THEN PERFORM lmp_notify_units_freed(OLD.license_id);"
           " ELSIF TG_OP = 'UPDATE' AND (NEW.license_id <> OLD.license_id"
           " OR NEW.units < OLD.units) THEN PERFORM lmp_notify_units_freed(OLD.license_id);"
           " END IF;"
           " RETURN NULL; END $$",
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_license_units_grew() RETURNS trigger"
           " LANGUAGE plpgsql AS $$ BEGIN PERFORM lmp_notify_units_freed(NEW.id);"
           " RETURN NULL; END $$",
           "{postgresql_only}DROP TRIGGER IF EXISTS licenses_units_grew ON licenses",
           "{postgresql_only}CREATE TRIGGER licenses_units_grew AFTER UPDATE OF units ON licenses"
           " FOR EACH ROW WHEN (NEW.units > OLD.units)"
           " EXECUTE FUNCTION lmp_license_units_grew()",
       }},
      // News (issue #23, docs/scale-out.md "News"): an End-of-Life deletion, which moves the
      // `lease_purge` counter, notifies `lmp_news` with the counter's name
      // (storage/database_news.hpp), so that every instance's seat path keeps the counter between
      // batches instead of reading it at each one. It moves a few times a year.
      {30,
       {
           "{postgresql_only}CREATE OR REPLACE FUNCTION lmp_news_of_counter() RETURNS trigger"
           " LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('lmp_news', NEW.name);"
           " RETURN NULL; END $$",
           "{postgresql_only}DROP TRIGGER IF EXISTS counters_news ON counters",
           "{postgresql_only}CREATE TRIGGER counters_news AFTER UPDATE ON counters"
           " FOR EACH ROW WHEN (NEW.name = 'lease_purge')"
           " EXECUTE FUNCTION lmp_news_of_counter()",
       }},
      // Usage record ids that carry their times (issue #16, docs/benchmarks.md "Usage record ids
      // that carry their times"): on SQLite a record's id is its time shifted left 11 bits plus
      // its place in its millisecond (storage/usage_record_ids.hpp), so the table's own B-tree is
      // the time index and a record costs one B-tree insert instead of two. The stored records
      // are numbered again in time order (ties in the order written) by the writers' rule,
      // id = max(time << 11, previous id + 1) in closed form over the row number; the rule moves
      // a record's time only past the 2,048th record of a millisecond (and a time before 1970 to
      // 0), and the roll-ups from the first hour a record left are made again. PostgreSQL keeps
      // its ids and its time index.
      {31,
       {
           "{sqlite_only}UPDATE usage_rollup_hours SET records = -1 WHERE hour_ms >= ("
           "SELECT MIN(at_ms) / 3600000 * 3600000 FROM ("
           "SELECT at_ms, (n + MAX(t - n) OVER (ORDER BY n)) >> 11 AS new_at FROM ("
           "SELECT at_ms, MIN(MAX(at_ms, 0), 4503599627370495) << 11 AS t,"
           " ROW_NUMBER() OVER (ORDER BY at_ms, id) AS n FROM usage_records))"
           " WHERE new_at <> at_ms)",
           "{sqlite_only}CREATE TABLE usage_records_renumbered ("
           " id INTEGER PRIMARY KEY,"
           " at_ms BIGINT NOT NULL,"
           " event TEXT NOT NULL,"
           " license_id BIGINT NOT NULL,"
           " product_code TEXT NOT NULL,"
           " customer_id BIGINT NOT NULL,"
           " account_id BIGINT,"
           " scope TEXT NOT NULL,"
           " units BIGINT NOT NULL,"
           " user_name TEXT NOT NULL,"
           " host TEXT NOT NULL,"
           " peer TEXT NOT NULL,"
           " lease_ref TEXT NOT NULL,"
           " code TEXT NOT NULL,"
           " since_ms BIGINT)",
           "{sqlite_only}INSERT INTO usage_records_renumbered (id, at_ms, event, license_id,"
           " product_code, customer_id, account_id, scope, units, user_name, host, peer,"
           " lease_ref, code, since_ms)"
           " SELECT new_id, new_id >> 11, event, license_id, product_code, customer_id,"
           " account_id, scope, units, user_name, host, peer, lease_ref, code, since_ms FROM ("
           "SELECT *, n + MAX(t - n) OVER (ORDER BY n) AS new_id FROM ("
           "SELECT *, MIN(MAX(at_ms, 0), 4503599627370495) << 11 AS t,"
           " ROW_NUMBER() OVER (ORDER BY at_ms, id) AS n FROM usage_records))"
           " ORDER BY new_id",
           "{sqlite_only}DROP TABLE usage_records",
           "{sqlite_only}ALTER TABLE usage_records_renumbered RENAME TO usage_records",
           "{sqlite_only}CREATE INDEX usage_denials_by_time ON usage_records (at_ms)"
           " WHERE event = 'denial'",
       }},
  };
  return migrations;
}

int latest_schema_version() {
  const auto& all = schema_migrations();
  return all.empty() ? 0 : all.back().version;
}

namespace {

constexpr std::string_view kSharedOnly = "{shared_only}";
constexpr std::string_view kSqliteOnly = "{sqlite_only}";
constexpr std::string_view kPostgresqlOnly = "{postgresql_only}";

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

void replace_all(std::string& text, std::string_view placeholder, std::string_view value) {
  for (std::size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size()))
    text.replace(at, placeholder.size(), value);
}

bool runs_on(std::string_view statement, const SqlDialect& dialect) {
  if (starts_with(statement, kSqliteOnly)) return dialect.sqlite;
  if (starts_with(statement, kPostgresqlOnly)) return !dialect.sqlite;
  return dialect.shared_database || !starts_with(statement, kSharedOnly);
}

}  // namespace

std::string render_statement(std::string_view statement, const SqlDialect& dialect) {
  if (starts_with(statement, kSharedOnly)) statement.remove_prefix(kSharedOnly.size());
  if (starts_with(statement, kSqliteOnly)) statement.remove_prefix(kSqliteOnly.size());
  if (starts_with(statement, kPostgresqlOnly)) statement.remove_prefix(kPostgresqlOnly.size());
  std::string out(statement);
  replace_all(out, "{auto_id}", dialect.auto_id);
  replace_all(out, "{without_rowid}", dialect.without_rowid);
  return out;
}

namespace {

// The version recorded in the database; 0 for a database that has never been migrated.
// REQUIRES: inside the migrator's write transaction.
int read_version(soci::session& sql) {
  // One row at most is ever written; MAX() also copes with a hand-edited table.
  int version = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

void write_version(soci::session& sql, int version) {
  sql << "DELETE FROM schema_version";
  sql << "INSERT INTO schema_version (version) VALUES (:version)", soci::use(version);
}

void rollback_quietly(soci::session& sql) noexcept {
  try {
    sql << "ROLLBACK";
  } catch (...) {
    // The transaction may already be gone (SQLite rolls back by itself on some errors); the
    // error that brought us here is the one worth reporting.
  }
}

// Runs one step under the write lock: applies the next missing migration, if any. Returns
// false once the database is current.
bool migrate_one_step(soci::session& sql, const SqlDialect& dialect, StoredSecrets& secrets) {
  const int latest = latest_schema_version();
  std::string step = "reading the schema version";
  sql << std::string(dialect.begin_write);
  try {
    if (!dialect.lock_migrations.empty()) sql << std::string(dialect.lock_migrations);
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
    const int current = read_version(sql);
    if (current > latest) {
      rollback_quietly(sql);
      throw StoreError("database schema version " + std::to_string(current) +
                       " is newer than this lmpd supports (" + std::to_string(latest) + ")");
    }
    if (current == latest) {
      sql << "COMMIT";
      return false;
    }
    const Migration& next = schema_migrations()[static_cast<std::size_t>(current)];
    step = "migrating the schema to version " + std::to_string(next.version);
    for (const auto& statement : next.statements) {
      if (runs_on(statement, dialect)) sql << render_statement(statement, dialect);
    }
    if (next.rewrite != nullptr) next.rewrite(sql, secrets);
    write_version(sql, next.version);
    sql << "COMMIT";
    log::info("storage_schema_migrated", {{"version", std::to_string(next.version)}});
    return true;
  } catch (const soci::soci_error& e) {
    rollback_quietly(sql);
    throw StoreError(step + ": " + e.get_error_message());
  }
}

}  // namespace

void migrate_schema(soci::session& sql, const SqlDialect& dialect, StoredSecrets& secrets) {
  try {
    while (migrate_one_step(sql, dialect, secrets)) {
    }
  } catch (const soci::soci_error& e) {
    // Only the opening of the write transaction gets here: waiting for another process's
    // lock past the busy timeout.
    throw StoreError("starting a schema migration: " + e.get_error_message());
  }
}

}  // namespace lmp::storage
