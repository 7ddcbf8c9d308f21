// The server's signing keys (a port: storage implements it, sealing private keys with the server
// secret). Every method REQUIRES an open transaction and throws StoreError when the database
// fails.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/signing_key.hpp"

namespace lmp::domain {

class SigningKeyRepository {
 public:
  virtual ~SigningKeyRepository() = default;

  // The key that signs now, private key included: of the keys not retired the newest (by
  // creation, then kid), so that two instances that made one each at the same first start agree.
  // nullopt when there is none.
  virtual std::optional<SigningKey> active() = 0;
  // The keys to publish at `now_ms` (public keys only): every key not retired, and every retired
  // key that signed a token whose `exp` is after `now_ms`; oldest first.
  virtual std::vector<SigningKey> published(std::int64_t now_ms) = 0;
  // Stores a new key (its private key sealed); DuplicateError when the kid exists.
  virtual void insert(const SigningKey& key) = 0;
  // Retires every key not retired yet, at `now_ms`.
  virtual void retire_all(std::int64_t now_ms) = 0;
  // Notes that key `kid` signed a token valid until `exp_ms` (kept as the latest such time).
  virtual void note_signed(const std::string& kid, std::int64_t exp_ms) = 0;
};

}  // namespace lmp::domain
