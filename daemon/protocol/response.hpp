// Building one response line of the seat protocol: "OK" or "ERR code", the echoed tag first,
// the fields in the order added, and for errors msg= last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::protocol {

class Response {
 public:
  static Response ok(const std::optional<std::string>& tag);
  // `code` is one of the spec's error codes (lowercase letters and '_'). msg= is added as the
  // last field by line(); an empty message is replaced by the code, since errors always carry msg.
  static Response error(const std::optional<std::string>& tag, std::string_view code,
                        std::string_view message);

  // `key` must match the key grammar (lowercase letters, digits, '_'); the value is
  // percent-encoded. The grammar has no empty values, so a field with an empty value is left
  // out, which a client reads the same as an absent one.
  Response& field(std::string_view key, std::string_view value);
  Response& field(std::string_view key, std::int64_t value);

  // The whole line, LF included.
  std::string line() const;
  bool is_ok() const { return code_.empty(); }
  const std::string& code() const { return code_; }  // "" for OK

 private:
  Response() = default;

  std::string code_;
  std::string head_;     // "OK" or "ERR code", then " tag=..." when there is a tag
  std::string fields_;   // " key=value" for each field, already encoded
  std::string message_;  // errors only
};

}  // namespace lmp::protocol
