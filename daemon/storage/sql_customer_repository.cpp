// The customers in SQL. A customer's scope is its owner's path and "c<id>/".
#include <string>

#include "storage/license_rows.hpp"
#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Customer;
using domain::CustomerStatus;

// A customer made before the first run has no owner (owner 0, path "/") until the first run
// adopts it; it is in no caller's subtree meanwhile.
struct CustomerColumns {
  using Row = Customer;
  static constexpr std::string_view kRead = "read customers";
  static constexpr std::string_view kSelect =
      "SELECT c.id, c.name, COALESCE(a.id, 0), COALESCE(a.path, '/'), c.status, c.created_at_ms"
      " FROM customers c LEFT JOIN accounts a ON a.id = c.owner_id";

  void bind(soci::statement& st, Customer& c) {
    bind_columns(st, c.id, c.name, c.owner_id, c.owner_path, status, c.created_at_ms);
  }
  Customer finish(Customer c) const {
    c.status = enum_column<CustomerStatus>(status, "customer status");
    return c;
  }

  std::string status;
};

class SqlCustomerRepository final : public domain::CustomerRepository {
 public:
  explicit SqlCustomerRepository(soci::session& sql) : sql_(sql) {}

  std::optional<Customer> find(std::int64_t id) override {
    return first(select_rows<CustomerColumns>(sql_, " WHERE c.id = :id", id));
  }

  std::optional<Customer> find_by_name(const std::string& name) override {
    return first(select_rows<CustomerColumns>(sql_, " WHERE c.name = :name", name));
  }

  Customer create(const std::string& name, const domain::Account* owner,
                  std::int64_t now_ms) override {
    const auto owner_id = owner ? std::optional<std::int64_t>(owner->id) : std::nullopt;
    return *find(
        guarded("create customer", [&] { return insert_customer(sql_, name, now_ms, owner_id); }));
  }

  std::vector<Customer> list_under(const std::string& path, domain::Page page) override {
    const std::string pattern = prefix_pattern(path);
    return select_rows<CustomerColumns>(
        sql_, " WHERE a.path LIKE :pattern AND c.id > :after ORDER BY c.id LIMIT :limit", pattern,
        page.after, page.limit);
  }

  void set_status(std::int64_t id, CustomerStatus status, std::int64_t now_ms) override {
    guarded("set customer status", [&] {
      const std::string text(to_string(status));
      sql_ << "UPDATE customers SET status = :status, status_changed_at_ms = :at WHERE id = :id",
          soci::use(text), soci::use(now_ms), soci::use(id);
    });
  }

  void rename(std::int64_t id, const std::string& name) override {
    if (auto holder = find_by_name(name); holder && holder->id != id)
      throw domain::DuplicateError("a customer named '" + name + "' exists");
    guarded("rename customer", [&] {
      sql_ << "UPDATE customers SET name = :name WHERE id = :id", soci::use(name), soci::use(id);
    });
  }

  void remove(std::int64_t id) override {
    guarded("delete customer", [&] {
      sql_ << "DELETE FROM tokens WHERE user_id IN (SELECT id FROM users WHERE customer_id = :id)",
          soci::use(id);
      sql_ << "DELETE FROM users WHERE customer_id = :id", soci::use(id);
      sql_ << "UPDATE registration_keys SET customer_id = NULL WHERE customer_id = :id",
          soci::use(id);
      sql_ << "DELETE FROM customers WHERE id = :id", soci::use(id);
    });
  }

  void adopt_orphans(std::int64_t parent_id) override {
    guarded("adopt customers", [&] {
      sql_ << "UPDATE customers SET owner_id = :owner WHERE owner_id IS NULL", soci::use(parent_id);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::CustomerRepository> sql_customer_repository(soci::session& sql) {
  return std::make_unique<SqlCustomerRepository>(sql);
}

}  // namespace lmp::storage
