// The server's signing keys over HTTP (docs/admin-api.md, "Signing keys"): the public keys as a
// JWK Set for anyone (clients verify borrowed leases' tokens with them), and the rotation.
#include <boost/json/object.hpp>

#include "core/env.hpp"
#include "domain/signing_keys.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value published_keys(AdminCall& call) {
  return domain::jwk_set(call.db.signing_keys().published(call.now_ms));
}

json::value rotate_key(AdminCall& call) {
  const auto key = domain::rotate_signing_key(call.context(), Env::posix());
  return json::object{{"kid", key.kid}, {"created", key.created_at_ms / 1000}};
}

}  // namespace

void add_signing_key_routes(AdminRoutes& routes) {
  // Without credentials: the JWK Set. With a bearer token the path is the registration keys'
  // list (admin_key_routes.cpp), as it was before borrowing.
  routes.add_open("GET", "/v1/keys", published_keys, [](const HttpRequest& request) {
    return request.header("authorization") == nullptr;
  });
  routes.add("POST", "/v1/keys/rotate", Mode::write, rotate_key);
}

}  // namespace lmp::http
