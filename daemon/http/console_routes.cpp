// Serving the console's compiled-in files with their types, validators and security headers.
#include "http/console_routes.hpp"

#include <string>

#include "http/console_assets.hpp"
#include "http/router.hpp"

namespace lmp::http {

namespace {

HttpResponse console_file(const ConsoleAsset& asset, const HttpRequest& request) {
  HttpResponse response;
  response.content_type = std::string(asset.content_type);
  // Revalidated at each load (the files change with lmpd's version, not their URLs); an
  // unchanged file costs a 304.
  response.header("Cache-Control", "no-cache")
      .header("ETag", std::string(asset.etag))
      .header("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy))
      .header("X-Content-Type-Options", "nosniff")
      .header("X-Frame-Options", "DENY")
      .header("Referrer-Policy", "no-referrer");
  const std::string* match = request.header("if-none-match");
  if (match != nullptr && *match == asset.etag) {
    response.status = 304;
    return response;
  }
  response.body = std::string(asset.bytes);
  return response;
}

}  // namespace

void add_console_routes(Router& router) {
  for (const ConsoleAsset& asset : console_assets()) {
    auto serve = [&asset](HttpRequest& request, Reply reply) {
      reply(console_file(asset, request));
    };
    router.add("GET", std::string(asset.path), serve);
    // The page itself at the listener's root and the folder's.
    if (asset.path == "/console/index.html") {
      router.add("GET", "/", serve);
      router.add("GET", "/console", serve);
      router.add("GET", "/console/", serve);
    }
  }
}

}  // namespace lmp::http
