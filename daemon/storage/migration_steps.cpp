// The code steps of the schema migrations.
#include "storage/migration_steps.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "lmp/sdk/family.hpp"

namespace lmp::storage {

std::string escaped_seat_holder_key(const std::string& stored) {
  constexpr std::string_view kSeat = "seat:";
  if (!stored.starts_with(kSeat)) return stored;
  const std::string_view rest = std::string_view(stored).substr(kSeat.size());
  const auto separators = std::count(rest.begin(), rest.end(), '@');
  if (separators == 0) return stored;
  if (separators > 1) return {};
  const std::size_t at = rest.find('@');
  return std::string(kSeat) + sdk::escape_holder_field(rest.substr(0, at), '@') +
         std::string(rest.substr(at));
}

void escape_seat_holder_keys(soci::session& sql) {
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

}  // namespace lmp::storage
