// Making, rotating and publishing the server's signing keys.
#include "domain/signing_keys.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64url.hpp"
#include "core/ed25519.hpp"
#include "core/secure_random.hpp"
#include "domain/domain_error.hpp"

namespace lmp::domain {

SigningKey new_signing_key(std::int64_t now_ms, Env& env) {
  const Ed25519Key key = Ed25519Key::generate();
  SigningKey out;
  out.kid = random_hex(8, env);
  out.public_key = key.public_bytes();
  out.private_key = key.private_bytes();
  out.created_at_ms = now_ms;
  return out;
}

std::string ensure_signing_key(SigningKeyRepository& keys, std::int64_t now_ms, Env& env) {
  if (auto active = keys.active()) return active->kid;
  SigningKey key = new_signing_key(now_ms, env);
  keys.insert(key);
  return key.kid;
}

SigningKey rotate_signing_key(SigningKeyRepository& keys, std::int64_t now_ms, Env& env) {
  keys.retire_all(now_ms);
  SigningKey key = new_signing_key(now_ms, env);
  keys.insert(key);
  key.private_key.clear();
  return key;
}

SigningKey rotate_signing_key(const Context& ctx, Env& env) {
  // The key vouches for every borrow on the server, whichever customer's: the parent's alone.
  if (!ctx.caller.is_parent())
    throw forbidden("only the parent account may rotate the server's signing key");
  refuse_if_read_only(ctx.caller);
  auto before = ctx.db.signing_keys().active();
  SigningKey key = rotate_signing_key(ctx.db.signing_keys(), ctx.now_ms, env);
  ctx.audit("signing_key.rotate", "signing_key:" + key.kid, ctx.caller.scope,
            before ? boost::json::serialize(boost::json::object{{"kid", before->kid}}) : "",
            boost::json::serialize(boost::json::object{{"kid", key.kid}}));
  return key;
}

boost::json::value jwk_set(const std::vector<SigningKey>& keys) {
  boost::json::array list;
  for (const auto& key : keys)
    list.push_back(boost::json::object{{"kty", "OKP"},
                                       {"crv", "Ed25519"},
                                       {"x", base64url_encode(key.public_key)},
                                       {"kid", key.kid},
                                       {"use", "sig"},
                                       {"alg", "EdDSA"}});
  return boost::json::object{{"keys", std::move(list)}};
}

}  // namespace lmp::domain
