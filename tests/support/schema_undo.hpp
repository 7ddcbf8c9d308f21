// Taking a test database back to an older schema version: what the later migrations made goes
// (the tables, indexes and columns they add, the counters they insert), newest first, so that a
// test of an upgrade from that version keeps working as migrations are appended after it.
#pragma once

#include <soci/soci.h>

#include <regex>
#include <string>

#include "storage/schema_migrations.hpp"

namespace lmp::test {

// Undoes the migrations after `version` on `sql` and records `version` as the schema's.
// `postgresql`: which backend's {sqlite_only} / {postgresql_only} statements ran.
inline void undo_migrations_after(soci::session& sql, int version, bool postgresql) {
  const std::regex creates(R"(^(\{[a-z_]+\})?CREATE TABLE (\w+))");
  const std::regex indexes(R"(^(\{[a-z_]+\})?CREATE (UNIQUE )?INDEX (\w+))");
  const std::regex counts(R"(^INSERT INTO counters \(name, value\) VALUES \('(\w+)')");
  const std::regex adds(R"(^(\{[a-z_]+\})?ALTER TABLE (\w+) ADD COLUMN (IF NOT EXISTS )?(\w+))");
  const std::string this_backend = postgresql ? "{postgresql_only}" : "{sqlite_only}";
  const auto& all = storage::schema_migrations();
  for (auto migration = all.rbegin(); migration != all.rend(); ++migration) {
    if (migration->version <= version) break;
    const auto& statements = migration->statements;
    for (auto statement = statements.rbegin(); statement != statements.rend(); ++statement) {
      std::smatch m;
      if (std::regex_search(*statement, m, creates)) {
        sql << "DROP TABLE IF EXISTS " + m[2].str();
      } else if (std::regex_search(*statement, m, indexes)) {
        sql << "DROP INDEX IF EXISTS " + m[3].str();
      } else if (std::regex_search(*statement, m, counts)) {
        sql << "DELETE FROM counters WHERE name = '" + m[1].str() + "'";
      } else if (std::regex_search(*statement, m, adds) &&
                 (!m[1].matched || m[1].str() == this_backend)) {
        sql << "ALTER TABLE " + m[2].str() + " DROP COLUMN " + m[4].str();
      }
    }
  }
  sql << "UPDATE schema_version SET version = " + std::to_string(version);
}

}  // namespace lmp::test
