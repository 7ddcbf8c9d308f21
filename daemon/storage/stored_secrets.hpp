// The forms in which the database keeps what clients hold as secrets: activation codes and
// registration keys (to find their license or key), holder keys (to tell a lease's holder) and
// lease ids (to find a lease, and to hand its id back to its holder). Each is keyed with the
// server secret, 32 random bytes kept in a file outside the database (storage/server_secret.hpp),
// so that a copy of the database alone gives nothing to search offline (a code has about 63 bits)
// and no lease id to heartbeat or check in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/env.hpp"
#include "core/hmac_sha256.hpp"

namespace lmp::storage {

// Thread safety: one thread at a time (each session has its own).
class StoredSecrets {
 public:
  static constexpr std::size_t kSecretSize = 32;

  // Nonces come from `env`'s random bytes, which must outlive this object. Throws
  // std::invalid_argument unless server_secret.size() == kSecretSize.
  explicit StoredSecrets(std::string_view server_secret, Env& env = Env::posix());

  // An activation code's stored hash from the code's SHA-256 (sha256_hex of the normalized 20
  // digits, what the seat path and the domain compute): HMAC(secret, "activation-code:" + that),
  // 64 hex digits. Keying the digest rather than the code lets a database of schema 7, which
  // held the digests, be migrated without the codes.
  std::string code_hash(std::string_view code_sha256);
  // The same for a registration key's SHA-256.
  std::string key_hash(std::string_view key_sha256);
  // What a lease keeps of the holder_key it was made with; "" for none.
  std::string holder_proof(std::string_view holder_key);
  // The same from the key's SHA-256, which schema 7 stored.
  std::string holder_proof_of_digest(std::string_view key_sha256);

  // The key of a lease's row: HMAC(secret, "lease-id:" + id), its first 16 bytes as 32 hex
  // digits. Finding a lease by the id a client presents costs one MAC.
  std::string lease_row_key(std::string_view lease_id);
  // The lease id encrypted for its row (`row_key`), as hex: a random 12-byte nonce, then
  // AES-256-GCM of the id under HMAC(secret, "lease-seal-key") with the row key as associated
  // data, tag included. Only a holder of the secret can read it back, which the server does to
  // answer a holder's repeated checkout with its lease; a sealed id copied to another row does not
  // open there.
  std::string seal_lease_id(std::string_view lease_id, std::string_view row_key);
  // The id back; throws std::invalid_argument when `sealed` is not what seal_lease_id made for
  // this row under this secret.
  std::string unseal_lease_id(std::string_view sealed, std::string_view row_key);

  // A signing key's private key sealed for the row of `kid`, as hex: a random 12-byte nonce, then
  // AES-256-GCM under HMAC(secret, "signing-key-seal-key") with the kid as associated data. A
  // copy of the database without the secret file signs nothing.
  std::string seal_signing_key(std::string_view private_key, std::string_view kid);
  // The private key back; throws std::invalid_argument when `sealed` does not open for `kid`.
  std::string unseal_signing_key(std::string_view sealed, std::string_view kid);

  // A webhook's secret sealed for the row of webhook `id` the same way, under
  // HMAC(secret, "webhook-secret-seal-key"); the HMAC of each delivery needs the secret itself.
  std::string seal_webhook_secret(std::string_view webhook_secret, std::int64_t id);
  // The secret back; throws std::invalid_argument when `sealed` does not open for `id`.
  std::string unseal_webhook_secret(std::string_view sealed, std::int64_t id);

  // What the database keeps to tell whether a secret file is the one it was made with.
  std::string check_value();

 private:
  HmacSha256 mac_;
  std::string seal_key_;          // HMAC(secret, "lease-seal-key"), the AES-256-GCM key
  std::string signing_seal_key_;  // HMAC(secret, "signing-key-seal-key")
  std::string webhook_seal_key_;  // HMAC(secret, "webhook-secret-seal-key")
  Env& env_;
};

}  // namespace lmp::storage
