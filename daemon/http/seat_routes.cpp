// JSON to seat commands and seat results to JSON, and the five seat routes.
#include "http/seat_routes.hpp"

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/json_response.hpp"
#include "http/router.hpp"
#include "net/peer_address.hpp"
#include "net/rate_limiter.hpp"
#include "protocol/request.hpp"
#include "protocol/request_parser.hpp"
#include "seat/seat_service.hpp"

namespace lmp::http {
namespace json = boost::json;
using domain::SeatError;

namespace {

struct FieldSpec {
  std::string_view name;
  bool count;  // a JSON integer; otherwise a string
};

struct OperationSpec {
  seat::Operation op;
  protocol::Verb verb;
  std::string_view path;
  std::vector<FieldSpec> fields;  // what the operation reads; the rest of a body is ignored
};

const std::array<OperationSpec, 5>& operations() {
  static const std::array<OperationSpec, 5> kOperations = {{
      {seat::Operation::activate,
       protocol::Verb::activate,
       "/v1/seat/activate",
       {{"code", false}, {"host", false}, {"user", false}}},
      {seat::Operation::checkout,
       protocol::Verb::checkout,
       "/v1/seat/checkout",
       {{"code", false},
        {"product", false},
        {"units", true},
        {"host", false},
        {"user", false},
        {"wait", true},
        {"holder_key", false},
        {"borrow", true}}},
      {seat::Operation::heartbeat,
       protocol::Verb::heartbeat,
       "/v1/seat/heartbeat",
       {{"lease", false}}},
      {seat::Operation::checkin, protocol::Verb::checkin, "/v1/seat/checkin", {{"lease", false}}},
      {seat::Operation::status,
       protocol::Verb::status,
       "/v1/seat/status",
       {{"code", false}, {"product", false}}},
  }};
  return kOperations;
}

const OperationSpec& spec_of(seat::Operation op) {
  for (const auto& spec : operations())
    if (spec.op == op) return spec;
  return operations().front();  // unreachable: every Operation has a spec
}

// Result fields that are numbers in JSON; the others (lease, product, state...) are strings.
bool is_numeric_field(std::string_view key) {
  for (std::string_view numeric : {"units", "used", "free", "expires", "heartbeat", "license",
                                   "retry_after", "limit", "reserved"})
    if (key == numeric) return true;
  return false;
}

json::value field_value(const std::string& key, const std::string& value) {
  if (key == "borrowed") return value == "1";
  if (is_numeric_field(key))
    if (auto number = protocol::parse_count(value)) return *number;
  return json::value(value);
}

}  // namespace

seat::CommandOrError command_from_json(seat::Operation op, const json::object& body,
                                       std::int64_t max_wait_seconds) {
  const OperationSpec& spec = spec_of(op);
  protocol::Request request;
  request.verb = spec.verb;
  request.verb_text = std::string(protocol::verb_name(spec.verb));
  auto refuse = [](std::string message) {
    seat::CommandOrError r;
    r.error = seat::SeatResult::failure(SeatError::bad_request, std::move(message));
    return r;
  };
  for (const auto& field : spec.fields) {
    const json::value* value = body.if_contains(field.name);
    if (value == nullptr || value->is_null()) continue;
    const std::string name(field.name);
    if (field.count) {
      // Booleans and doubles (1.5, 2.0, 1e3) are not counts; the range is the protocol's check.
      if (value->is_int64())
        request.fields.emplace_back(name, std::to_string(value->get_int64()));
      else if (value->is_uint64())
        request.fields.emplace_back(name, std::to_string(value->get_uint64()));
      else
        return refuse(name + " must be a JSON integer");
      continue;
    }
    if (!value->is_string()) return refuse(name + " must be a JSON string");
    const json::string& text = value->get_string();
    // The seat protocol has no empty values either; "" is not a way to say "absent".
    if (text.empty()) return refuse(name + " must not be empty");
    request.fields.emplace_back(name, std::string(text.data(), text.size()));
  }
  return seat::command_from_request(request, max_wait_seconds);
}

HttpResponse response_for(const seat::SeatResult& result) {
  if (result.ok()) {
    json::object body;
    for (const auto& [key, value] : result.fields) body[key] = field_value(key, value);
    return json_response(200, body);
  }
  const domain::SeatErrorInfo& info = domain::info(*result.error);
  json::object error;
  error["code"] = info.wire;
  error["message"] = result.message.empty() ? info.wire : result.message;
  for (const auto& [key, value] : result.fields) error[key] = field_value(key, value);
  json::object body;
  body["error"] = std::move(error);
  HttpResponse response = json_response(info.http_status, body);
  if (info.retry_after)
    for (const auto& [key, value] : result.fields)
      if (key == "retry_after") response.header("Retry-After", value);
  return response;
}

namespace {

// One seat request over HTTP: read, charged against the invalid-code budget, handed to the
// seat service, answered.
void serve(seat::Operation op, seat::SeatService& service, net::InvalidCodeLimiter& limiter,
           std::int64_t max_wait_seconds, HttpRequest& request, Reply reply) {
  json::object body;
  HttpResponse error;
  if (!parse_json_object(request, body, error)) {
    reply(std::move(error));
    return;
  }
  auto built = command_from_json(op, body, max_wait_seconds);
  if (!built.ok()) {
    reply(response_for(built.error));
    return;
  }
  // The same budget as the seat listener's, checked at the same point: after the request is
  // well-formed, before storage sees the code. A connection has one request in flight at a time,
  // but many connections from one address could still get a round of guesses past the budget
  // before the first is charged, so a lookup of a code not known to match a license holds a
  // place in the budget until it is answered, and waits for one when none is free.
  const bool lookup = seat::looks_up_code(op);
  const std::size_t code = net::InvalidCodeLimiter::code_key(built.command.code);
  bool guess = false;
  if (lookup) {
    const auto now = net::InvalidCodeLimiter::Clock::now();
    auto wait = limiter.retry_after(request.peer, now);
    if (wait > 0) {
      reply(response_for(
          seat::SeatResult::failure(SeatError::rate_limited,
                                    "too many invalid activation codes from this address")
              .add("retry_after", wait)));
      return;
    }
    guess = !limiter.known_code(code);
    if (guess && !limiter.place_free(request.peer, now)) {
      // Other connections' guesses hold the rest of the budget: this one waits for an answer
      // of theirs, then checks again. `request` lives as long as `reply` is not called.
      // A client gone meanwhile is not served: a checkout of its would wait for nobody.
      auto again = std::make_shared<Reply>(std::move(reply));
      auto gone = std::make_shared<bool>(false);
      request.on_abandoned = [gone] { *gone = true; };
      limiter.wait_for_place(
          request.peer, [op, &service, &limiter, max_wait_seconds, &request, again, gone] {
            if (*gone) {
              (*again)(response_for(
                  seat::SeatResult::failure(SeatError::unavailable, "the client went away")));
              return;
            }
            request.on_abandoned = nullptr;
            serve(op, service, limiter, max_wait_seconds, request, std::move(*again));
          });
      return;
    }
    if (guess) limiter.begin_guess(request.peer, now);
  }
  if (op == seat::Operation::checkout) built.command.peer = net::peer_key(request.peer);
  // A checkout that may wait leaves the queue if the client goes away meanwhile.
  std::shared_ptr<seat::CancelToken> token;
  if (built.command.wait_seconds > 0) {
    token = std::make_shared<seat::CancelToken>();
    request.on_abandoned = [&service, token] { service.cancel(token); };
  }
  service.submit(
      std::move(built.command),
      [&limiter, lookup, guess, code, peer = request.peer,
       reply = std::move(reply)](seat::SeatResult result) {
        if (lookup)
          limiter.answered(peer, net::InvalidCodeLimiter::Clock::now(), code, result.error, guess);
        reply(response_for(result));
      },
      std::move(token));
}

}  // namespace

void add_seat_routes(Router& router, seat::SeatService& service, net::InvalidCodeLimiter& limiter,
                     std::int64_t max_wait_seconds) {
  for (const auto& spec : operations()) {
    const seat::Operation op = spec.op;
    router.add("POST", std::string(spec.path),
               [op, &service, &limiter, max_wait_seconds](HttpRequest& request, Reply reply) {
                 serve(op, service, limiter, max_wait_seconds, request, std::move(reply));
               });
  }
}

}  // namespace lmp::http
