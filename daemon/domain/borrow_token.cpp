// Writing (and, for tests and tools, reading back) a borrowed lease's JWS.
#include "domain/borrow_token.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64url.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::optional<std::string> text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<json::object> json_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

struct Parts {
  std::string_view header, payload, signature;
};

std::optional<Parts> split(std::string_view token) {
  const auto a = token.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos)
    return std::nullopt;
  return Parts{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

}  // namespace

std::string borrow_token(const BorrowClaims& c, std::string_view kid, const Ed25519Key& key) {
  const json::object header{{"alg", "EdDSA"}, {"kid", kid}, {"typ", "JWT"}};
  const json::object payload{{"lease", c.lease}, {"license", c.license}, {"product", c.product},
                             {"units", c.units}, {"host", c.host},       {"user", c.user},
                             {"iat", c.iat},     {"exp", c.exp}};
  const std::string signing_input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(payload));
  return signing_input + "." + base64url_encode(key.sign(signing_input));
}

std::optional<std::string> token_kid(std::string_view token) {
  auto parts = split(token);
  if (!parts) return std::nullopt;
  auto header = json_part(parts->header);
  if (!header) return std::nullopt;
  return text(*header, "kid");
}

std::optional<VerifiedToken> verify_borrow_token(std::string_view token,
                                                 std::string_view public_key) {
  auto parts = split(token);
  if (!parts) return std::nullopt;
  auto header = json_part(parts->header);
  auto payload = json_part(parts->payload);
  auto signature = base64url_decode(parts->signature);
  if (!header || !payload || !signature || text(*header, "alg") != "EdDSA") return std::nullopt;
  const std::string_view signing_input =
      std::string_view(parts->header.data(), parts->header.size() + 1 + parts->payload.size());
  if (!ed25519_verify(public_key, signing_input, *signature)) return std::nullopt;
  VerifiedToken out;
  auto kid = text(*header, "kid");
  auto lease = text(*payload, "lease");
  auto product = text(*payload, "product");
  auto host = text(*payload, "host");
  auto user = text(*payload, "user");
  auto license = number(*payload, "license");
  auto units = number(*payload, "units");
  auto iat = number(*payload, "iat");
  auto exp = number(*payload, "exp");
  if (!kid || !lease || !product || !host || !user || !license || !units || !iat || !exp)
    return std::nullopt;
  out.kid = *kid;
  out.claims = {*lease, *license, *product, *units, *host, *user, *iat, *exp};
  return out;
}

}  // namespace lmp::domain
