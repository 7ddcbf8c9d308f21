// Shared helpers of the fuzz targets: a property check that stops the fuzzer with a message, and
// a strict reader of response lines that holds protocol::Response output to the grammar.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/percent.hpp"

namespace lmp::fuzz {

// abort() rather than an exception: libFuzzer records the input only for a crash.
[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  if (!detail.empty()) {
    std::fprintf(stderr, "  detail: '%.*s'\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

struct ResponseLine {
  bool ok = false;
  std::string code;                                         // "" for OK
  std::vector<std::pair<std::string, std::string>> fields;  // decoded, in line order
};

inline bool is_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Reads a line built by protocol::Response the way a strict client would (docs/protocol.md:
// response = ( "OK" / "ERR" SP code ) *( SP field ) LF), failing on anything the grammar forbids.
inline ResponseLine read_response(std::string_view line) {
  check(!line.empty() && line.back() == '\n', "response line does not end in LF", line);
  line.remove_suffix(1);
  for (char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    check(byte >= 0x20 && byte <= 0x7E, "response line has a byte outside 0x20-0x7E", line);
  }
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (true) {
    const std::size_t space = line.find(' ', pos);
    tokens.push_back(line.substr(pos, space == std::string_view::npos ? space : space - pos));
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  ResponseLine out;
  std::size_t next = 1;
  if (tokens[0] == "OK") {
    out.ok = true;
  } else {
    check(tokens[0] == "ERR" && tokens.size() >= 2, "response starts with neither OK nor ERR",
          line);
    out.code.assign(tokens[1]);
    for (char c : out.code) check((c >= 'a' && c <= 'z') || c == '_', "malformed error code", line);
    check(!out.code.empty(), "empty error code", line);
    next = 2;
  }
  for (std::size_t i = next; i < tokens.size(); ++i) {
    const std::string_view token = tokens[i];
    const std::size_t eq = token.find('=');
    check(eq != std::string_view::npos, "response field without '='", line);
    check(is_key(token.substr(0, eq)), "response field with a malformed key", line);
    check(eq + 1 < token.size(), "response field with an empty value", line);
    auto value = protocol::percent_decode(token.substr(eq + 1));
    check(value.has_value(), "response field with a malformed percent escape", line);
    out.fields.emplace_back(std::string(token.substr(0, eq)), std::move(*value));
  }
  return out;
}

// Holds an error response to the protocol's promises: the tag (when there is one) first, the
// fields in order, msg= last with the message.
inline void check_error_response(const std::string& line, const std::optional<std::string>& tag,
                                 std::string_view code, std::string_view message) {
  const ResponseLine read = read_response(line);
  check(!read.ok && read.code == code, "error response lost its code", line);
  check(!read.fields.empty() && read.fields.back().first == "msg",
        "error response without msg=", line);
  check(read.fields.back().second == (message.empty() ? code : message),
        "msg= does not decode to the message", line);
  const bool tagged = tag && !tag->empty();
  check(read.fields.size() == (tagged ? 2u : 1u), "error response with unexpected fields", line);
  if (tagged) {
    check(read.fields.front().first == "tag" && read.fields.front().second == *tag,
          "error response does not echo the tag", line);
  }
}

}  // namespace lmp::fuzz
