// The scrape handler: renders the registry on the network thread, which never waits for the
// storage thread (every value is an atomic or behind a short lock).
#include "http/metrics_route.hpp"

#include "http/router.hpp"
#include "metrics/registry.hpp"

namespace lmp::http {

void add_metrics_route(Router& router, const metrics::Registry& registry) {
  router.add("GET", "/metrics", [&registry](HttpRequest&, Reply reply) {
    HttpResponse response;
    response.body = registry.render();
    response.content_type = std::string(metrics::kTextContentType);
    reply(std::move(response));
  });
}

}  // namespace lmp::http
