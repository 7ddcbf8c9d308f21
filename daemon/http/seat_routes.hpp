// The seat operations over HTTP/JSON: POST /v1/seat/{activate,checkout,heartbeat,checkin,status}.
// A JSON body becomes the same seat::SeatCommand a seat-protocol line becomes, goes to the same
// SeatService under the same invalid-code limiter, so rules, error codes and durability match.
#pragma once

#include <cstdint>

#include "http/http_message.hpp"
#include "seat/seat_command.hpp"

namespace boost::json {
class object;
}
namespace lmp::net {
class InvalidCodeLimiter;
}
namespace lmp::seat {
class SeatService;
}

namespace lmp::http {

class Router;

// Checks the JSON types of the fields `op` reads (text fields are non-empty strings, counts are
// JSON integers; null counts as absent; other fields are ignored), then applies the seat
// protocol's own checks (seat::command_from_request: required fields, 255-byte text, units
// 1..1000000, wait 0..max_wait_seconds). Failures are bad_request naming the field.
seat::CommandOrError command_from_json(seat::Operation op, const boost::json::object& body,
                                       std::int64_t max_wait_seconds);

// 200 with the result's fields as a JSON object (counts and times as numbers), or the error's
// status with {"error": {...}}; rate_limited also gets a Retry-After header.
HttpResponse response_for(const seat::SeatResult& result);

// REQUIRES: the service runs its completions on the network thread, like the seat listener does;
// `service` and `limiter` outlive the router.
void add_seat_routes(Router& router, seat::SeatService& service, net::InvalidCodeLimiter& limiter,
                     std::int64_t max_wait_seconds);

}  // namespace lmp::http
