// Response lines of the seat protocol.
#include "protocol/response.hpp"

#include <cassert>

#include "protocol/percent.hpp"

namespace lmp::protocol {
namespace {

[[maybe_unused]] bool valid_token(std::string_view text, bool allow_digits) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (allow_digits && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void append_tag(std::string& head, const std::optional<std::string>& tag) {
  // The parser never yields an empty tag; guard anyway so a line never carries "tag=".
  if (!tag || tag->empty()) return;
  head.append(" tag=");
  percent_encode_append(head, *tag);
}

}  // namespace

Response Response::ok(const std::optional<std::string>& tag) {
  Response response;
  response.head_ = "OK";
  append_tag(response.head_, tag);
  return response;
}

Response Response::error(const std::optional<std::string>& tag, std::string_view code,
                         std::string_view message) {
  assert(valid_token(code, false));
  Response response;
  response.code_.assign(code);
  response.head_ = "ERR ";
  response.head_.append(code);
  append_tag(response.head_, tag);
  response.message_.assign(message.empty() ? code : message);
  return response;
}

Response& Response::field(std::string_view key, std::string_view value) {
  assert(valid_token(key, true));
  if (value.empty()) return *this;
  fields_.push_back(' ');
  fields_.append(key);
  fields_.push_back('=');
  percent_encode_append(fields_, value);
  return *this;
}

Response& Response::field(std::string_view key, std::int64_t value) {
  return field(key, std::string_view(std::to_string(value)));
}

std::string Response::line() const {
  std::string out;
  out.reserve(head_.size() + fields_.size() + message_.size() + 8);
  out.append(head_);
  out.append(fields_);
  if (!is_ok()) {
    out.append(" msg=");
    percent_encode_append(out, message_);
  }
  out.push_back('\n');
  return out;
}

}  // namespace lmp::protocol
