// Seat-protocol lines as the client writes and reads them: request building with percent
// encoding, answer parsing, and the mapping of the server's error codes to lmp_result.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lmp/client/client.h"

namespace lmp::client {

// Builds "VERB key=value ..." with values percent-encoded; empty values are left out, since the
// protocol has no empty values and every optional field of the client is "absent when empty".
class RequestLine {
 public:
  explicit RequestLine(std::string_view verb) : text_(verb) {}
  RequestLine& field(std::string_view key, std::string_view value);
  RequestLine& field(std::string_view key, std::uint64_t value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct Answer {
  bool ok = false;
  std::string error;  // the error code when !ok
  std::map<std::string, std::string, std::less<>> fields;

  // The field's value; throws ClientError(LMP_ERR_PROTOCOL) when it is missing.
  const std::string& at(std::string_view key) const;
  // The field as a number; throws ClientError(LMP_ERR_PROTOCOL) when missing or not a number.
  std::int64_t number(std::string_view key) const;
  // "code: msg" of an error answer, for messages.
  std::string describe() const;
};

// Parses "OK k=v ..." or "ERR code k=v ..."; throws ClientError(LMP_ERR_PROTOCOL).
Answer parse_answer(std::string_view line);

// The lmp_result that an `ERR code` stands for.
lmp_result result_of_error(std::string_view code);

// Returns an OK answer; throws ClientError("<what>: <code>: <msg>") for an error answer.
const Answer& expect_ok(const Answer& answer, std::string_view what);

}  // namespace lmp::client
