// The server's signing keys over HTTP (docs/admin-api.md, "Signing keys"): the public keys as a
// JWK Set for anyone (clients verify borrowed leases' tokens with them) at GET /v1/keys and
// /.well-known/jwks.json, and the rotation.
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

// RFC 9745: the list's old path is deprecated since 2026-12-07 (the release after 1.1 drops it).
constexpr const char* kDeprecatedSince = "@1796601600";

}  // namespace

void add_signing_key_routes(AdminRoutes& routes) {
  routes.add_open("GET", "/.well-known/jwks.json", published_keys);
  // GET /v1/keys is the JWK Set too (protocol 1.1). Before 1.1 it was the registration keys'
  // list, now GET /v1/registration-keys: a request with Authorization still gets that list for
  // one more release, marked deprecated. The one place that tells the two apart.
  Router& router = routes.router();
  router.add("GET", "/v1/keys",
             [&router, jwk_set = routes.open_handler(published_keys),
              old_list = routes.bearer_handler(Mode::read, list_registration_keys)](
                 HttpRequest& request, Reply reply) {
               if (request.header("authorization") == nullptr) {
                 jwk_set(request, std::move(reply));
                 return;
               }
               router.authenticate_then(
                   old_list, request, [reply = std::move(reply)](HttpResponse response) {
                     reply(std::move(response.header("Deprecation", kDeprecatedSince)
                                         .header("Link",
                                                 "</v1/registration-keys>; "
                                                 "rel=\"successor-version\"")));
                   });
             });
  routes.add("POST", "/v1/keys/rotate", Mode::write, rotate_key);
}

}  // namespace lmp::http
