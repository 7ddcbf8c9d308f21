// The vendor's public keys a site server trusts (`trust.vendor_keys`, docs/entitlements.md): each
// an Ed25519 key written as a JWK (RFC 8037, as the vendor's GET /v1/keys lists it) or as a PEM
// public key. Configuring any makes lmpd a site server, which takes its licenses from the vendor's
// entitlements only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::domain {

struct VendorKey {
  // The JWK's `kid`; empty for a PEM key, which has none: it is tried for any kid.
  std::string kid;
  std::string public_key;  // 32 bytes (raw Ed25519)
};

// One key read from its text (a JWK object or a PEM block); nullopt, with `why` saying what is
// wrong, otherwise.
std::optional<VendorKey> parse_vendor_key(std::string_view text, std::string& why);

// The keys a server trusts, read once from its config. Empty: the vendor's own server.
struct SiteTrust {
  std::vector<VendorKey> vendor_keys;

  bool site_server() const { return !vendor_keys.empty(); }
};

// The trust of the configured key texts; throws std::invalid_argument naming the first bad one
// (the config loader has checked them already).
SiteTrust site_trust_of(const std::vector<std::string>& key_texts);

}  // namespace lmp::domain
