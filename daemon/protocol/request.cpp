// Lookups on a parsed request.
#include "protocol/request.hpp"

namespace lmp::protocol {

std::string_view verb_name(Verb verb) {
  switch (verb) {
    case Verb::hello:
      return "HELLO";
    case Verb::ping:
      return "PING";
    case Verb::activate:
      return "ACTIVATE";
    case Verb::checkout:
      return "CHECKOUT";
    case Verb::heartbeat:
      return "HEARTBEAT";
    case Verb::checkin:
      return "CHECKIN";
    case Verb::status:
      return "STATUS";
    case Verb::quit:
      return "QUIT";
    case Verb::unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

const std::string* Request::find(std::string_view key) const {
  // A request has a handful of fields, so a linear scan beats building an index.
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace lmp::protocol
