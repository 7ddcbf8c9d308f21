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

std::string_view trimmed(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

std::string lowercase(std::string_view value) {
  std::string out(value);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type without parameters, lowercased: "Application/JSON; charset=utf-8" → the type.
std::string media_type(std::string_view value) {
  return lowercase(trimmed(value.substr(0, value.find(';'))));
}

// The charsets a Content-Type names other than UTF-8 (RFC 8259: JSON is UTF-8), as written;
// empty when it names none or only UTF-8.
std::string other_charset(std::string_view value) {
  for (auto semicolon = value.find(';'); semicolon != std::string_view::npos;) {
    value.remove_prefix(semicolon + 1);
    semicolon = value.find(';');
    const std::string_view parameter = value.substr(0, semicolon);
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos ||
        lowercase(trimmed(parameter.substr(0, equals))) != "charset")
      continue;
    std::string_view charset = trimmed(parameter.substr(equals + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"')
      charset = charset.substr(1, charset.size() - 2);
    if (lowercase(charset) != "utf-8") return std::string(charset);
  }
  return {};
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
  // Read as UTF-8, a body in another charset would mean something else than it says.
  if (const std::string charset = other_charset(*content_type); !charset.empty()) {
    error = error_response(415, "unsupported_media_type",
                           "the request body must be JSON in UTF-8, not in charset " + charset);
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
