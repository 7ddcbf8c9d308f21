// Reading a borrow token: three base64url parts, a protected header that must say EdDSA, and a
// payload whose fields must have their types (RFC 7515 section 5.2, steps 1 to 7).
#include "borrow_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <optional>

#include "client_error.hpp"
#include "core/base64url.hpp"

namespace lmp::client {
namespace {

namespace json = boost::json;

constexpr std::size_t kEd25519SignatureSize = 64;

[[noreturn]] void malformed(const std::string& why) {
  throw ClientError(LMP_ERR_TOKEN_MALFORMED, "the borrow token is malformed: " + why);
}

std::string decoded_part(std::string_view text, const char* name) {
  if (text.empty()) malformed(std::string("its ") + name + " is empty");
  auto bytes = lmp::base64url_decode(text);
  if (!bytes) malformed(std::string("its ") + name + " is not base64url");
  return std::move(*bytes);
}

json::object json_object(const std::string& text, const char* name) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) malformed(std::string("its ") + name + " is not JSON (" + ec.message() + ")");
  if (!value.is_object()) malformed(std::string("its ") + name + " is not a JSON object");
  return std::move(value.as_object());
}

std::string text_field(const json::object& object, std::string_view key, const char* where) {
  const json::value* value = object.if_contains(key);
  if (!value || !value->is_string())
    malformed(std::string(where) + " lacks the string \"" + std::string(key) + "\"");
  return std::string(value->as_string());
}

std::int64_t integer_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  std::optional<std::int64_t> number;
  if (value && value->is_int64()) number = value->as_int64();
  if (value && value->is_uint64() &&
      value->as_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    number = static_cast<std::int64_t>(value->as_uint64());
  if (!number || *number < 0)
    malformed("the payload lacks the whole number \"" + std::string(key) + "\"");
  return *number;
}

}  // namespace

BorrowToken parse_borrow_token(std::string_view compact) {
  if (compact.size() > kMaxTokenSize)
    malformed("it is longer than " + std::to_string(kMaxTokenSize) + " bytes");
  auto first = compact.find('.');
  auto second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    malformed("a compact JWS has three parts separated by two dots");

  BorrowToken token;
  auto header = json_object(decoded_part(compact.substr(0, first), "header"), "header");
  auto payload = json_object(decoded_part(compact.substr(first + 1, second - first - 1), "payload"),
                             "payload");
  token.signature = decoded_part(compact.substr(second + 1), "signature");

  // Only EdDSA: accepting the alg a token names ("none", HS256 with the public key as secret)
  // is how JWS checks get fooled.
  auto alg = text_field(header, "alg", "the header");
  if (alg != "EdDSA") malformed("its alg is \"" + alg.substr(0, 32) + "\", not EdDSA");
  // RFC 7515 4.1.11: extensions a recipient does not understand must make it refuse.
  if (header.contains("crit")) malformed("its header names critical extensions (crit)");
  token.kid = text_field(header, "kid", "the header");
  if (token.kid.empty()) malformed("its kid is empty");
  if (token.signature.size() != kEd25519SignatureSize)
    malformed("its signature has " + std::to_string(token.signature.size()) +
              " bytes, not the 64 of Ed25519");

  token.lease = text_field(payload, "lease", "the payload");
  token.license = integer_field(payload, "license");
  token.product = text_field(payload, "product", "the payload");
  auto units = integer_field(payload, "units");
  if (units < 1 || units > std::numeric_limits<std::uint32_t>::max())
    malformed("its units are " + std::to_string(units));
  token.units = static_cast<std::uint32_t>(units);
  token.host = text_field(payload, "host", "the payload");
  token.user = text_field(payload, "user", "the payload");
  token.issued_at = integer_field(payload, "iat");
  token.expires_at = integer_field(payload, "exp");
  if (token.lease.empty()) malformed("its lease is empty");
  token.signing_input = std::string(compact.substr(0, second));
  return token;
}

}  // namespace lmp::client
