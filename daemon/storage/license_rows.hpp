// The rows that both the seat store (`lmpd admin`'s seat-side commands, tests) and the domain's
// repositories create or read: customers, licenses and the product lifecycle rows. A license row
// is bound here once, for both. Included only by daemon/storage/*.cpp (it brings in SOCI).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/license.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_rows.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {

std::optional<std::int64_t> find_customer_id(soci::session& sql, const std::string& name);

// Throws DuplicateError when the name exists. Without an owner the customer goes under the
// parent account (none before `lmpd admin init`; the first run adopts it then).
std::int64_t insert_customer(soci::session& sql, const std::string& name, std::int64_t now_ms,
                             std::optional<std::int64_t> owner_id);

// Throws DuplicateError when the code hash exists. `license.code_hash` is the code's SHA-256; the
// row keeps it keyed with `secrets`. Moves the license generation, so the seat path's cache sees
// the new license in its next transaction.
std::int64_t insert_license(soci::session& sql, const NewLicense& license, StoredSecrets& secrets);

// Every row of product_lifecycle, by product code.
std::vector<StoredLifecycle> read_product_lifecycles(soci::session& sql);

// The one mapping of a `licenses` row, with its customer's name, its owner's path (see
// select_rows in storage/sql_rows.hpp) and its high-water mark of the wall clock: its own or the
// server's, the later. A customer made before the first run has no owner: its path reads "/".
struct LicenseColumns {
  using Row = domain::License;
  static constexpr std::string_view kRead = "read licenses";
  static constexpr std::string_view kSelect =
      "SELECT l.id, l.customer_id, c.name, COALESCE(a.path, '/'), l.product_code, l.units,"
      " l.unit, l.starts_at_ms, l.expires_at_ms, l.cut_off_at_ms, l.trial, l.grace_ms,"
      " l.notice_days, l.auto_renew, l.plan_id, l.period_days, l.created_at_ms,"
      " CASE WHEN COALESCE(m.mark_ms, 0) > COALESCE(s.value, 0) THEN COALESCE(m.mark_ms, 0)"
      " ELSE COALESCE(s.value, 0) END"
      " FROM licenses l JOIN customers c ON c.id = l.customer_id"
      " LEFT JOIN accounts a ON a.id = c.owner_id"
      " LEFT JOIN license_clock_marks m ON m.license_id = l.id"
      " LEFT JOIN counters s ON s.name = 'server_clock_mark'";

  // SOCI keeps references to these and to `row`: both must outlive the statement.
  void bind(soci::statement& st, domain::License& row);
  domain::License finish(const domain::License& row) const;

  std::string unit;
  int trial = 0;
  int auto_renew = 0;
  NullableId cut_off;
  NullableId plan;
};

// The seat path's view of a license: its effective dates (a cut-off, its customer disabled or its
// partner canceled, reads as its end), so the seat path refuses it like any expired license.
LicenseRecord seat_view(const domain::License& license);

}  // namespace lmp::storage
