// Writing and reading compact EdDSA JWS.
#include "domain/jws.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64url.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::optional<json::object> json_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

}  // namespace

std::string jws_sign(json::object header, const json::object& payload, const Ed25519Key& key) {
  header["alg"] = "EdDSA";
  const std::string signing_input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(payload));
  return signing_input + "." + base64url_encode(key.sign(signing_input));
}

std::optional<Jws> parse_jws(std::string_view token) {
  const auto a = token.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos)
    return std::nullopt;
  auto header = json_part(token.substr(0, a));
  auto payload = json_part(token.substr(a + 1, b - a - 1));
  auto signature = base64url_decode(token.substr(b + 1));
  if (!header || !payload || !signature || claim_text(*header, "alg") != "EdDSA")
    return std::nullopt;
  return Jws{std::move(*header), std::move(*payload), std::string(token.substr(0, b)),
             std::move(*signature)};
}

bool jws_verifies(const Jws& jws, std::string_view public_key) {
  return ed25519_verify(public_key, jws.signing_input, jws.signature);
}

std::optional<std::string> claim_text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> claim_integer(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> claim_bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

}  // namespace lmp::domain
