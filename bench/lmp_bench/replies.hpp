// The wire formats lmp-bench speaks without sockets: seat-protocol answer lines, and RESP (the
// Redis protocol) replies and commands, written by hand so that no client library sits in the
// measured path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::bench {

// A reply that breaks its protocol; the connection that got it cannot go on.
class ReplyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one answer meant for the operation it answers.
struct Outcome {
  bool ok = false;
  std::string_view error;  // the error code when !ok
  std::string_view lease;  // the lease a granted checkout holds
};

// One seat-protocol answer line, without its LF (a CR before it is tolerated): "OK ..." or
// "ERR code ...". The lease is the raw (still percent-encoded) value of lease=, which the server
// accepts back as is.
Outcome parse_seat_answer(std::string_view line);

// The raw value of field `key` in a seat-protocol line; empty when absent.
std::string_view field_value(std::string_view line, std::string_view key);

// Appends `value` with the bytes the seat protocol cannot carry bare as %HH.
void append_percent_encoded(std::string& out, std::string_view value);

struct RespValue {
  enum class Kind { simple, error, integer, bulk, null, array };
  Kind kind = Kind::null;
  std::string_view text;  // simple, error and bulk: the payload, pointing into the input
  std::int64_t integer = 0;
  std::vector<RespValue> elements;  // arrays only
};

// Parses one RESP2 reply at the start of `in`. Returns the bytes it used, or 0 when `in` does not
// yet hold the whole reply. Throws ReplyError on bytes that are not RESP.
std::size_t parse_resp(std::string_view in, RespValue& out);

// The error code Redis puts first in an error reply ("NOSCRIPT No matching script" -> NOSCRIPT).
std::string_view resp_error_code(std::string_view message);

// Appends one command as a RESP array of bulk strings.
void append_resp_command(std::string& out, std::initializer_list<std::string_view> args);

}  // namespace lmp::bench
