// One parsed request of the seat protocol, as the dispatcher sees it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmp::protocol {

enum class Verb { hello, ping, activate, checkout, heartbeat, checkin, status, quit, unknown };

// The verb's canonical (uppercase) spelling, e.g. "CHECKOUT"; "UNKNOWN" for Verb::unknown.
std::string_view verb_name(Verb verb);

struct Request {
  Verb verb = Verb::unknown;
  std::string verb_text;  // as sent
  // Decoded, in the order sent, the tag excluded. Keys are unique; unknown keys are kept and
  // left to the dispatcher to ignore.
  std::vector<std::pair<std::string, std::string>> fields;
  std::optional<std::string> tag;  // decoded

  // The decoded value of `key`, or nullptr if the request does not carry it.
  const std::string* find(std::string_view key) const;
};

}  // namespace lmp::protocol
