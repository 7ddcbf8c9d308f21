// The keyed forms of clients' secrets. Every MAC input starts with a label of its own, so that no
// two purposes ever share a value.
#include "storage/stored_secrets.hpp"

#include <stdexcept>

#include "core/aes256_gcm.hpp"
#include "core/hex.hpp"
#include "core/secure_random.hpp"
#include "core/sha256.hpp"

namespace lmp::storage {
namespace {

std::string as_string(const HmacSha256::Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

StoredSecrets::StoredSecrets(std::string_view server_secret, Env& env)
    : mac_(server_secret), env_(env) {
  if (server_secret.size() != kSecretSize)
    throw std::invalid_argument("the server secret must be 32 bytes");
  seal_key_ = as_string(mac_.digest({"lease-seal-key"}));
  signing_seal_key_ = as_string(mac_.digest({"signing-key-seal-key"}));
  webhook_seal_key_ = as_string(mac_.digest({"webhook-secret-seal-key"}));
}

std::string StoredSecrets::code_hash(std::string_view code_sha256) {
  return mac_.hex({"activation-code:", code_sha256});
}

std::string StoredSecrets::key_hash(std::string_view key_sha256) {
  return mac_.hex({"registration-key:", key_sha256});
}

std::string StoredSecrets::holder_proof(std::string_view holder_key) {
  return holder_key.empty() ? std::string() : holder_proof_of_digest(sha256_hex(holder_key));
}

std::string StoredSecrets::holder_proof_of_digest(std::string_view key_sha256) {
  return mac_.hex({"holder-key:", key_sha256});
}

std::string StoredSecrets::lease_row_key(std::string_view lease_id) {
  return to_hex(as_string(mac_.digest({"lease-id:", lease_id})).substr(0, 16));
}

std::string StoredSecrets::seal_lease_id(std::string_view lease_id, std::string_view row_key) {
  std::string nonce(kAes256GcmNonceSize, '\0');
  secure_random_bytes(nonce.data(), nonce.size(), env_);
  return to_hex(nonce + aes256_gcm_seal(seal_key_, nonce, row_key, lease_id));
}

std::string StoredSecrets::unseal_lease_id(std::string_view sealed, std::string_view row_key) {
  const std::optional<std::string> bytes = from_hex(sealed);
  if (!bytes || bytes->size() < kAes256GcmNonceSize + kAes256GcmTagSize)
    throw std::invalid_argument("a sealed lease id is not hex of a nonce and a tag");
  const std::string_view all(*bytes);
  std::optional<std::string> id = aes256_gcm_open(seal_key_, all.substr(0, kAes256GcmNonceSize),
                                                  row_key, all.substr(kAes256GcmNonceSize));
  if (!id) throw std::invalid_argument("a sealed lease id does not open under its row key");
  return *id;
}

std::string StoredSecrets::seal_signing_key(std::string_view private_key, std::string_view kid) {
  std::string nonce(kAes256GcmNonceSize, '\0');
  secure_random_bytes(nonce.data(), nonce.size(), env_);
  return to_hex(nonce + aes256_gcm_seal(signing_seal_key_, nonce, kid, private_key));
}

std::string StoredSecrets::unseal_signing_key(std::string_view sealed, std::string_view kid) {
  const std::optional<std::string> bytes = from_hex(sealed);
  if (!bytes || bytes->size() < kAes256GcmNonceSize + kAes256GcmTagSize)
    throw std::invalid_argument("a sealed signing key is not hex of a nonce and a tag");
  const std::string_view all(*bytes);
  std::optional<std::string> key = aes256_gcm_open(
      signing_seal_key_, all.substr(0, kAes256GcmNonceSize), kid, all.substr(kAes256GcmNonceSize));
  if (!key) throw std::invalid_argument("a sealed signing key does not open for its kid");
  return *key;
}

std::string StoredSecrets::seal_webhook_secret(std::string_view webhook_secret, std::int64_t id) {
  std::string nonce(kAes256GcmNonceSize, '\0');
  secure_random_bytes(nonce.data(), nonce.size(), env_);
  const std::string row = "webhook:" + std::to_string(id);
  return to_hex(nonce + aes256_gcm_seal(webhook_seal_key_, nonce, row, webhook_secret));
}

std::string StoredSecrets::unseal_webhook_secret(std::string_view sealed, std::int64_t id) {
  const std::optional<std::string> bytes = from_hex(sealed);
  if (!bytes || bytes->size() < kAes256GcmNonceSize + kAes256GcmTagSize)
    throw std::invalid_argument("a sealed webhook secret is not hex of a nonce and a tag");
  const std::string_view all(*bytes);
  const std::string row = "webhook:" + std::to_string(id);
  std::optional<std::string> secret = aes256_gcm_open(
      webhook_seal_key_, all.substr(0, kAes256GcmNonceSize), row, all.substr(kAes256GcmNonceSize));
  if (!secret) throw std::invalid_argument("a sealed webhook secret does not open for its row");
  return *secret;
}

std::string StoredSecrets::check_value() {
  return mac_.hex({"lmpd server secret check"});
}

}  // namespace lmp::storage
