// The JSON conventions of the HTTP API shared by every route: error bodies with a stable code and
// reading a request body that must be a JSON object. (A seat error's HTTP status is in
// domain/seat_error.hpp.)
#pragma once

#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace boost::json {
class value;
class object;
}  // namespace boost::json

namespace lmp::http {

HttpResponse json_response(int status, const boost::json::value& body);

// {"error": {"code": code, "message": message}}
HttpResponse error_response(int status, std::string_view code, std::string_view message);

// Checks Content-Type (application/json, parameters allowed), parses the body and requires an
// object. On failure returns false with an error response in `error` whose message says why: 415
// unsupported_media_type for a charset other than UTF-8, else 400 bad_request.
bool parse_json_object(const HttpRequest& request, boost::json::object& out, HttpResponse& error);

}  // namespace lmp::http
