// GET /metrics on the admin listener: the process's metrics in the Prometheus text format.
// Open like /healthz (no bearer token): scrapers usually send none, the page holds no secret, and
// the admin listener is bound to loopback unless configured otherwise (docs/operations.md).
#pragma once

namespace lmp::metrics {
class Registry;
}

namespace lmp::http {

class Router;

// REQUIRES: `registry` outlives the router.
void add_metrics_route(Router& router, const metrics::Registry& registry);

}  // namespace lmp::http
