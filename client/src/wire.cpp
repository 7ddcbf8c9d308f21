// Encoding of requests and decoding of answers (shared/spec/protocol.md, "Lines").
#include "wire.hpp"

#include <charconv>

#include "client_error.hpp"

namespace lmp::client {
namespace {

bool needs_escape(unsigned char c) {
  return c <= 0x20 || c >= 0x7F || c == '%' || c == '=';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void unreadable(std::string_view line, const char* why) {
  throw ClientError(LMP_ERR_PROTOCOL, std::string("unreadable answer from the server (") + why +
                                          "): " + std::string(line.substr(0, 200)));
}

std::string decode(std::string_view line, std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) unreadable(line, "cut escape");
    int hi = hex_value(value[i + 1]);
    int lo = hex_value(value[i + 2]);
    if (hi < 0 || lo < 0) unreadable(line, "bad escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

RequestLine& RequestLine::field(std::string_view key, std::string_view value) {
  if (value.empty()) return *this;
  static constexpr char kHex[] = "0123456789ABCDEF";
  text_ += ' ';
  text_ += key;
  text_ += '=';
  for (unsigned char c : value) {
    if (needs_escape(c)) {
      text_ += '%';
      text_ += kHex[c >> 4];
      text_ += kHex[c & 15];
    } else {
      text_ += static_cast<char>(c);
    }
  }
  return *this;
}

RequestLine& RequestLine::field(std::string_view key, std::uint64_t value) {
  return field(key, std::to_string(value));
}

const std::string& Answer::at(std::string_view key) const {
  auto it = fields.find(key);
  if (it == fields.end())
    throw ClientError(LMP_ERR_PROTOCOL,
                      "the server's answer lacks the field '" + std::string(key) + "'");
  return it->second;
}

std::int64_t Answer::number(std::string_view key) const {
  const auto& text = at(key);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw ClientError(LMP_ERR_PROTOCOL,
                      "the server's field '" + std::string(key) + "' is not a number: " + text);
  return value;
}

std::string Answer::describe() const {
  auto msg = fields.find("msg");
  std::string out = msg == fields.end() ? error : error + ": " + msg->second;
  // over_limit names the site policy's limit in a field of its own.
  if (auto limit = fields.find("limit"); limit != fields.end())
    out += " (limit=" + limit->second + ")";
  return out;
}

Answer parse_answer(std::string_view line) {
  Answer answer;
  std::size_t pos = 0;
  auto next_word = [&]() -> std::string_view {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    auto start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    return line.substr(start, pos - start);
  };
  auto status = next_word();
  if (status == "OK") {
    answer.ok = true;
  } else if (status == "ERR") {
    answer.error = std::string(next_word());
    if (answer.error.empty()) unreadable(line, "ERR without a code");
  } else {
    unreadable(line, "neither OK nor ERR");
  }
  for (auto word = next_word(); !word.empty(); word = next_word()) {
    auto eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) unreadable(line, "a field without '='");
    answer.fields[std::string(word.substr(0, eq))] = decode(line, word.substr(eq + 1));
  }
  return answer;
}

lmp_result result_of_error(std::string_view code) {
  static const std::map<std::string_view, lmp_result> kResults = {
      {"no_seats", LMP_ERR_NO_SEATS},
      {"invalid_code", LMP_ERR_INVALID_CODE},
      {"license_expired", LMP_ERR_LICENSE_EXPIRED},
      {"license_not_started", LMP_ERR_LICENSE_NOT_STARTED},
      {"end_of_life", LMP_ERR_END_OF_LIFE},
      {"product_not_licensed", LMP_ERR_PRODUCT_NOT_LICENSED},
      {"lease_unknown", LMP_ERR_LEASE_UNKNOWN},
      {"lease_revoked", LMP_ERR_LEASE_REVOKED},
      {"rate_limited", LMP_ERR_RATE_LIMITED},
      {"unavailable", LMP_ERR_UNAVAILABLE},
      {"unsupported_proto", LMP_ERR_PROTOCOL},
      {"not_allowed", LMP_ERR_NOT_ALLOWED},
      {"over_limit", LMP_ERR_OVER_LIMIT},
  };
  auto it = kResults.find(code);
  return it == kResults.end() ? LMP_ERR_SERVER : it->second;
}

const Answer& expect_ok(const Answer& answer, std::string_view what) {
  if (!answer.ok)
    throw ClientError(result_of_error(answer.error), std::string(what) + ": " + answer.describe());
  return answer;
}

}  // namespace lmp::client
