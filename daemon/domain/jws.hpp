// Compact JWS (RFC 7515) signed with Ed25519 (`alg` EdDSA, RFC 8037): the one writer and reader
// that every signed object of the server shares (borrowed leases' tokens, vendors' entitlements),
// and the claim readers their payloads use.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ed25519.hpp"

namespace lmp::domain {

// header.payload.signature, each base64url without padding; `header` gets `"alg":"EdDSA"`.
std::string jws_sign(boost::json::object header, const boost::json::object& payload,
                     const Ed25519Key& key);

// A compact JWS taken apart, its signature not checked yet.
struct Jws {
  boost::json::object header;
  boost::json::object payload;
  std::string signing_input;  // the header and payload parts with the dot between them
  std::string signature;      // the decoded signature bytes
};

// nullopt unless `token` is three base64url parts, the first two JSON objects, and the header's
// `alg` is EdDSA.
std::optional<Jws> parse_jws(std::string_view token);

// Whether `jws` is signed by the Ed25519 key `public_key`.
bool jws_verifies(const Jws& jws, std::string_view public_key);

// A claim of the given JSON type; nullopt when absent or of another type (an integer beyond
// int64 too).
std::optional<std::string> claim_text(const boost::json::object& o, std::string_view key);
std::optional<std::int64_t> claim_integer(const boost::json::object& o, std::string_view key);
std::optional<bool> claim_bool(const boost::json::object& o, std::string_view key);

}  // namespace lmp::domain
