// The live leases in SQL for the admin API, each with its license's customer and place in the
// tree. Read only: the seat path writes leases (storage/sql_seat_store.cpp).
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Lease;

struct LeaseColumns {
  using Row = Lease;
  static constexpr std::string_view kRead = "read leases";
  static constexpr std::string_view kSelect =
      "SELECT le.ref, le.license_id, le.product_code, l.customer_id, c.owner_id,"
      " COALESCE(a.path, '/'), le.units, le.user_name, le.host, le.peer, le.issued_at_ms,"
      " le.heartbeat_at_ms, le.expires_at_ms, le.borrowed, le.instance,"
      " le.lingering"
      " FROM leases le JOIN licenses l ON l.id = le.license_id"
      " JOIN customers c ON c.id = l.customer_id LEFT JOIN accounts a ON a.id = c.owner_id";

  void bind(soci::statement& st, Lease& r) {
    bind_columns(st, r.ref, r.license_id, r.product_code, r.customer_id, account, r.scope, r.units,
                 r.user, r.host, r.peer, r.checked_out_ms, r.heartbeat_ms, r.expires_ms, borrowed,
                 r.instance, lingering);
  }
  Lease finish(Lease r) const {
    // The column holds the owner's path; the lease's scope is its customer's.
    r.scope += "c" + std::to_string(r.customer_id) + "/";
    r.account_id = account.get();
    r.borrowed = borrowed != 0;
    r.lingering = lingering != 0;
    return r;
  }

  NullableId account;
  int borrowed = 0;
  int lingering = 0;
};

class SqlLeaseRepository final : public domain::LeaseRepository {
 public:
  explicit SqlLeaseRepository(soci::session& sql) : sql_(sql) {}

  std::vector<Lease> list(const domain::LeaseFilter& filter, const domain::LeasePage& page,
                          std::int64_t now_ms) override {
    // Every filter is always bound; an absent one is written so that it matches every row.
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_license = filter.license_id ? 0 : 1;
    const std::int64_t license = filter.license_id.value_or(0);
    const int any_customer = filter.customer_id ? 0 : 1;
    const std::int64_t customer = filter.customer_id.value_or(0);
    const int any_product = filter.product.empty() ? 1 : 0;
    const int any_user = filter.user.empty() ? 1 : 0;
    const int any_host = filter.host.empty() ? 1 : 0;
    const int any_borrowed = filter.borrowed ? 0 : 1;
    const int borrowed = filter.borrowed.value_or(false) ? 1 : 0;
    return select_rows<LeaseColumns>(
        sql_,
        " WHERE le.expires_at_ms > :now"
        " AND (COALESCE(a.path, '/') || 'c' || l.customer_id || '/') LIKE :pattern"
        " AND (:any_license = 1 OR le.license_id = :license)"
        " AND (:any_customer = 1 OR l.customer_id = :customer)"
        " AND (:any_product = 1 OR le.product_code = :product)"
        " AND (:any_user = 1 OR le.user_name = :user) AND (:any_host = 1 OR le.host = :host)"
        " AND (:any_borrowed = 1 OR le.borrowed = :borrowed)"
        " AND le.ref > :after ORDER BY le.ref LIMIT :limit",
        now_ms, pattern, any_license, license, any_customer, customer, any_product, filter.product,
        any_user, filter.user, any_host, filter.host, any_borrowed, borrowed, page.after,
        page.limit);
  }

  std::optional<Lease> find(const std::string& ref, std::int64_t now_ms) override {
    return first(select_rows<LeaseColumns>(sql_, " WHERE le.ref = :ref AND le.expires_at_ms > :now",
                                           ref, now_ms));
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::LeaseRepository> sql_lease_repository(soci::session& sql) {
  return std::make_unique<SqlLeaseRepository>(sql);
}

}  // namespace lmp::storage
