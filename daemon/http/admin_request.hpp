// What the admin API reads from a client's request without the store (path ids, query parameters,
// pagination, body fields), and ApiError, with which it refuses what it cannot read.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/page.hpp"

namespace lmp::http {

// A request the admin API cannot read (400), or a path id that is none (404). The refusals of
// the operations themselves are the domain's (domain/domain_error.hpp, http/domain_errors.hpp).
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

ApiError bad_request(const std::string& message);
// 404 "no such <what>": a path segment that cannot be an id names nothing.
ApiError not_found(const std::string& what);

namespace admin_request {

// The n-th `{}` of the path as an id; 404 when it is not one.
std::int64_t path_id(const std::vector<std::string>& params, std::size_t n, std::string_view what);
// A parameter of `query` (the part after '?'), percent-decoded; nullopt when absent. 400 on bad
// percent coding.
std::optional<std::string> query(std::string_view query, std::string_view name);
std::optional<std::int64_t> query_id(std::string_view query,
                                     std::string_view name);  // 400 unless a count
// A time as Unix seconds or a UTC date YYYY-MM-DD (its midnight), as Unix ms; 400 otherwise.
std::optional<std::int64_t> query_time_ms(std::string_view query, std::string_view name);
domain::Page page(
    std::string_view query);  // limit (1..1000, default 100) and after; 400 when malformed

// The value of the cookie `name` in a Cookie header ("a=1; b=2"); empty when it is not there.
std::string cookie(std::string_view header, std::string_view name);

// A lease's public reference: 16 lowercase hex digits.
bool is_lease_ref(std::string_view text);
// The page of a list of leases (cursor: the last reference of the previous page); 400 when
// malformed.
domain::LeasePage lease_page(std::string_view query);

// Body fields: a non-empty string of at most 200 bytes / an id / absent. 400 otherwise.
std::string text(const boost::json::object& body, std::string_view field);
std::optional<std::string> optional_text(const boost::json::object& body, std::string_view field);
std::optional<std::int64_t> optional_id(const boost::json::object& body, std::string_view field);
// A JSON string as sent (a password: the domain checks its rule, and its length is not capped at
// 200 bytes); absent or null: nullopt. 400 for any other JSON type.
std::optional<std::string> optional_secret(const boost::json::object& body, std::string_view field);
// A JSON integer in [min, max] / true or false / absent. 400 otherwise.
std::optional<std::int64_t> optional_count(const boost::json::object& body, std::string_view field,
                                           std::int64_t min, std::int64_t max);
std::optional<bool> optional_bool(const boost::json::object& body, std::string_view field);

}  // namespace admin_request
}  // namespace lmp::http
