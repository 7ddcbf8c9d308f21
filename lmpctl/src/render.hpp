// The human-readable form of the API's answers: a list's items as a table, any other object as
// key/value lines, times as UTC dates.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lmpctl {

// One cell: text as is, null as "-", a time field as "2026-01-01T00:00:00Z", a list of scalars
// comma-separated, anything else as compact JSON. `key` is the field's name (the last part of a
// dotted path), which tells the time fields.
std::string cell_text(std::string_view key, const boost::json::value& value);

// The items as a table of `columns` (dotted paths into each item; the first item's keys when
// empty).
std::string render_items(const boost::json::array& items,
                         const std::vector<std::string_view>& columns);

// An object as key/value lines, nested objects flattened with dotted keys. An empty object
// renders as nothing.
std::string render_object(const boost::json::object& object);

}  // namespace lmpctl
