// Reading the vendor's public keys from JWK or PEM text.
#include "domain/vendor_keys.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

#include "core/base64url.hpp"
#include "core/ed25519.hpp"
#include "domain/jws.hpp"

namespace lmp::domain {
namespace json = boost::json;

namespace {

std::optional<VendorKey> from_jwk(std::string_view text, std::string& why) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) {
    why = "a JWK must be one JSON object";
    return std::nullopt;
  }
  const json::object& jwk = value.get_object();
  if (claim_text(jwk, "kty") != "OKP" || claim_text(jwk, "crv") != "Ed25519") {
    why = "the JWK is not an Ed25519 key (kty OKP, crv Ed25519)";
    return std::nullopt;
  }
  if (jwk.contains("d")) {
    // A private key pasted by mistake: refused, so that it is not left in a config file.
    why = "the JWK holds a private key (\"d\"): give the public key only";
    return std::nullopt;
  }
  const auto kid = claim_text(jwk, "kid");
  const auto x = claim_text(jwk, "x");
  auto raw = x ? base64url_decode(*x) : std::nullopt;
  if (!raw || raw->size() != kEd25519KeySize) {
    why = "the JWK's \"x\" is not a 32-byte base64url public key";
    return std::nullopt;
  }
  if (!kid || kid->empty()) {
    why = "the JWK has no \"kid\" (the vendor's GET /v1/keys gives each key one)";
    return std::nullopt;
  }
  return VendorKey{*kid, std::move(*raw)};
}

}  // namespace

std::optional<VendorKey> parse_vendor_key(std::string_view text, std::string& why) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    why = "empty";
    return std::nullopt;
  }
  if (text[start] == '{') return from_jwk(text, why);
  if (text.substr(start, 5) == "-----") {
    auto raw = ed25519_public_key_from_pem(text);
    if (!raw) {
      why = "not a PEM Ed25519 public key (-----BEGIN PUBLIC KEY-----)";
      return std::nullopt;
    }
    return VendorKey{"", std::move(*raw)};
  }
  why = "neither a JWK ({...}) nor a PEM public key (-----BEGIN PUBLIC KEY-----)";
  return std::nullopt;
}

SiteTrust site_trust_of(const std::vector<std::string>& key_texts) {
  SiteTrust trust;
  for (std::size_t i = 0; i < key_texts.size(); ++i) {
    std::string why;
    auto key = parse_vendor_key(key_texts[i], why);
    if (!key) throw std::invalid_argument("trust.vendor_keys[" + std::to_string(i) + "]: " + why);
    trust.vendor_keys.push_back(std::move(*key));
  }
  return trust;
}

}  // namespace lmp::domain
