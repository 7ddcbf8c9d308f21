// What the SQL repositories share: nullable columns, enum columns, path prefixes, binding a list
// of values, and reading rows through a table's row mapper. Included only by daemon/storage/*.cpp
// (it brings in SOCI).
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/enum_names.hpp"
#include "domain/store_error.hpp"
#include "storage/sql_session.hpp"

namespace lmp::storage {

inline constexpr std::string_view kBumpLicenseGeneration =
    "UPDATE counters SET value = value + 1 WHERE name = 'license_generation'";
inline constexpr std::string_view kBumpPolicyGeneration =
    "UPDATE counters SET value = value + 1 WHERE name = 'policy_generation'";

// A nullable integer column read or written through a SOCI indicator (SOCI 4.0.3 has no
// std::optional).
struct NullableId {
  std::int64_t value = 0;
  soci::indicator ind = soci::i_null;

  NullableId() = default;
  explicit NullableId(const std::optional<std::int64_t>& v)
      : value(v.value_or(0)), ind(v ? soci::i_ok : soci::i_null) {}
  std::optional<std::int64_t> get() const {
    return ind == soci::i_ok ? std::optional<std::int64_t>(value) : std::nullopt;
  }
};

struct NullableText {
  std::string value;
  soci::indicator ind = soci::i_null;
  std::string get() const { return ind == soci::i_ok ? value : std::string(); }
};

// A text column read back as one of the domain's enums; a value the domain does not know means
// the row was written by something other than lmpd.
template <domain::NamedEnum Enum>
Enum enum_column(const std::string& text, std::string_view what) {
  if (auto value = domain::parse<Enum>(text)) return *value;
  throw domain::StoreError("a stored row has an unknown " + std::string(what));
}

// The LIKE pattern of everything below `path`. Paths hold only digits, 'c' and '/', so no
// wildcard needs escaping; the pattern is still built in this one place.
inline std::string prefix_pattern(const std::string& path) {
  return path + "%";
}

template <class T>
std::optional<T> first(std::vector<T> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// Binds `args` in order to the statement's placeholders.
template <class... Args>
void bind_all(soci::statement& st, const Args&... args) {
  (st.exchange(soci::use(args)), ...);
}

// An into() for each column, in order; nullable columns through their indicators.
inline void bind_column(soci::statement& st, NullableId& column) {
  st.exchange(soci::into(column.value, column.ind));
}
inline void bind_column(soci::statement& st, NullableText& column) {
  st.exchange(soci::into(column.value, column.ind));
}
template <class T>
void bind_column(soci::statement& st, T& column) {
  st.exchange(soci::into(column));
}
template <class... Columns>
void bind_columns(soci::statement& st, Columns&... columns) {
  (bind_column(st, columns), ...);
}

// Prepares `query` on `st` once every value is bound.
inline void finish_prepare(soci::statement& st, const std::string& query) {
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
}

// Runs `query` (an UPDATE or DELETE) with `args` and returns how many rows it changed.
template <class... Args>
std::int64_t affected(soci::session& sql, const std::string& query, const Args&... args) {
  soci::statement st(sql);
  bind_all(st, args...);
  finish_prepare(st, query);
  st.execute(true);
  return static_cast<std::int64_t>(st.get_affected_rows());
}

// The rows a table's mapper reads: `Columns` is the one binding of that table's row, with
//   using Row = <the entity>;  kRead (the operation's name in errors);
//   kSelect (the SELECT of its columns; `where` is appended);
//   bind(statement, row): bind_columns() of every column, in kSelect's order;
//   finish(row): the entity of the row just fetched (enums parsed, nullable columns read).
template <class Columns, class... Args>
std::vector<typename Columns::Row> select_rows(soci::session& sql, const std::string& where,
                                               const Args&... args) {
  return guarded(Columns::kRead, [&] {
    std::vector<typename Columns::Row> out;
    Columns columns;
    typename Columns::Row row;
    soci::statement st(sql);
    columns.bind(st, row);
    bind_all(st, args...);
    finish_prepare(st, std::string(Columns::kSelect) + where);
    st.execute(false);
    while (st.fetch()) out.push_back(columns.finish(row));
    return out;
  });
}

}  // namespace lmp::storage
