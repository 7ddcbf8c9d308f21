// The JSON conventions of the HTTP API shared by every route: error bodies with a stable code,
// the HTTP status of each seat error code, and reading a request body that must be a JSON object.
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

// The HTTP status for an error code of the seat protocol (docs/admin-api.md); 500 for a code it
// does not know, since an unknown code means a server bug, not a client mistake.
int status_for_error(std::string_view code);

// Checks Content-Type (application/json, parameters allowed), parses the body and requires an
// object. On failure returns false with an error response in `error` whose message says why: 415
// unsupported_media_type for a charset other than UTF-8, else 400 bad_request.
bool parse_json_object(const HttpRequest& request, boost::json::object& out, HttpResponse& error);

}  // namespace lmp::http
