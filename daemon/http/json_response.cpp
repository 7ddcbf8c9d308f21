// JSON error bodies and request-body parsing.
#include "http/json_response.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <utility>

namespace lmp::http {
namespace json = boost::json;

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  json::object error;
  error["code"] = code;
  error["message"] = message.empty() ? code : message;
  json::object body;
  body["error"] = std::move(error);
  return json_response(status, body);
}

namespace {

// The media type without parameters, lowercased: "Application/JSON; charset=utf-8" → the type.
std::string media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::string out(value);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool parse_json_object(const HttpRequest& request, json::object& out, HttpResponse& error) {
  if (request.body.empty()) {
    error = error_response(400, "bad_request", "the request body must be a JSON object, not empty");
    return false;
  }
  const std::string* content_type = request.header("content-type");
  if (content_type == nullptr || media_type(*content_type) != "application/json") {
    error = error_response(400, "bad_request",
                           content_type == nullptr
                               ? "Content-Type must be application/json (none was sent)"
                               : "Content-Type must be application/json, not " + *content_type);
    return false;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body, ec);
  if (ec) {
    error =
        error_response(400, "bad_request", "the request body is not valid JSON: " + ec.message());
    return false;
  }
  if (!parsed.is_object()) {
    error = error_response(400, "bad_request", "the request body must be a JSON object");
    return false;
  }
  out = std::move(parsed.get_object());
  return true;
}

}  // namespace lmp::http
