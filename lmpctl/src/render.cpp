// Turning JSON answers into cells, tables and key/value lines.
#include "render.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <ctime>

#include "text_table.hpp"

namespace lmpctl {
namespace json = boost::json;

namespace {

// The fields of the API that hold Unix seconds. A new endpoint's time fields go here.
constexpr std::array<std::string_view, 23> kTimeFields = {
    "created",     "status_changed", "time",         "expires",      "revoked",
    "starts",      "end_of_sale",    "end_of_life",  "data_deleted", "token_expires",
    "checked_out", "last_heartbeat", "released",     "from",         "to",
    "first",       "last",           "next_attempt", "delivered_at", "updated",
    "changed",     "disabled",       "last_used"};

bool is_time_field(std::string_view key) {
  return std::find(kTimeFields.begin(), kTimeFields.end(), key) != kTimeFields.end();
}

const json::value* at_path(const json::object& object, std::string_view path) {
  const json::object* current = &object;
  while (true) {
    const auto dot = path.find('.');
    const json::value* value = current->if_contains(path.substr(0, dot));
    if (value == nullptr || dot == std::string_view::npos) return value;
    if (!value->is_object()) return nullptr;
    current = &value->get_object();
    path.remove_prefix(dot + 1);
  }
}

std::string_view last_part(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string header_of(std::string_view column) {
  std::string out;
  for (char c : column) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void flatten(const json::object& object, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& lines) {
  for (const auto& entry : object) {
    const std::string key = prefix + std::string(entry.key());
    if (entry.value().is_object() && !entry.value().get_object().empty())
      flatten(entry.value().get_object(), key + ".", lines);
    else
      lines.emplace_back(printable(key), cell_text(entry.key(), entry.value()));
  }
}

}  // namespace

std::string cell_text(std::string_view key, const json::value& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return printable(value.get_string());
  if (value.is_int64() && is_time_field(key)) {
    const std::time_t time = static_cast<std::time_t>(value.get_int64());
    std::tm parts{};
    char text[32];
    if (::gmtime_r(&time, &parts) != nullptr &&
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) > 0)
      return text;
  }
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value.get_array()) {
      if (item.is_object() || item.is_array()) return printable(json::serialize(value));
      out += (out.empty() ? "" : ",") + cell_text({}, item);
    }
    return out.empty() ? "-" : out;
  }
  return printable(json::serialize(value));
}

std::string render_items(const json::array& items, const std::vector<std::string_view>& columns) {
  std::vector<std::string> paths(columns.begin(), columns.end());
  if (paths.empty() && !items.empty() && items.front().is_object())
    for (const auto& entry : items.front().get_object()) paths.emplace_back(entry.key());
  std::vector<std::string> headers;
  for (const auto& path : paths) headers.push_back(header_of(path));
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : items) {
    std::vector<std::string> row;
    for (const auto& path : paths) {
      const json::value* value = item.is_object() ? at_path(item.get_object(), path) : nullptr;
      row.push_back(value == nullptr ? "-" : cell_text(last_part(path), *value));
    }
    if (paths.empty()) row.push_back(printable(json::serialize(item)));
    rows.push_back(std::move(row));
  }
  if (paths.empty()) headers.push_back("ITEM");
  return format_table(headers, rows);
}

std::string render_object(const json::object& object) {
  std::vector<std::pair<std::string, std::string>> lines;
  flatten(object, "", lines);
  return format_key_values(lines);
}

}  // namespace lmpctl
