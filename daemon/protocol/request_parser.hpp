// Parsing one request line of the seat protocol into a Request or the error to answer with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/request.hpp"

namespace lmp::protocol {

// The longest tag, in bytes after decoding, that a request may carry.
inline constexpr std::size_t kMaxTagBytes = 64;

struct ParseOutcome {
  // empty: a blank line, which gets no answer.
  enum class Kind { empty, request, error } kind = Kind::empty;
  Request request;            // when kind == request
  std::string error_code;     // when kind == error: "bad_request" or "unknown_verb"
  std::string error_message;  // human-readable, for msg=
  // The decoded tag whenever it could be read (also set for kind == request), so that an error
  // answer echoes it too.
  std::optional<std::string> tag;
};

// `line` excludes the LF; one trailing CR is dropped here. The 4096-byte line limit is the
// connection layer's business, not checked here. Throws nothing but std::bad_alloc.
ParseOutcome parse_request(std::string_view line);

// Decimal count without sign or leading zeros ("0" allowed), fitting in int64; nullopt otherwise.
std::optional<std::int64_t> parse_count(std::string_view text);

}  // namespace lmp::protocol
