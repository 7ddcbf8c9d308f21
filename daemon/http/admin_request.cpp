// Reading path ids, query parameters and body fields of admin calls; kept apart from the store
// so the fuzzer and the unit tests can drive it with arbitrary client bytes.
#include "http/admin_request.hpp"

#include "core/calendar.hpp"
#include "domain/limits.hpp"
#include "protocol/percent.hpp"
#include "protocol/request_parser.hpp"

namespace lmp::http {
namespace json = boost::json;

ApiError bad_request(const std::string& message) {
  return ApiError(400, "bad_request", message);
}
ApiError not_found(const std::string& what) {
  return ApiError(404, "not_found", "no such " + what);
}

namespace admin_request {
namespace {

constexpr std::size_t kMaxTextBytes = 200;

// `limit` (1..1000), or `fallback` when absent.
int page_limit(std::string_view query, int fallback) {
  auto limit = query_id(query, "limit");
  if (!limit) return fallback;
  if (*limit < 1 || *limit > 1000) throw bad_request("limit must be from 1 to 1000");
  return static_cast<int>(*limit);
}

}  // namespace

std::int64_t path_id(const std::vector<std::string>& params, std::size_t n, std::string_view what) {
  if (n >= params.size()) throw not_found(std::string(what));
  auto id = protocol::parse_count(params[n]);
  if (!id || *id < 1) throw not_found(std::string(what));
  return *id;
}

std::optional<std::string> query(std::string_view query, std::string_view name) {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : value)
      if (c == '+') c = ' ';
    auto decoded = protocol::percent_decode(value);
    if (!decoded) throw bad_request("the query parameter " + std::string(name) + " is malformed");
    return decoded;
  }
  return std::nullopt;
}

std::optional<std::int64_t> query_id(std::string_view query, std::string_view name) {
  auto text = admin_request::query(query, name);
  if (!text) return std::nullopt;
  auto value = protocol::parse_count(*text);
  if (!value) throw bad_request(std::string(name) + " must be a non-negative integer");
  return value;
}

std::optional<std::int64_t> query_time_ms(std::string_view query, std::string_view name) {
  auto text = admin_request::query(query, name);
  if (!text) return std::nullopt;
  // The command lines' one rule for a time (core/calendar.hpp).
  const std::optional<std::int64_t> seconds = calendar::parse_time(*text);
  if (!seconds || *seconds > domain::kLatestMs / 1000)
    throw bad_request(std::string(name) +
                      " must be Unix seconds, a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC)");
  return *seconds * 1000;
}

domain::Page page(std::string_view query) {
  domain::Page page;
  page.limit = page_limit(query, page.limit);
  // The cursor is the last id of the previous page; documented as opaque so it may change.
  if (auto after = admin_request::query(query, "after")) {
    auto id = protocol::parse_count(*after);
    if (!id) throw bad_request("after must be a cursor from a previous page's next");
    page.after = *id;
  }
  return page;
}

std::string cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return std::string(pair.substr(equals + 1));
  }
  return {};
}

bool is_lease_ref(std::string_view text) {
  if (text.size() != 16) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

domain::LeasePage lease_page(std::string_view query) {
  domain::LeasePage out;
  out.limit = page_limit(query, out.limit);
  if (auto after = admin_request::query(query, "after")) {
    if (!is_lease_ref(*after))
      throw bad_request("after must be a cursor from a previous page's next");
    out.after = *after;
  }
  return out;
}

std::optional<std::string> optional_text(const json::object& body, std::string_view field) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) throw bad_request(std::string(field) + " must be a JSON string");
  const auto& text = value->get_string();
  if (text.empty() || text.size() > kMaxTextBytes)
    throw bad_request(std::string(field) + " must have 1 to 200 bytes");
  return std::string(text.data(), text.size());
}

std::string text(const json::object& body, std::string_view field) {
  auto value = optional_text(body, field);
  if (!value) throw bad_request(std::string(field) + " is required");
  return *value;
}

std::optional<std::string> optional_secret(const json::object& body, std::string_view field) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) throw bad_request(std::string(field) + " must be a JSON string");
  const auto& text = value->get_string();
  return std::string(text.data(), text.size());
}

std::optional<std::int64_t> optional_id(const json::object& body, std::string_view field) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_int64() && value->get_int64() > 0) return value->get_int64();
  throw bad_request(std::string(field) + " must be an id (a positive JSON integer)");
}

std::optional<std::int64_t> optional_count(const json::object& body, std::string_view field,
                                           std::int64_t min, std::int64_t max) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_int64() && value->get_int64() >= min && value->get_int64() <= max)
    return value->get_int64();
  throw bad_request(std::string(field) + " must be a JSON integer from " + std::to_string(min) +
                    " to " + std::to_string(max));
}

std::optional<bool> optional_bool(const json::object& body, std::string_view field) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_bool()) return value->get_bool();
  throw bad_request(std::string(field) + " must be true or false");
}

}  // namespace admin_request
}  // namespace lmp::http
