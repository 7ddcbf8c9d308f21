// A seat operation independent of how it arrived (seat protocol line or HTTP/JSON), and its
// outcome. The transports translate to and from these; SeatService only sees these.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/live_seats.hpp"
#include "domain/seat_error.hpp"

namespace lmp::protocol {
struct Request;
}

namespace lmp::seat {

// Answers speak the domain's error vocabulary.
using domain::SeatError;

// `probe` never comes from a client: it answers OK without reading or writing anything, so its
// answer proves that the storage thread, the flush and the answer path all still turn (the
// systemd watchdog waits for it). `release` never comes from a client either: it is an
// administrator's release of a lease (domain::LiveSeats::release), decided with the batch.
enum class Operation { activate, checkout, heartbeat, checkin, status, probe, release };

struct SeatCommand {
  Operation op = Operation::status;
  std::string code;        // activation code as the client wrote it (activate, checkout, status)
  std::string product;     // optional product of a suite (checkout, status)
  std::int64_t units = 1;  // checkout
  std::string host;        // optional holder fields (activate, checkout)
  std::string user;
  std::int64_t wait_seconds = 0;  // checkout: queue this long for a free unit
  // checkout (protocol 1.1): borrow the units for this long (docs/protocol.md, "Borrowing"); 0
  // for an ordinary checkout.
  std::int64_t borrow_seconds = 0;
  // checkout (protocol 1.1): the client's secret proving it is the holder of the lease it reuses
  std::string holder_key;
  std::string lease;  // heartbeat, checkin
  // The client's address, set by the transport (checkout: the lease and the usage records keep
  // it); never a field a client sends.
  std::string peer;
  std::shared_ptr<const domain::LeaseRelease> release;  // release
};

// Whether the operation looks an activation code up, and so spends the peer's invalid-code
// budget when the code is wrong (both transports check the budget before submitting these).
constexpr bool looks_up_code(Operation op) {
  return op == Operation::activate || op == Operation::checkout || op == Operation::status;
}

// An answer: OK with fields in protocol order, or an error code with a message. The field list
// is what the seat protocol sends after OK; the HTTP API maps the same pairs to JSON.
struct SeatResult {
  std::optional<SeatError> error;  // none for OK
  std::string message;             // for errors
  std::vector<std::pair<std::string, std::string>> fields;

  bool ok() const { return !error.has_value(); }
  static SeatResult failure(SeatError code, std::string message) {
    SeatResult r;
    r.error = code;
    r.message = std::move(message);
    return r;
  }
  SeatResult& add(std::string key, std::string value) {
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  SeatResult& add(std::string key, std::int64_t value) {
    return add(std::move(key), std::to_string(value));
  }
};

// Builds a command from a parsed protocol request of verb ACTIVATE, CHECKOUT, HEARTBEAT, CHECKIN
// or STATUS, checking required fields and counts. On failure `error` holds a bad_request.
struct CommandOrError {
  SeatCommand command;
  SeatResult error;
  bool ok() const { return error.ok(); }
};
CommandOrError command_from_request(const protocol::Request& request,
                                    std::int64_t max_wait_seconds);

}  // namespace lmp::seat
