// The code steps of the schema migrations.
#include "storage/migration_steps.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/stored_secrets.hpp"

namespace lmp::storage {

namespace {

// sdk::escape_holder_field as version 7 shipped it, frozen here: a migration must rewrite a
// database the same way whenever it runs, whatever later versions of the SDK escape.
std::string escape_holder_field_v7(std::string_view field) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(field.size());
  for (const char c : field) {
    if (c == '%' || c == '@') {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escaped_seat_holder_key(const std::string& stored) {
  constexpr std::string_view kSeat = "seat:";
  if (!stored.starts_with(kSeat)) return stored;
  const std::string_view rest = std::string_view(stored).substr(kSeat.size());
  const auto separators = std::count(rest.begin(), rest.end(), '@');
  if (separators == 0) return stored;
  if (separators > 1) return {};
  const std::size_t at = rest.find('@');
  return std::string(kSeat) + escape_holder_field_v7(rest.substr(0, at)) +
         std::string(rest.substr(at));
}

void escape_seat_holder_keys(soci::session& sql, StoredSecrets&) {
  std::vector<std::pair<std::string, std::string>> changes;  // lease id, new holder key
  std::string id;
  std::string holder;
  const std::string prefix = "seat:";
  soci::statement select = (sql.prepare << "SELECT id, holder FROM leases"
                                           " WHERE substr(holder, 1, 5) = :prefix",
                            soci::into(id), soci::into(holder), soci::use(prefix));
  select.execute();
  while (select.fetch()) {
    std::string escaped = escaped_seat_holder_key(holder);
    if (escaped != holder) changes.emplace_back(id, std::move(escaped));
  }
  for (const auto& [lease, key] : changes)
    sql << "UPDATE leases SET holder = :holder WHERE id = :id", soci::use(key), soci::use(lease);
}

namespace {

// Rewrites one text column of every row of `table` (keyed by the integer `id`) through `keyed`.
template <class Keyed>
void key_column(soci::session& sql, const std::string& table, const std::string& column,
                Keyed keyed) {
  std::vector<std::pair<std::int64_t, std::string>> rows;
  std::int64_t id = 0;
  std::string value;
  soci::statement select =
      (sql.prepare << "SELECT id, " + column + " FROM " + table, soci::into(id), soci::into(value));
  select.execute();
  while (select.fetch()) rows.emplace_back(id, keyed(value));
  soci::statement update =
      (sql.prepare << "UPDATE " + table + " SET " + column + " = :value WHERE id = :id",
       soci::use(value), soci::use(id));
  for (auto& [row, keyed_value] : rows) {
    id = row;
    value = std::move(keyed_value);
    update.execute(true);
  }
}

struct LeaseRow {
  std::string id;
  std::string row_key;
  std::string sealed;
  std::string proof;
};

}  // namespace

void key_stored_secrets(soci::session& sql, StoredSecrets& secrets) {
  key_column(sql, "licenses", "code_hash",
             [&](const std::string& digest) { return secrets.code_hash(digest); });
  key_column(sql, "retired_licenses", "code_hash",
             [&](const std::string& digest) { return secrets.code_hash(digest); });
  key_column(sql, "registration_keys", "key_hash",
             [&](const std::string& digest) { return secrets.key_hash(digest); });

  std::vector<LeaseRow> leases;
  std::string id;
  std::string proof;
  soci::statement select =
      (sql.prepare << "SELECT id, holder_proof FROM leases", soci::into(id), soci::into(proof));
  select.execute();
  while (select.fetch()) {
    LeaseRow row;
    row.id = id;
    row.row_key = secrets.lease_row_key(id);
    row.sealed = secrets.seal_lease_id(id, row.row_key);
    row.proof = proof.empty() ? std::string() : secrets.holder_proof_of_digest(proof);
    leases.push_back(std::move(row));
  }
  LeaseRow bound;
  soci::statement update =
      (sql.prepare << "UPDATE leases SET id = :row_key, sealed_id = :sealed, holder_proof = :proof"
                      " WHERE id = :id",
       soci::use(bound.row_key), soci::use(bound.sealed), soci::use(bound.proof),
       soci::use(bound.id));
  for (auto& lease : leases) {
    bound = std::move(lease);
    update.execute(true);
  }

  const std::string check = secrets.check_value();
  sql << "INSERT INTO server_secret (check_value) VALUES (:check)", soci::use(check);
}

}  // namespace lmp::storage
