// libFuzzer target: the seat path of a connection short of storage. Each input line goes through
// parse_request, seat::command_from_request and the Response builder, as net/seat_server.cpp
// chains them; an independent reading of docs/protocol.md says which lines must be accepted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fuzz_check.hpp"
#include "protocol/request.hpp"
#include "protocol/request_parser.hpp"
#include "protocol/response.hpp"
#include "seat/seat_command.hpp"

namespace {

using lmp::fuzz::check;
using lmp::protocol::Request;
using lmp::protocol::Verb;
using lmp::seat::Operation;

// leases.max_wait_seconds at its default and largest value.
constexpr std::int64_t kMaxWait = 300;
constexpr std::size_t kMaxTextBytes = 255;
constexpr std::size_t kMinHolderKeyBytes = 16;  // holder_key (protocol 1.1): 16 to 255 bytes
constexpr std::int64_t kMaxBorrowSeconds = 366LL * 86400;  // borrow= (protocol 1.1): 366 days

struct Rule {
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional_text;
  bool counts = false;  // units=, wait= and borrow= (checkout only)
};

Rule rule_for(Verb verb) {
  switch (verb) {
    case Verb::activate:
      return {{"code"}, {"host", "user"}, false};
    case Verb::checkout:
      return {{"code"}, {"product", "host", "user", "holder_key"}, true};
    case Verb::heartbeat:
    case Verb::checkin:
      return {{"lease"}, {}, false};
    case Verb::status:
      return {{"code"}, {"product"}, false};
    default:
      return {};
  }
}

bool count_in(const std::string* text, std::int64_t min, std::int64_t max) {
  if (text == nullptr) return true;
  auto n = lmp::protocol::parse_count(*text);
  return n && *n >= min && *n <= max;
}

// The protocol's rules, written out independently of seat_command.cpp.
bool should_accept(const Request& request) {
  const Rule rule = rule_for(request.verb);
  for (auto key : rule.required) {
    const std::string* v = request.find(key);
    if (v == nullptr || v->size() > kMaxTextBytes) return false;
  }
  for (auto key : rule.optional_text) {
    const std::string* v = request.find(key);
    if (v != nullptr && v->size() > kMaxTextBytes) return false;
  }
  if (const std::string* key = request.find("holder_key");
      key != nullptr && request.verb == Verb::checkout && key->size() < kMinHolderKeyBytes)
    return false;
  if (!rule.counts) return true;
  const std::string* wait = request.find("wait");
  const std::string* borrow = request.find("borrow");
  if (!count_in(request.find("units"), 1, 1'000'000) || !count_in(wait, 0, kMaxWait) ||
      !count_in(borrow, 1, kMaxBorrowSeconds))
    return false;
  // A borrow is granted or refused at once, so it cannot wait in a queue; wait=0 is no wait.
  return borrow == nullptr || wait == nullptr || *lmp::protocol::parse_count(*wait) == 0;
}

std::string value_or_empty(const Request& request, std::string_view key) {
  const std::string* v = request.find(key);
  return v == nullptr ? std::string() : *v;
}

void check_command(const Request& request, const lmp::seat::SeatCommand& c, std::string_view line) {
  static constexpr std::pair<Verb, Operation> kOps[] = {
      {Verb::activate, Operation::activate},   {Verb::checkout, Operation::checkout},
      {Verb::heartbeat, Operation::heartbeat}, {Verb::checkin, Operation::checkin},
      {Verb::status, Operation::status},
  };
  for (const auto& [verb, op] : kOps) {
    if (verb == request.verb) check(c.op == op, "command has the wrong operation", line);
  }
  const Rule rule = rule_for(request.verb);
  auto field_of = [&](std::string_view key) -> const std::string& {
    if (key == "code") return c.code;
    if (key == "lease") return c.lease;
    if (key == "product") return c.product;
    if (key == "host") return c.host;
    if (key == "holder_key") return c.holder_key;
    return c.user;
  };
  for (auto key : rule.required) {
    check(!field_of(key).empty() && field_of(key) == value_or_empty(request, key),
          "command lost a required field", line);
  }
  for (auto key : rule.optional_text) {
    check(field_of(key) == value_or_empty(request, key), "command changed an optional field", line);
  }
  if (rule.counts) {
    const std::string* units = request.find("units");
    const std::string* wait = request.find("wait");
    check(c.units == (units ? *lmp::protocol::parse_count(*units) : 1), "command units differ",
          line);
    check(c.wait_seconds == (wait ? *lmp::protocol::parse_count(*wait) : 0), "command wait differs",
          line);
    const std::string* borrow = request.find("borrow");
    check(c.borrow_seconds == (borrow ? *lmp::protocol::parse_count(*borrow) : 0),
          "command borrow differs", line);
  }
}

// The OK answer a service would send for this command, echoing the client's values, so that the
// builder is exercised with every byte a request can carry.
void check_ok_answer(const std::optional<std::string>& tag, const lmp::seat::SeatCommand& c) {
  lmp::seat::SeatResult result;
  result.add("lease", c.lease)
      .add("product", c.product)
      .add("host", c.host)
      .add("user", c.user)
      .add("code", c.code)
      .add("units", c.units)
      .add("wait", c.wait_seconds);
  auto response = lmp::protocol::Response::ok(tag);
  for (const auto& [key, value] : result.fields) response.field(key, value);
  const std::string line = response.line();
  const lmp::fuzz::ResponseLine read = lmp::fuzz::read_response(line);
  check(read.ok, "OK answer reads as an error", line);
  std::vector<std::pair<std::string, std::string>> expected;
  if (tag) expected.emplace_back("tag", *tag);
  // The builder leaves out empty values, which the grammar cannot express.
  for (const auto& field : result.fields) {
    if (!field.second.empty()) expected.push_back(field);
  }
  check(read.fields == expected, "OK answer does not carry the fields it was given", line);
}

void dispatch(std::string_view line) {
  const auto parsed = lmp::protocol::parse_request(line);
  using Kind = lmp::protocol::ParseOutcome::Kind;
  if (parsed.kind == Kind::empty) return;
  if (parsed.kind == Kind::error) {
    lmp::fuzz::check_error_response(
        lmp::protocol::Response::error(parsed.tag, parsed.error_code, parsed.error_message).line(),
        parsed.tag, parsed.error_code, parsed.error_message);
    return;
  }
  const Request& request = parsed.request;
  const auto built = lmp::seat::command_from_request(request, kMaxWait);
  if (rule_for(request.verb).required.empty()) {
    // HELLO, PING and QUIT are the connection's own business and never become seat commands.
    check(!built.ok() && built.error.error == lmp::domain::SeatError::internal,
          "a connection-level verb became a seat command", line);
    return;
  }
  check(built.ok() == should_accept(request),
        built.ok() ? "seat command accepted against the rules" : "valid seat command refused",
        line);
  if (!built.ok()) {
    check(built.error.error == lmp::domain::SeatError::bad_request,
          "a refused seat command is not bad_request", line);
    check(!built.error.message.empty(), "a refused seat command has no message", line);
    lmp::fuzz::check_error_response(
        lmp::protocol::Response::error(request.tag, lmp::domain::to_string(*built.error.error),
                                       built.error.message)
            .line(),
        request.tag, lmp::domain::to_string(*built.error.error), built.error.message);
    return;
  }
  check_command(request, built.command, line);
  check_ok_answer(request.tag, built.command);
}

}  // namespace

// The input is a stream as a client would send it; it is cut at each LF (the connection's
// framing in net/seat_server.cpp is not reachable without a socket, so it is modelled here).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    const std::size_t lf = rest.find('\n');
    dispatch(rest.substr(0, lf));
    if (lf == std::string_view::npos) break;
    rest.remove_prefix(lf + 1);
  }
  return 0;
}
