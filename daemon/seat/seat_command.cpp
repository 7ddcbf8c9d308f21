// Translation of seat-protocol requests into transport-independent seat commands.
#include "seat/seat_command.hpp"

#include "domain/site_policy.hpp"
#include "protocol/request.hpp"
#include "protocol/request_parser.hpp"

namespace lmp::seat {
namespace {

constexpr std::size_t kMaxFieldBytes = 255;
// A holder_key is a secret: 16 bytes is the least that a client drawing it at random (128 bits
// as 32 hex digits is the advice) cannot get wrong by much, and keeps "1234" out.
constexpr std::size_t kMinHolderKeyBytes = 16;

// Copies an optional text field, refusing values no sane holder or code would have.
bool take_text(const protocol::Request& req, std::string_view key, bool required, std::string& out,
               SeatResult& error) {
  const std::string* value = req.find(key);
  if (value == nullptr) {
    if (required)
      error = SeatResult::failure(SeatError::bad_request, "missing field " + std::string(key));
    return !required;
  }
  if (value->size() > kMaxFieldBytes) {
    error =
        SeatResult::failure(SeatError::bad_request, std::string(key) + " is longer than 255 bytes");
    return false;
  }
  out = *value;
  return true;
}

bool take_count(const protocol::Request& req, std::string_view key, std::int64_t min,
                std::int64_t max, std::int64_t& out, SeatResult& error) {
  const std::string* value = req.find(key);
  if (value == nullptr) return true;
  auto count = protocol::parse_count(*value);
  if (!count || *count < min || *count > max) {
    error = SeatResult::failure(SeatError::bad_request,
                                std::string(key) + " must be a count from " + std::to_string(min) +
                                    " to " + std::to_string(max));
    return false;
  }
  out = *count;
  return true;
}

}  // namespace

CommandOrError command_from_request(const protocol::Request& req, std::int64_t max_wait_seconds) {
  CommandOrError r;
  SeatCommand& c = r.command;
  SeatResult& e = r.error;
  switch (req.verb) {
    case protocol::Verb::activate:
      c.op = Operation::activate;
      if (!take_text(req, "code", true, c.code, e) || !take_text(req, "host", false, c.host, e) ||
          !take_text(req, "user", false, c.user, e))
        return r;
      break;
    case protocol::Verb::checkout:
      c.op = Operation::checkout;
      if (!take_text(req, "code", true, c.code, e) ||
          !take_text(req, "product", false, c.product, e) ||
          !take_text(req, "host", false, c.host, e) || !take_text(req, "user", false, c.user, e) ||
          !take_count(req, "units", 1, 1'000'000, c.units, e) ||
          !take_count(req, "wait", 0, max_wait_seconds, c.wait_seconds, e) ||
          !take_count(req, "borrow", 1, domain::kMaxBorrowSeconds, c.borrow_seconds, e) ||
          !take_text(req, "holder_key", false, c.holder_key, e))
        return r;
      // A borrow is granted or refused at once: a borrower about to leave the network cannot
      // wait in a queue (and its lease would need no holder_key: it is never reused).
      if (c.borrow_seconds > 0 && c.wait_seconds > 0) {
        e = SeatResult::failure(SeatError::bad_request, "borrow and wait cannot be combined");
        return r;
      }
      if (const std::string* key = req.find("holder_key");
          key != nullptr && key->size() < kMinHolderKeyBytes)
        e = SeatResult::failure(
            SeatError::bad_request,
            "holder_key must be 16 to 255 bytes (32 random hex digits will do)");
      break;
    case protocol::Verb::heartbeat:
      c.op = Operation::heartbeat;
      if (!take_text(req, "lease", true, c.lease, e)) return r;
      break;
    case protocol::Verb::checkin:
      c.op = Operation::checkin;
      if (!take_text(req, "lease", true, c.lease, e)) return r;
      break;
    case protocol::Verb::status:
      c.op = Operation::status;
      if (!take_text(req, "code", true, c.code, e) ||
          !take_text(req, "product", false, c.product, e))
        return r;
      break;
    default:
      e = SeatResult::failure(SeatError::internal, "not a seat operation");
      break;
  }
  return r;
}

}  // namespace lmp::seat
