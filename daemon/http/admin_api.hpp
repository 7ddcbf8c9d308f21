// The administration API under /v1/ (docs/admin-api.md): bearer-token authentication, accounts,
// partners, customers, users and tokens, and the audit log, each call authorized from the
// caller's place in the account tree.
#pragma once

#include <functional>
#include <memory>

namespace lmp {
class Clock;
}
namespace lmp::domain {
struct SiteTrust;
class AdminWorker;
class LiveSeats;
class UnitOfWork;
}  // namespace lmp::domain
namespace lmp::seat {
class ProductCatalog;
}
namespace lmp::net {
class InvalidCodeLimiter;
}

namespace lmp::http {

class Router;

// Runs a closure on the network thread (the daemon posts it to its io_context).
using NetworkExecutor = std::function<void(std::function<void()>)>;

// The product catalog in force now; a reload swaps it, so each call takes its own snapshot.
using CatalogSource = std::function<std::shared_ptr<const seat::ProductCatalog>()>;

// Installs the authenticator and every admin route on `router`. Database work runs on `worker`
// (which alone uses `db`), answers go back through `to_network`. Wrong registration keys count
// against `limiter`, the seat path's invalid-code budget. `seats` is the seat engine the lease
// operations ask (waiting checkouts, releases). `trust`: the vendor keys of a site server (none:
// the vendor's own server). REQUIRES: db, worker, clock, limiter and seats outlive the router;
// call before the server starts.
void add_admin_routes(Router& router, domain::UnitOfWork& db, domain::AdminWorker& worker,
                      NetworkExecutor to_network, const Clock& clock, CatalogSource products,
                      net::InvalidCodeLimiter& limiter, domain::LiveSeats& seats,
                      std::shared_ptr<const domain::SiteTrust> trust = nullptr);

}  // namespace lmp::http
