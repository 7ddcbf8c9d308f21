// The SOCI implementation of DomainStore: plain SQL (prefix matches on materialized paths,
// RETURNING, CASE) that reads the same on SQLite and PostgreSQL.
#include "storage/domain_store.hpp"

#include <soci/soci.h>

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "storage/license_rows.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_session.hpp"

namespace lmp::storage {
namespace {

constexpr std::string_view kAccountColumns =
    "SELECT id, kind, name, parent_id, path, status, status_changed_at_ms, created_at_ms"
    " FROM accounts";

// A customer made before the first run has no owner (owner 0, path "/") until the first run
// adopts it; it is in no caller's subtree meanwhile.
constexpr std::string_view kCustomerColumns =
    "SELECT c.id, c.name, COALESCE(a.id, 0), COALESCE(a.path, '/'), c.status, c.created_at_ms"
    " FROM customers c LEFT JOIN accounts a ON a.id = c.owner_id";

constexpr std::string_view kUserColumns =
    "SELECT id, account_id, customer_id, name, created_at_ms FROM users";

constexpr std::string_view kTokenColumns =
    "SELECT id, user_id, created_at_ms, revoked_at_ms FROM tokens";

constexpr std::string_view kAuditColumns =
    "SELECT id, at_ms, actor_user_id, actor_token_id, actor_scope, scope, action, object,"
    " before_json, after_json FROM audit_log";

constexpr std::string_view kLicenseColumns =
    "SELECT l.id, l.customer_id, COALESCE(a.path, '/'), l.product_code, l.units, l.unit,"
    " l.starts_at_ms, l.expires_at_ms, l.cut_off_at_ms, l.trial, l.grace_ms, l.notice_days,"
    " l.auto_renew, l.plan_id, l.created_at_ms"
    " FROM licenses l JOIN customers c ON c.id = l.customer_id"
    " LEFT JOIN accounts a ON a.id = c.owner_id";

// The licenses of one product, as a sub-select for the End-of-Life deletion.
constexpr std::string_view kProductLicenseIds =
    "SELECT id FROM licenses WHERE product_code = :code";
constexpr std::string_view kPlanColumns =
    "SELECT p.id, p.name, p.owner_id, a.path, p.product_code, p.trial, p.unit, p.period_days,"
    " p.auto_renew, p.notice_days, p.grace_days, p.created_at_ms, p.updated_at_ms"
    " FROM service_plans p JOIN accounts a ON a.id = p.owner_id";

constexpr std::string_view kKeyColumns =
    "SELECT k.id, k.key_hash, k.hint, k.plan_id, k.product_code, k.units, k.issuer_id, a.path,"
    " k.issued_by_user, k.status, k.customer_id, k.license_id, k.created_at_ms, k.changed_at_ms"
    " FROM registration_keys k JOIN accounts a ON a.id = k.issuer_id";

constexpr std::string_view kBumpLicenseGeneration =
    "UPDATE counters SET value = value + 1 WHERE name = 'license_generation'";

// "%" and "_" are LIKE wildcards; paths hold only digits, 'c' and '/', so escaping is not needed,
// but a prefix is still built here in one place.
std::string prefix_pattern(const std::string& path) {
  return path + "%";
}

// A nullable integer column read through a SOCI indicator (SOCI 4.0.3 has no std::optional).
struct NullableId {
  std::int64_t value = 0;
  soci::indicator ind = soci::i_null;
  std::optional<std::int64_t> get() const {
    return ind == soci::i_ok ? std::optional<std::int64_t>(value) : std::nullopt;
  }
};

// A text column read back as one of the domain's enums; a value the domain does not know means the
// row was written by something else than lmpd.
template <class Enum>
Enum parsed_column(std::optional<Enum> value, std::string_view what) {
  if (!value) throw StoreError("a stored row has an unknown " + std::string(what));
  return *value;
}

struct NullableText {
  std::string value;
  soci::indicator ind = soci::i_null;
  std::string get() const { return ind == soci::i_ok ? value : std::string(); }
};

class SqlDomainStore final : public DomainStore {
 public:
  // `write_begin` opens a write transaction: BEGIN IMMEDIATE on SQLite, so the write lock is
  // held before anything is read; BEGIN on PostgreSQL, whose constraints and row locks serialise.
  SqlDomainStore(std::unique_ptr<soci::session> sql, const char* write_begin, bool postgresql)
      : sql_(std::move(sql)), write_begin_(write_begin), postgresql_(postgresql) {}
  ~SqlDomainStore() override { rollback(); }

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

  std::optional<Account> root_account() override {
    return first(select_accounts(" WHERE parent_id IS NULL"));
  }

  std::optional<Account> find_account(std::int64_t id) override {
    return first(select_accounts(" WHERE id = :id", id));
  }

  std::vector<Account> accounts_on_path(const std::string& path) override {
    return select_accounts(" WHERE :path LIKE path || '%' ORDER BY id", path);
  }

  Account create_account(AccountKind kind, const std::string& name, const Account* parent,
                         std::int64_t now_ms) override {
    return guarded("create account", [&] {
      if (name_taken("accounts", name))
        throw DuplicateError("an account with this name already exists");
      const std::string kind_text(to_string(kind));
      const std::string status(to_string(AccountStatus::active));
      NullableId parent_id;
      if (parent != nullptr) parent_id = {parent->id, soci::i_ok};
      const std::string pending = "/";
      std::int64_t id = 0;
      *sql_ << "INSERT INTO accounts (kind, name, parent_id, path, status, status_changed_at_ms,"
               " created_at_ms) VALUES (:kind, :name, :parent_id, :path, :status, :changed,"
               " :created) RETURNING id",
          soci::use(kind_text), soci::use(name), soci::use(parent_id.value, parent_id.ind),
          soci::use(pending), soci::use(status), soci::use(now_ms), soci::use(now_ms),
          soci::into(id);
      const std::string path = (parent == nullptr ? "/" : parent->path) + std::to_string(id) + "/";
      *sql_ << "UPDATE accounts SET path = :path WHERE id = :id", soci::use(path), soci::use(id);
      return *find_account(id);
    });
  }

  std::vector<Account> list_accounts_below(const std::string& path, Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_accounts(
        " WHERE path LIKE :pattern AND path <> :path AND id > :after ORDER BY id LIMIT :limit",
        pattern, path, page.after, page.limit);
  }

  void set_account_status(std::int64_t id, AccountStatus status_value,
                          std::int64_t now_ms) override {
    guarded("set account status", [&] {
      const std::string status(to_string(status_value));
      *sql_ << "UPDATE accounts SET status = :status, status_changed_at_ms = :at WHERE id = :id",
          soci::use(status), soci::use(now_ms), soci::use(id);
    });
  }

  std::set<std::string> permissions(std::int64_t account_id) override {
    return guarded("read permissions", [&] {
      std::set<std::string> names;
      std::string name;
      soci::statement st = (sql_->prepare << "SELECT permission FROM partner_permissions"
                                             " WHERE account_id = :id",
                            soci::into(name), soci::use(account_id));
      st.execute();
      while (st.fetch()) names.insert(name);
      return names;
    });
  }

  void set_permissions(std::int64_t account_id, const std::set<std::string>& names) override {
    guarded("set permissions", [&] {
      *sql_ << "DELETE FROM partner_permissions WHERE account_id = :id", soci::use(account_id);
      for (const auto& name : names)
        *sql_ << "INSERT INTO partner_permissions (account_id, permission) VALUES (:id, :name)",
            soci::use(account_id), soci::use(name);
    });
  }

  std::optional<Customer> find_customer(std::int64_t id) override {
    return first(select_customers(" WHERE c.id = :id", id));
  }

  std::optional<Customer> find_customer_by_name(const std::string& name) override {
    return first(select_customers(" WHERE c.name = :name", name));
  }

  Customer create_customer(const std::string& name, const Account* owner,
                           std::int64_t now_ms) override {
    return guarded("create customer", [&] {
      auto owner_id = owner ? std::optional<std::int64_t>(owner->id) : std::nullopt;
      return *find_customer(insert_customer(*sql_, name, now_ms, owner_id));
    });
  }

  std::int64_t create_license(const NewLicense& license) override {
    return guarded("create license", [&] { return insert_license(*sql_, license); });
  }

  std::vector<Customer> list_customers_under(const std::string& path, Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_customers(
        " WHERE a.path LIKE :pattern AND c.id > :after ORDER BY c.id"
        " LIMIT :limit",
        pattern, page.after, page.limit);
  }

  void set_customer_status(std::int64_t id, CustomerStatus status_value,
                           std::int64_t now_ms) override {
    guarded("set customer status", [&] {
      const std::string status(to_string(status_value));
      *sql_ << "UPDATE customers SET status = :status, status_changed_at_ms = :at WHERE id = :id",
          soci::use(status), soci::use(now_ms), soci::use(id);
    });
  }

  void adopt_orphan_customers(std::int64_t parent_id) override {
    guarded("adopt customers", [&] {
      *sql_ << "UPDATE customers SET owner_id = :owner WHERE owner_id IS NULL",
          soci::use(parent_id);
    });
  }

  std::int64_t cut_off_customer_licenses(std::int64_t customer_id, std::int64_t at_ms) override {
    return change_licenses("cut off licenses",
                           "UPDATE licenses SET cut_off_at_ms = :at WHERE customer_id = :id"
                           " AND (cut_off_at_ms IS NULL OR cut_off_at_ms > :at2)",
                           at_ms, customer_id, at_ms);
  }

  std::int64_t cut_off_licenses_under(const std::string& path, std::int64_t at_ms) override {
    const std::string pattern = prefix_pattern(path);
    return change_licenses(
        "cut off licenses",
        "UPDATE licenses SET cut_off_at_ms = :at WHERE customer_id IN (SELECT c.id FROM"
        " customers c JOIN accounts a ON a.id = c.owner_id WHERE a.path LIKE :pattern)"
        " AND (cut_off_at_ms IS NULL OR cut_off_at_ms > :at2)",
        at_ms, pattern, at_ms);
  }

  std::int64_t restore_customer_licenses(std::int64_t customer_id) override {
    return change_licenses("restore licenses",
                           "UPDATE licenses SET cut_off_at_ms = NULL WHERE customer_id = :id"
                           " AND cut_off_at_ms IS NOT NULL",
                           customer_id);
  }

  std::int64_t license_count(std::int64_t customer_id) override {
    return guarded("count licenses", [&] {
      std::int64_t count = 0;
      *sql_ << "SELECT COUNT(*) FROM licenses WHERE customer_id = :id", soci::use(customer_id),
          soci::into(count);
      return count;
    });
  }

  std::optional<License> find_license(std::int64_t id) override {
    return first(select_licenses(" WHERE l.id = :id", id));
  }

  std::vector<License> list_licenses(const LicenseFilter& filter, Page page) override {
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_customer = filter.customer_id ? 0 : 1;
    const std::int64_t customer = filter.customer_id.value_or(0);
    const int any_product = filter.product.empty() ? 1 : 0;
    return select_licenses(
        " WHERE COALESCE(a.path, '/') LIKE :pattern AND (:any_customer = 1 OR l.customer_id ="
        " :customer) AND (:any_product = 1 OR l.product_code = :product) AND l.id > :after"
        " ORDER BY l.id LIMIT :limit",
        pattern, any_customer, customer, any_product, filter.product, page.after, page.limit);
  }

  void update_license(const License& l) override {
    const int trial = l.trial ? 1 : 0;
    const int auto_renew = l.auto_renew ? 1 : 0;
    change_licenses("update license",
                    "UPDATE licenses SET units = :units, starts_at_ms = :starts, expires_at_ms ="
                    " :expires, trial = :trial, grace_ms = :grace, notice_days = :notice,"
                    " auto_renew = :auto_renew WHERE id = :id",
                    l.units, l.starts_at_ms, l.expires_at_ms, trial, l.grace_ms, l.notice_days,
                    auto_renew, l.id);
  }

  std::int64_t units_in_use(std::int64_t license_id, std::int64_t now_ms) override {
    return guarded("count units in use", [&] {
      std::int64_t used = 0;
      *sql_ << "SELECT COALESCE(SUM(units), 0) FROM leases WHERE license_id = :id"
               " AND expires_at_ms > :now",
          soci::use(license_id), soci::use(now_ms), soci::into(used);
      return used;
    });
  }

  std::optional<RetiredLicense> find_retired_license(std::int64_t id) override {
    return guarded("find retired license", [&]() -> std::optional<RetiredLicense> {
      RetiredLicense r;
      // The latest, should the id have been retired more than once.
      *sql_ << "SELECT license_id, product_code, scope FROM retired_licenses"
               " WHERE license_id = :id ORDER BY id DESC LIMIT 1",
          soci::use(id), soci::into(r.id), soci::into(r.product_code), soci::into(r.scope);
      if (!sql_->got_data()) return std::nullopt;
      return r;
    });
  }

  std::vector<StoredLifecycle> product_lifecycles() override {
    return guarded("read product lifecycle", [&] { return read_product_lifecycles(*sql_); });
  }

  void set_end_of_sale(const std::string& code, std::int64_t at_ms) override {
    set_lifecycle_date(code, "end_of_sale_ms", at_ms);
  }

  void set_end_of_life(const std::string& code, std::int64_t at_ms) override {
    set_lifecycle_date(code, "end_of_life_ms", at_ms);
  }

  bool claim_end_of_life_deletion(const std::string& code, std::int64_t now_ms) override {
    return guarded("claim End-of-Life deletion", [&] {
      ensure_lifecycle_row(code);
      soci::statement st =
          (sql_->prepare << "UPDATE product_lifecycle SET data_deleted_at_ms = :now"
                            " WHERE product_code = :code AND data_deleted_at_ms IS NULL",
           soci::use(now_ms), soci::use(code));
      st.execute(true);
      return st.get_affected_rows() == 1;
    });
  }

  EndOfLifeDeletion delete_product_data(const std::string& code) override {
    return guarded("delete product data", [&] {
      const std::string ids(kProductLicenseIds);
      *sql_ << "INSERT INTO retired_licenses (license_id, code_hash, product_code, scope)"
               " SELECT l.id, l.code_hash, l.product_code,"
               " COALESCE(a.path, '/') || 'c' || CAST(c.id AS TEXT) || '/'"
               " FROM licenses l JOIN customers c ON c.id = l.customer_id"
               " LEFT JOIN accounts a ON a.id = c.owner_id WHERE l.product_code = :code",
          soci::use(code);
      EndOfLifeDeletion out;
      out.leases = delete_rows("DELETE FROM leases WHERE license_id IN (" + ids + ")", code);
      out.activations =
          delete_rows("DELETE FROM activations WHERE license_id IN (" + ids + ")", code);
      // A redeemed key keeps its record (who redeemed it, when) but no longer names a license:
      // SQLite may hand the deleted license's id to a new one.
      delete_rows(
          "UPDATE registration_keys SET license_id = NULL WHERE license_id IN (" + ids + ")", code);
      out.licenses = delete_rows("DELETE FROM licenses WHERE product_code = :code", code);
      *sql_ << std::string(kBumpLicenseGeneration);
      *sql_ << "UPDATE counters SET value = value + 1 WHERE name = 'lease_purge'";
      return out;
    });
  }

  User create_user(const std::string& name, std::optional<std::int64_t> account_id,
                   std::optional<std::int64_t> customer_id, std::int64_t now_ms) override {
    return guarded("create user", [&] {
      NullableId account{account_id.value_or(0), account_id ? soci::i_ok : soci::i_null};
      NullableId customer{customer_id.value_or(0), customer_id ? soci::i_ok : soci::i_null};
      std::int64_t id = 0;
      *sql_ << "INSERT INTO users (account_id, customer_id, name, created_at_ms)"
               " VALUES (:account, :customer, :name, :created) RETURNING id",
          soci::use(account.value, account.ind), soci::use(customer.value, customer.ind),
          soci::use(name), soci::use(now_ms), soci::into(id);
      return *find_user(id);
    });
  }

  std::optional<User> find_user(std::int64_t id) override {
    return first(select_users(" WHERE id = :id", id));
  }

  std::vector<User> list_users(std::optional<std::int64_t> account_id,
                               std::optional<std::int64_t> customer_id, Page page) override {
    const std::int64_t owner = account_id ? *account_id : customer_id.value_or(0);
    const std::string where =
        account_id ? " WHERE account_id = :owner" : " WHERE customer_id = :owner";
    return select_users(where + " AND id > :after ORDER BY id LIMIT :limit", owner, page.after,
                        page.limit);
  }

  Token create_token(std::int64_t user_id, const std::string& token_hash,
                     std::int64_t now_ms) override {
    return guarded("create token", [&] {
      if (find_token_by_hash(token_hash))
        throw DuplicateError("a token with this hash already exists");
      std::int64_t id = 0;
      *sql_ << "INSERT INTO tokens (user_id, token_hash, created_at_ms)"
               " VALUES (:user, :hash, :created) RETURNING id",
          soci::use(user_id), soci::use(token_hash), soci::use(now_ms), soci::into(id);
      return *find_token(id);
    });
  }

  std::optional<Token> find_token_by_hash(const std::string& token_hash) override {
    return first(select_tokens(" WHERE token_hash = :hash", token_hash));
  }

  std::optional<Token> find_token(std::int64_t id) override {
    return first(select_tokens(" WHERE id = :id", id));
  }

  void revoke_token(std::int64_t id, std::int64_t now_ms) override {
    guarded("revoke token", [&] {
      *sql_ << "UPDATE tokens SET revoked_at_ms = :at WHERE id = :id AND revoked_at_ms IS NULL",
          soci::use(now_ms), soci::use(id);
    });
  }

  ServicePlan create_plan(const ServicePlan& p) override {
    return guarded("create plan", [&] {
      if (name_taken("service_plans", p.name))
        throw DuplicateError("a service plan with this name already exists");
      const int trial = p.trial ? 1 : 0;
      const int renew = p.auto_renew ? 1 : 0;
      const std::string unit(to_string(p.unit));
      std::int64_t id = 0;
      *sql_ << "INSERT INTO service_plans (name, owner_id, product_code, trial, unit, period_days,"
               " auto_renew, notice_days, grace_days, created_at_ms, updated_at_ms) VALUES"
               " (:name, :owner, :product, :trial, :unit, :period, :renew, :notice, :grace,"
               " :created, :updated) RETURNING id",
          soci::use(p.name), soci::use(p.owner_id), soci::use(p.product_code), soci::use(trial),
          soci::use(unit), soci::use(p.period_days), soci::use(renew), soci::use(p.notice_days),
          soci::use(p.grace_days), soci::use(p.created_at_ms), soci::use(p.updated_at_ms),
          soci::into(id);
      return *find_plan(id);
    });
  }

  std::optional<ServicePlan> find_plan(std::int64_t id) override {
    return first(select_plans(" WHERE p.id = :id", id));
  }

  std::vector<ServicePlan> list_plans(const std::string& scope, const std::string& product,
                                      Page page) override {
    const std::string pattern = prefix_pattern(scope);
    const int any_product = product.empty() ? 1 : 0;
    return select_plans(
        " WHERE (:scope LIKE a.path || '%' OR a.path LIKE :pattern) AND (:any = 1 OR"
        " p.product_code = :product) AND p.id > :after ORDER BY p.id LIMIT :limit",
        scope, pattern, any_product, product, page.after, page.limit);
  }

  void update_plan(const ServicePlan& p) override {
    guarded("update plan", [&] {
      std::int64_t clash = 0;
      *sql_ << "SELECT COUNT(*) FROM service_plans WHERE name = :name AND id <> :id",
          soci::use(p.name), soci::use(p.id), soci::into(clash);
      if (clash > 0) throw DuplicateError("a service plan with this name already exists");
      const int renew = p.auto_renew ? 1 : 0;
      *sql_ << "UPDATE service_plans SET name = :name, period_days = :period, auto_renew = :renew,"
               " notice_days = :notice, grace_days = :grace, updated_at_ms = :updated"
               " WHERE id = :id",
          soci::use(p.name), soci::use(p.period_days), soci::use(renew), soci::use(p.notice_days),
          soci::use(p.grace_days), soci::use(p.updated_at_ms), soci::use(p.id);
    });
  }

  std::optional<Branding> find_branding(std::int64_t account_id) override {
    return guarded("read branding", [&]() -> std::optional<Branding> {
      Branding b;
      *sql_ << "SELECT account_id, display_name, support_email, support_url, logo_url,"
               " primary_color, updated_at_ms FROM branding WHERE account_id = :id",
          soci::use(account_id), soci::into(b.account_id), soci::into(b.display_name),
          soci::into(b.support_email), soci::into(b.support_url), soci::into(b.logo_url),
          soci::into(b.primary_color), soci::into(b.updated_at_ms);
      if (!sql_->got_data()) return std::nullopt;
      return b;
    });
  }

  void set_branding(const Branding& b) override {
    guarded("write branding", [&] {
      *sql_ << "DELETE FROM branding WHERE account_id = :id", soci::use(b.account_id);
      *sql_ << "INSERT INTO branding (account_id, display_name, support_email, support_url,"
               " logo_url, primary_color, updated_at_ms) VALUES (:id, :name, :email, :url,"
               " :logo, :color, :updated)",
          soci::use(b.account_id), soci::use(b.display_name), soci::use(b.support_email),
          soci::use(b.support_url), soci::use(b.logo_url), soci::use(b.primary_color),
          soci::use(b.updated_at_ms);
    });
  }

  std::int64_t create_key(const RegistrationKey& k) override {
    return guarded("create registration key", [&] {
      std::int64_t clash = 0;
      *sql_ << "SELECT COUNT(*) FROM registration_keys WHERE key_hash = :hash",
          soci::use(k.key_hash), soci::into(clash);
      if (clash > 0) throw DuplicateError("a registration key with this hash already exists");
      const std::string status(to_string(k.status));
      std::int64_t id = 0;
      *sql_ << "INSERT INTO registration_keys (key_hash, hint, plan_id, product_code, units,"
               " issuer_id, issued_by_user, status, created_at_ms) VALUES (:hash, :hint, :plan,"
               " :product, :units, :issuer, :user, :status, :created) RETURNING id",
          soci::use(k.key_hash), soci::use(k.hint), soci::use(k.plan_id), soci::use(k.product_code),
          soci::use(k.units), soci::use(k.issuer_id), soci::use(k.issued_by_user),
          soci::use(status), soci::use(k.created_at_ms), soci::into(id);
      return id;
    });
  }

  std::optional<RegistrationKey> find_key(std::int64_t id) override {
    return first(select_keys(" WHERE k.id = :id", id));
  }

  std::optional<RegistrationKey> find_key_by_hash(const std::string& key_hash) override {
    return first(select_keys(" WHERE k.key_hash = :hash", key_hash));
  }

  std::vector<RegistrationKey> list_keys_under(const std::string& path, Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_keys(" WHERE a.path LIKE :pattern AND k.id > :after ORDER BY k.id LIMIT :limit",
                       pattern, page.after, page.limit);
  }

  bool leave_issued(std::int64_t id, KeyStatus status_value, std::int64_t now_ms) override {
    return guarded("change registration key", [&] {
      const std::string status(to_string(status_value));
      return affected(
                 "UPDATE registration_keys SET status = :status, changed_at_ms = :at"
                 " WHERE id = :id AND status = 'issued'",
                 status, now_ms, id) == 1;
    });
  }

  void set_key_redemption(std::int64_t id, std::int64_t customer_id,
                          std::int64_t license_id) override {
    guarded("record redemption", [&] {
      *sql_ << "UPDATE registration_keys SET customer_id = :customer, license_id = :license"
               " WHERE id = :id",
          soci::use(customer_id), soci::use(license_id), soci::use(id);
    });
  }

  void set_pool(std::int64_t account_id, const std::string& product,
                std::int64_t assigned) override {
    guarded("assign pool", [&] {
      if (affected("UPDATE partner_pools SET assigned = :assigned WHERE account_id = :account"
                   " AND product_code = :product",
                   assigned, account_id, product) == 0)
        *sql_ << "INSERT INTO partner_pools (account_id, product_code, assigned, drawn)"
                 " VALUES (:account, :product, :assigned, 0)",
            soci::use(account_id), soci::use(product), soci::use(assigned);
    });
  }

  std::optional<PartnerPool> find_pool(std::int64_t account_id,
                                       const std::string& product) override {
    return first(select_pools(" WHERE account_id = :account AND product_code = :product",
                              account_id, product));
  }

  std::vector<PartnerPool> list_pools(std::int64_t account_id) override {
    return select_pools(" WHERE account_id = :account ORDER BY product_code", account_id);
  }

  bool change_drawn(std::int64_t account_id, const std::string& product,
                    std::int64_t units) override {
    return guarded("draw from pool", [&] {
      return affected(
                 "UPDATE partner_pools SET drawn = drawn + :units WHERE account_id = :account"
                 " AND product_code = :product AND (:units2 < 0 OR drawn + :units3 <= assigned)",
                 units, account_id, product, units, units) == 1;
    });
  }

  void append_audit(const AuditRecord& r) override {
    guarded("append audit record", [&] {
      NullableId user{r.actor_user_id.value_or(0), r.actor_user_id ? soci::i_ok : soci::i_null};
      NullableId token{r.actor_token_id.value_or(0), r.actor_token_id ? soci::i_ok : soci::i_null};
      soci::indicator before_ind = r.before_json.empty() ? soci::i_null : soci::i_ok;
      soci::indicator after_ind = r.after_json.empty() ? soci::i_null : soci::i_ok;
      *sql_ << "INSERT INTO audit_log (at_ms, actor_user_id, actor_token_id, actor_scope, scope,"
               " action, object, before_json, after_json) VALUES (:at, :user, :token,"
               " :actor_scope, :scope, :action, :object, :before, :after)",
          soci::use(r.at_ms), soci::use(user.value, user.ind), soci::use(token.value, token.ind),
          soci::use(r.actor_scope), soci::use(r.scope), soci::use(r.action), soci::use(r.object),
          soci::use(r.before_json, before_ind), soci::use(r.after_json, after_ind);
    });
  }

  std::vector<AuditRecord> query_audit(const AuditFilter& filter, Page page) override {
    // Every filter is always bound; an absent one is written so that it matches every row.
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_action = filter.action.empty() ? 1 : 0;
    const int any_object = filter.object.empty() ? 1 : 0;
    const std::int64_t from = filter.from_ms.value_or(INT64_MIN);
    const std::int64_t to = filter.to_ms.value_or(INT64_MAX);
    return guarded("query audit log", [&] {
      std::vector<AuditRecord> out;
      AuditRecord r;
      NullableId user, token;
      NullableText before, after;
      soci::statement st =
          (sql_->prepare << std::string(kAuditColumns) +
                                " WHERE scope LIKE :pattern AND (:any_action = 1 OR action ="
                                " :action) AND (:any_object = 1 OR object = :object) AND"
                                " at_ms >= :from AND at_ms < :to AND id > :after ORDER BY id"
                                " LIMIT :limit",
           soci::into(r.id), soci::into(r.at_ms), soci::into(user.value, user.ind),
           soci::into(token.value, token.ind), soci::into(r.actor_scope), soci::into(r.scope),
           soci::into(r.action), soci::into(r.object), soci::into(before.value, before.ind),
           soci::into(after.value, after.ind), soci::use(pattern), soci::use(any_action),
           soci::use(filter.action), soci::use(any_object), soci::use(filter.object),
           soci::use(from), soci::use(to), soci::use(page.after), soci::use(page.limit));
      st.execute();
      while (st.fetch()) {
        r.actor_user_id = user.get();
        r.actor_token_id = token.get();
        r.before_json = before.get();
        r.after_json = after.get();
        out.push_back(r);
      }
      return out;
    });
  }

 private:
  template <class T>
  static std::optional<T> first(std::vector<T> rows) {
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  bool name_taken(const std::string& table, const std::string& name) {
    int count = 0;
    *sql_ << "SELECT COUNT(*) FROM " + table + " WHERE name = :name", soci::use(name),
        soci::into(count);
    return count > 0;
  }

  // Binds `args` in order to the statement's placeholders.
  template <class... Args>
  static void bind_all(soci::statement& st, const Args&... args) {
    (st.exchange(soci::use(args)), ...);
  }

  template <class Row, class Bind, class Finish, class... Args>
  std::vector<Row> select_rows(std::string_view operation, const std::string& query, Bind bind,
                               Finish finish, const Args&... args) {
    return guarded(operation, [&] {
      std::vector<Row> out;
      Row row;
      soci::statement st(*sql_);
      bind(st, row);
      bind_all(st, args...);
      st.alloc();
      st.prepare(query);
      st.define_and_bind();
      st.execute(false);
      while (st.fetch()) out.push_back(finish(row));
      return out;
    });
  }

  template <class... Args>
  std::vector<Account> select_accounts(const std::string& where, const Args&... args) {
    NullableId parent;
    std::string kind, status;
    return select_rows<Account>(
        "read accounts", std::string(kAccountColumns) + where,
        [&](soci::statement& st, Account& a) {
          st.exchange(soci::into(a.id));
          st.exchange(soci::into(kind));
          st.exchange(soci::into(a.name));
          st.exchange(soci::into(parent.value, parent.ind));
          st.exchange(soci::into(a.path));
          st.exchange(soci::into(status));
          st.exchange(soci::into(a.status_changed_at_ms));
          st.exchange(soci::into(a.created_at_ms));
        },
        [&](Account a) {
          a.parent_id = parent.get();
          a.kind = parsed_column(domain::parse<domain::AccountKind>(kind), "account kind");
          a.status = parsed_column(domain::parse<domain::AccountStatus>(status), "account status");
          return a;
        },
        args...);
  }

  template <class... Args>
  std::vector<Customer> select_customers(const std::string& where, const Args&... args) {
    std::string status;
    return select_rows<Customer>(
        "read customers", std::string(kCustomerColumns) + where,
        [&](soci::statement& st, Customer& c) {
          st.exchange(soci::into(c.id));
          st.exchange(soci::into(c.name));
          st.exchange(soci::into(c.owner_id));
          st.exchange(soci::into(c.owner_path));
          st.exchange(soci::into(status));
          st.exchange(soci::into(c.created_at_ms));
        },
        [&](Customer c) {
          c.status =
              parsed_column(domain::parse<domain::CustomerStatus>(status), "customer status");
          return c;
        },
        args...);
  }

  template <class... Args>
  std::vector<User> select_users(const std::string& where, const Args&... args) {
    NullableId account, customer;
    return select_rows<User>(
        "read users", std::string(kUserColumns) + where,
        [&](soci::statement& st, User& u) {
          st.exchange(soci::into(u.id));
          st.exchange(soci::into(account.value, account.ind));
          st.exchange(soci::into(customer.value, customer.ind));
          st.exchange(soci::into(u.name));
          st.exchange(soci::into(u.created_at_ms));
        },
        [&](User u) {
          u.account_id = account.get();
          u.customer_id = customer.get();
          return u;
        },
        args...);
  }

  template <class... Args>
  std::vector<Token> select_tokens(const std::string& where, const Args&... args) {
    NullableId revoked;
    return select_rows<Token>(
        "read tokens", std::string(kTokenColumns) + where,
        [&](soci::statement& st, Token& t) {
          st.exchange(soci::into(t.id));
          st.exchange(soci::into(t.user_id));
          st.exchange(soci::into(t.created_at_ms));
          st.exchange(soci::into(revoked.value, revoked.ind));
        },
        [&](Token t) {
          t.revoked_at_ms = revoked.get();
          return t;
        },
        args...);
  }

  template <class... Args>
  std::vector<License> select_licenses(const std::string& where, const Args&... args) {
    NullableId cut_off, plan;
    int trial = 0, auto_renew = 0;
    std::string unit;
    return select_rows<License>(
        "read licenses", std::string(kLicenseColumns) + where,
        [&](soci::statement& st, License& l) {
          st.exchange(soci::into(l.id));
          st.exchange(soci::into(l.customer_id));
          st.exchange(soci::into(l.scope));
          st.exchange(soci::into(l.product_code));
          st.exchange(soci::into(l.units));
          st.exchange(soci::into(unit));
          st.exchange(soci::into(l.starts_at_ms));
          st.exchange(soci::into(l.expires_at_ms));
          st.exchange(soci::into(cut_off.value, cut_off.ind));
          st.exchange(soci::into(trial));
          st.exchange(soci::into(l.grace_ms));
          st.exchange(soci::into(l.notice_days));
          st.exchange(soci::into(auto_renew));
          st.exchange(soci::into(plan.value, plan.ind));
          st.exchange(soci::into(l.created_at_ms));
        },
        [&](License l) {
          // The column holds the owner's path; the license's scope is its customer's.
          l.scope += "c" + std::to_string(l.customer_id) + "/";
          l.cut_off_at_ms = cut_off.get();
          l.plan_id = plan.get();
          l.unit = parsed_column(domain::parse<domain::UnitType>(unit), "unit");
          l.trial = trial != 0;
          l.auto_renew = auto_renew != 0;
          return l;
        },
        args...);
  }

  template <class... Args>
  std::vector<ServicePlan> select_plans(const std::string& where, const Args&... args) {
    int trial = 0, renew = 0;
    std::string unit;
    return select_rows<ServicePlan>(
        "read plans", std::string(kPlanColumns) + where,
        [&](soci::statement& st, ServicePlan& p) {
          st.exchange(soci::into(p.id));
          st.exchange(soci::into(p.name));
          st.exchange(soci::into(p.owner_id));
          st.exchange(soci::into(p.owner_path));
          st.exchange(soci::into(p.product_code));
          st.exchange(soci::into(trial));
          st.exchange(soci::into(unit));
          st.exchange(soci::into(p.period_days));
          st.exchange(soci::into(renew));
          st.exchange(soci::into(p.notice_days));
          st.exchange(soci::into(p.grace_days));
          st.exchange(soci::into(p.created_at_ms));
          st.exchange(soci::into(p.updated_at_ms));
        },
        [&](ServicePlan p) {
          p.trial = trial != 0;
          p.auto_renew = renew != 0;
          p.unit = parsed_column(domain::parse<domain::UnitType>(unit), "unit");
          return p;
        },
        args...);
  }

  // Both databases know INSERT ... ON CONFLICT DO NOTHING (SQLite since 3.24).
  void ensure_lifecycle_row(const std::string& code) {
    *sql_ << "INSERT INTO product_lifecycle (product_code) VALUES (:code)"
             " ON CONFLICT (product_code) DO NOTHING",
        soci::use(code);
  }

  void set_lifecycle_date(const std::string& code, const std::string& column, std::int64_t at_ms) {
    guarded("set product lifecycle", [&] {
      ensure_lifecycle_row(code);
      *sql_ << "UPDATE product_lifecycle SET " + column + " = :at WHERE product_code = :code",
          soci::use(at_ms), soci::use(code);
      *sql_ << std::string(kBumpLicenseGeneration);
    });
  }

  std::int64_t delete_rows(const std::string& statement, const std::string& code) {
    soci::statement st = (sql_->prepare << statement, soci::use(code));
    st.execute(true);
    return static_cast<std::int64_t>(st.get_affected_rows());
  }

  template <class... Args>
  std::vector<RegistrationKey> select_keys(const std::string& where, const Args&... args) {
    NullableId customer, license, changed;
    std::string status;
    return select_rows<RegistrationKey>(
        "read registration keys", std::string(kKeyColumns) + where,
        [&](soci::statement& st, RegistrationKey& k) {
          st.exchange(soci::into(k.id));
          st.exchange(soci::into(k.key_hash));
          st.exchange(soci::into(k.hint));
          st.exchange(soci::into(k.plan_id));
          st.exchange(soci::into(k.product_code));
          st.exchange(soci::into(k.units));
          st.exchange(soci::into(k.issuer_id));
          st.exchange(soci::into(k.issuer_path));
          st.exchange(soci::into(k.issued_by_user));
          st.exchange(soci::into(status));
          st.exchange(soci::into(customer.value, customer.ind));
          st.exchange(soci::into(license.value, license.ind));
          st.exchange(soci::into(k.created_at_ms));
          st.exchange(soci::into(changed.value, changed.ind));
        },
        [&](RegistrationKey k) {
          k.customer_id = customer.get();
          k.license_id = license.get();
          k.changed_at_ms = changed.get();
          k.status = parsed_column(domain::parse<domain::KeyStatus>(status), "key status");
          return k;
        },
        args...);
  }

  template <class... Args>
  std::vector<PartnerPool> select_pools(const std::string& where, const Args&... args) {
    return select_rows<PartnerPool>(
        "read pools", "SELECT account_id, product_code, assigned, drawn FROM partner_pools" + where,
        [&](soci::statement& st, PartnerPool& p) {
          st.exchange(soci::into(p.account_id));
          st.exchange(soci::into(p.product_code));
          st.exchange(soci::into(p.assigned));
          st.exchange(soci::into(p.drawn));
        },
        [](PartnerPool p) { return p; }, args...);
  }

  // Runs an UPDATE and returns how many rows it changed.
  template <class... Args>
  std::int64_t affected(const std::string& update, const Args&... args) {
    soci::statement st(*sql_);
    bind_all(st, args...);
    st.alloc();
    st.prepare(update);
    st.define_and_bind();
    st.execute(true);
    return static_cast<std::int64_t>(st.get_affected_rows());
  }

  // Runs a license UPDATE, moves the license generation when it changed rows, returns how many.
  template <class... Args>
  std::int64_t change_licenses(std::string_view operation, const std::string& update,
                               const Args&... args) {
    return guarded(operation, [&] {
      soci::statement st(*sql_);
      bind_all(st, args...);
      st.alloc();
      st.prepare(update);
      st.define_and_bind();
      st.execute(true);
      const auto changed = static_cast<std::int64_t>(st.get_affected_rows());
      if (changed > 0) *sql_ << std::string(kBumpLicenseGeneration);
      return changed;
    });
  }

  // After a PostgreSQL restart the call that found the connection broken failed (503); the next
  // one connects again. Statements here live for one call only, so nothing else needs renewing.
  void reconnect_if_lost() {
    if (postgresql_ && !sql_->is_connected()) {
      guarded("reconnect to PostgreSQL", [&] {
        sql_->reconnect();
        configure_postgresql_session(*sql_);
      });
    }
  }

  std::unique_ptr<soci::session> sql_;
  const char* write_begin_;
  bool postgresql_ = false;
  SessionTransaction transaction_{*sql_};
};

}  // namespace

std::unique_ptr<DomainStore> DomainStore::open(const Options& storage) {
  if (storage.backend == Backend::postgresql)
    return std::make_unique<SqlDomainStore>(open_postgresql_session(storage), "BEGIN", true);
  return std::make_unique<SqlDomainStore>(open_sqlite_session(storage), "BEGIN IMMEDIATE", false);
}

}  // namespace lmp::storage
