// libFuzzer target: the admin API's reading of client bytes (a path id segment, the query string,
// a JSON body and its fields) must give a value within its documented range or an ApiError.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fuzz_check.hpp"
#include "http/admin_request.hpp"

namespace {

using lmp::fuzz::check;
namespace ar = lmp::http::admin_request;

// Input: path segment '\n' query '\n' body; a missing part is empty.
std::string_view next_part(std::string_view& rest) {
  const auto newline = rest.find('\n');
  const std::string_view part = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return part;
}

void check_refusal(const lmp::http::ApiError& e, int status, std::string_view input) {
  check(e.status() == status, "refusal with an unexpected status", input);
  check(!e.code().empty() && std::string_view(e.what()).size() > 0, "refusal without a message",
        input);
}

void check_path(std::string_view segment) {
  const std::vector<std::string> params{std::string(segment)};
  try {
    check(ar::path_id(params, 0, "thing") >= 1, "path id below 1", segment);
  } catch (const lmp::http::ApiError& e) {
    check_refusal(e, 404, segment);
  }
  try {
    ar::path_id(params, 1, "thing");
    check(false, "a missing path segment gave an id", segment);
  } catch (const lmp::http::ApiError& e) {
    check_refusal(e, 404, segment);
  }
}

void check_query(std::string_view query) {
  for (std::string_view name : {"limit", "after", "customer", ""}) {
    try {
      ar::query(query, name);
    } catch (const lmp::http::ApiError& e) {
      check_refusal(e, 400, query);
    }
    try {
      const auto id = ar::query_id(query, name);
      check(!id || *id >= 0, "query id below 0", query);
    } catch (const lmp::http::ApiError& e) {
      check_refusal(e, 400, query);
    }
  }
  try {
    const auto page = ar::page(query);
    check(page.limit >= 1 && page.limit <= 1000, "page limit outside 1..1000", query);
    check(page.after >= 0, "page cursor below 0", query);
  } catch (const lmp::http::ApiError& e) {
    check_refusal(e, 400, query);
  }
}

void check_field(const boost::json::object& body, std::string_view field, std::string_view input) {
  try {
    const auto text = ar::optional_text(body, field);
    check(!text || (!text->empty() && text->size() <= 200), "text outside 1..200 bytes", input);
    if (text) check(ar::text(body, field) == *text, "text disagrees with optional_text", input);
  } catch (const lmp::http::ApiError& e) {
    check_refusal(e, 400, input);
  }
  try {
    const auto id = ar::optional_id(body, field);
    check(!id || *id >= 1, "body id below 1", input);
  } catch (const lmp::http::ApiError& e) {
    check_refusal(e, 400, input);
  }
}

void check_body(std::string_view body) {
  // The same parse as parse_json_object (http/json_response.cpp), which then requires an object.
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return;
  const boost::json::object& object = parsed.get_object();
  for (std::string_view field : {"name", "kind", "customer", "parent", "email"}) {
    check_field(object, field, body);
  }
  for (const auto& member : object) check_field(object, member.key(), body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view segment = next_part(rest);
  const std::string_view query = next_part(rest);
  check_path(segment);
  check_query(query);
  check_body(rest);
  return 0;
}
