// Assembly and lifecycle of the server.
#include "app/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <future>
#include <optional>
#include <utility>

#include "app/fd_limit.hpp"
#include "config/policy_file.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/admin_worker.hpp"
#include "domain/clock_guard.hpp"
#include "domain/end_of_life_sweep.hpp"
#include "domain/entitlement_folder.hpp"
#include "domain/entitlements.hpp"
#include "domain/event_sweep.hpp"
#include "domain/signing_keys.hpp"
#include "domain/site_policies.hpp"
#include "domain/usage_rollups.hpp"
#include "domain/vendor_keys.hpp"
#include "domain/webhook_dispatcher.hpp"
#include "http/admin_api.hpp"
#include "http/http_server.hpp"
#include "http/metrics_route.hpp"
#include "http/webhook_client.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "net/rate_limiter.hpp"
#include "net/seat_server.hpp"
#include "net/tls_context.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/product_catalog.hpp"
#include "seat/product_facts.hpp"
#include "seat/seat_metrics.hpp"
#include "seat/seat_service.hpp"
#include "seat/site_policy_gate.hpp"
#include "seat/usage_recorder.hpp"
#include "storage/caching_seat_store.hpp"
#include "storage/database_listener.hpp"
#include "storage/database_news.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_unit_of_work.hpp"

#ifndef LMP_VERSION
#define LMP_VERSION "0.0.0"
#endif

namespace lmp::app {
namespace {

// How long a stopping daemon waits for clients to read their last answers.

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "lmpd";
  return buf;
}

// The configured instance id, else the host name and the seat port: stable across restarts with
// nothing to store, and distinct among the instances of one host, which cannot share a port.
std::string instance_id(const config::Config& config) {
  if (!config.server.instance_id.empty()) return config.server.instance_id;
  const int port = config.seat_listener.port;
  return host_name() + ":" + std::to_string(port != 0 ? port : static_cast<int>(::getpid()));
}

// Takes an exclusive lock beside the database for the process's lifetime; a second lmpd on the
// same database fails to start instead of over-committing seats.
std::unique_ptr<FileLock> lock_database(const std::string& sqlite_path, Env& env) {
  const std::string path = sqlite_path + ".lock";
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::unique_ptr<FileLock> lock;
  if (const std::error_code error = env.lock_file(path, lock)) {
    if (error == std::errc::operation_would_block)
      throw StartupError("storage: another lmpd is already serving " + sqlite_path);
    throw StartupError("storage: cannot lock " + path + ": " + error.message());
  }
  return lock;
}

std::vector<std::filesystem::path> plugin_folders(const config::Config& config) {
  const auto folders = config.plugin_folders();
  return {folders.begin(), folders.end()};
}

// Loads every plugin and binds the products; problems go to `errors`.
std::shared_ptr<const seat::ProductCatalog> load_catalog(const config::Config& config,
                                                         sdk::Host& host,
                                                         plugin::FamilyRegistry& registry,
                                                         std::vector<std::string>& errors) {
  std::vector<plugin::LoadFailure> failures;
  registry.load_directories(plugin_folders(config), host, failures);
  for (const auto& failure : failures) errors.push_back(failure.to_string());
  return seat::ProductCatalog::build(config, registry, errors);
}

// One plugin_loaded line for each family not in `before`.
void log_plugins_loaded(const plugin::FamilyRegistry& registry,
                        const std::vector<std::string>& before) {
  for (const auto& name : registry.names()) {
    if (std::find(before.begin(), before.end(), name) != before.end()) continue;
    const plugin::LoadedFamily& family = *registry.find(name);
    log::info("plugin_loaded", {{"family", family.name},
                                {"version", family.version},
                                {"file", family.path},
                                {"toolchain", family.toolchain}});
  }
}

// The TLS context of an enabled listener with TLS, or nullopt; problems go to `errors`.
std::optional<net::ServerTlsContext> load_listener_tls(const config::Listener& listener,
                                                       const std::string& setting,
                                                       std::vector<std::string>& errors) {
  if (!listener.enabled || !listener.tls) return std::nullopt;
  try {
    return net::load_server_tls(*listener.tls, setting);
  } catch (const net::TlsError& ex) {
    errors.push_back(ex.what());
    return std::nullopt;
  }
}

void log_certificate(std::string_view listener, const config::Tls& tls,
                     const net::ServerTlsContext& loaded) {
  log::info("tls_certificate_loaded", {{"listener", listener},
                                       {"file", tls.certificate_file},
                                       {"subject", loaded.certificate.subject},
                                       {"serial", loaded.certificate.serial},
                                       {"not_after", loaded.certificate.not_after}});
}

}  // namespace

std::vector<std::string> check_config_and_plugins(const config::Config& config) {
  SystemClock clock;
  plugin::DaemonHost host(clock);
  plugin::FamilyRegistry registry;
  std::vector<std::string> errors;
  load_catalog(config, host, registry, errors);
  load_listener_tls(config.seat_listener, "listeners.seat.tls", errors);
  load_listener_tls(config.admin_listener, "listeners.admin.tls", errors);
  // The policy file's own problems; what only the database can tell (a customer that does not
  // exist, reservations above a license's units) is told at start and at reload.
  if (!config.policy.file.empty())
    for (const auto& error : config::load_policy_file(config.policy.file).errors)
      errors.push_back(error.to_string());
  return errors;
}

struct Daemon::Impl {
  Impl(config::Config cfg, const Clock& clk, Env& os)
      : config(std::move(cfg)),
        clock(clk),
        env(os),
        host(clk),
        limiter(config.limits.invalid_code_burst,
                std::chrono::seconds(config.limits.invalid_code_window_seconds)) {}

  std::size_t connection_count() const {
    return (seat_server ? seat_server->connection_count() : 0) +
           (http_server ? http_server->connection_count() : 0);
  }

  // What every listener takes from the config: its address, the limits, its TLS, and the
  // counters of its failed handshakes and accepts (labelled `name`).
  net::ListenerOptions listener_options(const std::string& name, const config::Listener& listener,
                                        std::shared_ptr<net::TlsContextHolder> tls) const {
    net::ListenerOptions options = net::listener_defaults(name, listener.port);
    options.address = listener.address;
    options.max_connections = config.limits.max_connections;
    options.max_connections_per_address = config.limits.max_connections_per_address;
    options.idle_timeout_seconds = config.limits.idle_timeout_seconds;
    options.request_timeout_seconds = config.limits.request_timeout_seconds;
    options.send_timeout_seconds = config.limits.send_timeout_seconds;
    options.tls = std::move(tls);
    options.tls_handshake_timeout_seconds = config.limits.tls_handshake_timeout_seconds;
    options.on_tls_handshake_failure = [family = tls_handshake_failures,
                                        name](std::string_view reason) {
      family->with({name, std::string(reason)}).add();
    };
    options.on_accept_failure = [counter = &accept_failures->with({name})] { counter->add(); };
    return options;
  }

  config::Config config;
  const Clock& clock;
  Env& env;
  plugin::DaemonHost host;
  plugin::FamilyRegistry registry;  // must outlive the service, whose catalog holds families
  // One invalid-code budget per address for both listeners; it outlives the io_context's
  // handlers, which refer to it.
  net::InvalidCodeLimiter limiter;
  // Declared before the service and the listeners, which update and render it.
  metrics::Registry metrics;
  boost::asio::io_context io{1};
  boost::asio::steady_timer drain_timer{io};
  boost::asio::steady_timer liveness_timer{io};
  boost::asio::steady_timer end_of_life_timer{io};
  boost::asio::steady_timer usage_rollup_timer{io};
  std::unique_ptr<seat::SeatService> service;
  // Shared database: what the listener hears of rows the seat store keeps between batches, and
  // the listener, which also tells the service of units other instances freed (declared after
  // it, so destroyed first).
  std::shared_ptr<storage::DatabaseNews> database_news;
  std::unique_ptr<storage::DatabaseListener> database_listener;
  std::unique_ptr<net::SeatServer> seat_server;
  std::unique_ptr<http::HttpServer> http_server;
  // Set while the listener speaks TLS; a reload swaps the context inside.
  std::shared_ptr<net::TlsContextHolder> seat_tls;
  std::shared_ptr<net::TlsContextHolder> admin_tls;
  metrics::Family<metrics::Counter>* tls_handshake_failures = nullptr;
  metrics::Family<metrics::Counter>* accept_failures = nullptr;
  // The admin API's own session and thread (declared after the store, so stopped first).
  std::unique_ptr<domain::UnitOfWork> domain_db;
  std::unique_ptr<domain::AdminWorker> admin_worker;
  std::unique_ptr<domain::UsageRollupSweep> usage_rollups;  // runs on the admin worker
  // usage.rollup_interval_seconds, taken at start (a change needs a restart).
  std::chrono::milliseconds usage_rollup_interval{1000};
  // events.denials_per_hour and events.sweep_interval_ms, taken at start (a change needs a
  // restart).
  std::int64_t denials_per_hour = 0;
  std::chrono::milliseconds event_sweep_interval{1000};
  // The vendor keys of a site server (trust.vendor_keys), read at start.
  std::shared_ptr<const domain::SiteTrust> trust;
  // Reports a wall clock moved back behind the server's mark (log, /metrics, /readyz).
  std::shared_ptr<domain::ClockGuard> clock_guard;
  // Posts the outbox to webhooks on a thread and database session of its own.
  std::unique_ptr<domain::WebhookDispatcher> webhooks;
  std::atomic<bool> stopping{false};
  std::atomic<bool> failed{false};  // stopping because a flush to disk failed
  std::unique_ptr<FileLock> database_lock;
};

Daemon::Daemon(config::Config config, const Clock& clock, Env& env)
    : impl_(std::make_unique<Impl>(std::move(config), clock, env)) {
  auto& cfg = impl_->config;
  log::Level level;
  if (log::parse_level(cfg.logging.level, level)) log::set_level(level);

  std::vector<std::string> errors;
  auto catalog = load_catalog(cfg, impl_->host, impl_->registry, errors);
  if (!errors.empty()) throw StartupError(join_lines(errors));
  log_plugins_loaded(impl_->registry, {});
  try {
    impl_->trust =
        std::make_shared<const domain::SiteTrust>(domain::site_trust_of(cfg.trust.vendor_keys));
  } catch (const std::invalid_argument& ex) {
    throw StartupError(ex.what());
  }

  const bool shared = cfg.storage.backend == storage::Backend::postgresql;
  std::unique_ptr<storage::SeatStore> store;
  if (!shared) {
    // The seat path keeps leases in memory (the caching store), which is only correct while
    // this process is the one lmpd writing leases to the file.
    impl_->database_lock = lock_database(cfg.storage.sqlite_path, env);
  }
  try {
    // On a shared PostgreSQL database every instance reads through to the database: another
    // instance's writes would make any cache stale.
    store = shared ? storage::open_postgresql(cfg.storage, env)
                   : storage::make_caching_store(storage::open_sqlite(cfg.storage, env));
  } catch (const storage::StoreError& ex) {
    throw StartupError(std::string("storage: ") + ex.what());
  }
  if (shared) {
    impl_->database_news = std::make_shared<storage::DatabaseNews>();
    store->set_database_news(impl_->database_news);
  }
  log::info("leases_loaded", {{"count", std::to_string(store->lease_count())}});
  seat::SeatServiceOptions options;
  options.max_batch = cfg.storage.max_batch;
  options.reclaim_interval_ms = cfg.leases.reclaim_interval_ms;
  options.shared_database = shared;
  options.max_waiters = cfg.limits.max_waiters;
  options.env = &env;
  options.instance = instance_id(cfg);
  options.usage_retention_ms = cfg.usage.retention_days * 86'400'000;
  impl_->service = std::make_unique<seat::SeatService>(std::move(store), catalog, clock, options);
  auto seat_metrics = std::make_shared<seat::SeatMetrics>(impl_->metrics);
  {
    seat::SeatRules rules;
    // Always asked: a customer's policy set through the admin API applies from the next
    // checkout, on every instance (the gate compiles the policies when their generation moves).
    auto policy = seat::make_site_policy_rules();
    rules.gates.push_back(std::move(policy.gate));
    rules.linger = std::move(policy.linger);
    if (cfg.usage.records) {
      auto recorder = std::make_shared<seat::UsageRecorder>(seat_metrics);
      rules.observers.push_back(recorder);
      rules.checkout_observers.push_back(std::move(recorder));
    }
    impl_->service->set_rules(std::move(rules));
  }
  // After a failed flush nothing more can be acknowledged: stop, and exit with a failure status
  // so that the service manager restarts lmpd on what is on disk (docs/reliability.md).
  impl_->service->set_durability_lost_handler([this] {
    boost::asio::post(impl_->io, [this] {
      if (impl_->failed.exchange(true)) return;
      log::error("stopping_after_storage_failure",
                 {{"reason", "a flush to disk failed"},
                  {"effect", "nothing more is acknowledged; lmpd exits with status 1"}});
      stop();
    });
  });
  impl_->metrics
      .add<metrics::Gauge>("lmp_build_info", "Always 1; the version label says which lmpd runs.",
                           {"version"})
      .with({LMP_VERSION})
      .set(1);
  impl_->metrics.add_family("process", std::make_unique<metrics::ProcessMetrics>());
  impl_->service->set_metrics(seat_metrics);
  impl_->clock_guard =
      std::make_shared<domain::ClockGuard>(cfg.trust.clock_tolerance_seconds, &impl_->metrics);
  impl_->service->set_clock_guard(impl_->clock_guard);
  impl_->tls_handshake_failures = &impl_->metrics.add<metrics::Counter>(
      "lmp_tls_handshake_failures_total",
      "TLS handshakes that failed, by listener and reason (timeout, no_client_certificate, "
      "bad_client_certificate, server_certificate_refused, not_tls, closed, protocol).",
      {"listener", "reason"});
  impl_->accept_failures = &impl_->metrics.add<metrics::Counter>(
      "lmp_accept_failures_total",
      "Connections the kernel had queued that a listener failed to accept (out of file "
      "descriptors or memory), by listener; each failure pauses that listener's accepting for "
      "100 ms.",
      {"listener"});
  // Answers are written by the network thread: each batch's completions travel there at once.
  impl_->service->set_completion_executor(
      [io = &impl_->io](std::function<void()> work) { boost::asio::post(*io, std::move(work)); });
  log::info("products_loaded", {{"count", std::to_string(catalog->size())}});
}

Daemon::~Daemon() {
  if (impl_->service) impl_->service->stop();
}

void Daemon::start() {
  auto& cfg = impl_->config;
  std::vector<std::string> errors;
  auto seat_tls = load_listener_tls(cfg.seat_listener, "listeners.seat.tls", errors);
  auto admin_tls = load_listener_tls(cfg.admin_listener, "listeners.admin.tls", errors);
  if (!errors.empty()) throw StartupError(join_lines(errors));
  if (seat_tls) {
    log_certificate("seat", *cfg.seat_listener.tls, *seat_tls);
    impl_->seat_tls = std::make_shared<net::TlsContextHolder>(std::move(*seat_tls));
  }
  if (admin_tls) {
    log_certificate("admin", *cfg.admin_listener.tls, *admin_tls);
    impl_->admin_tls = std::make_shared<net::TlsContextHolder>(std::move(*admin_tls));
  }
  ensure_fd_limit();
  impl_->service->start();
  if (impl_->database_news) {
    impl_->database_listener = std::make_unique<storage::DatabaseListener>(
        cfg.storage.postgresql_connection,
        [service = impl_->service.get()](std::int64_t license_id) {
          service->units_freed_elsewhere(license_id == storage::DatabaseListener::kMissed
                                             ? seat::SeatService::kEveryLicense
                                             : license_id);
        },
        impl_->database_news);
  }
  try {
    // The admin API's session and thread; the End-of-Life sweep runs there too, with or without
    // the HTTP listener, since a config date passing must delete the data either way.
    impl_->domain_db = storage::open_unit_of_work(cfg.storage, impl_->env);
    // Before any listener: the first borrow must find a key to sign its token with, and
    // GET /v1/site a site id to show.
    ensure_signing_key();
    if (cfg.seat_listener.enabled) {
      net::SeatServerOptions options;
      options.listener = impl_->listener_options("seat", cfg.seat_listener, impl_->seat_tls);
      options.max_unsent_bytes = cfg.limits.max_unsent_bytes;
      options.max_wait_seconds = cfg.leases.max_wait_seconds;
      options.server_name = host_name();
      options.version = LMP_VERSION;
      impl_->seat_server =
          std::make_unique<net::SeatServer>(impl_->io, *impl_->service, impl_->limiter, options);
      impl_->seat_server->start();
    }
    impl_->admin_worker = std::make_unique<domain::AdminWorker>();
    if (!cfg.policy.file.empty()) {
      const auto problems = apply_policy_file(cfg.policy.file);
      if (!problems.empty()) {
        std::string message = "the policy file is refused:";
        for (const auto& line : problems) message += "\n  " + line;
        throw StartupError(message);
      }
    }
    impl_->denials_per_hour = cfg.events.denials_per_hour;
    impl_->event_sweep_interval = std::chrono::milliseconds(cfg.events.sweep_interval_ms);
    if (!cfg.entitlements.directory.empty()) import_entitlement_folder(cfg.entitlements.directory);
    sweep_end_of_life();
    impl_->usage_rollups = std::make_unique<domain::UsageRollupSweep>(
        static_cast<std::int64_t>(cfg.usage.retention_days) * 86'400'000);
    // Not at all with an interval of 0: another instance rolls up, or reports replay.
    impl_->usage_rollup_interval = std::chrono::seconds(cfg.usage.rollup_interval_seconds);
    if (cfg.usage.rollup_interval_seconds > 0) sweep_usage_rollups(std::chrono::seconds(1));
    std::unique_ptr<domain::WebhookSender> webhook_client;
    try {
      webhook_client = http::make_webhook_client(cfg.events.webhook_ca_file);
    } catch (const std::runtime_error& e) {
      throw StartupError(e.what());
    }
    impl_->webhooks = std::make_unique<domain::WebhookDispatcher>(
        storage::open_unit_of_work(cfg.storage, impl_->env), std::move(webhook_client),
        impl_->clock);
    impl_->webhooks->start();
    if (cfg.admin_listener.enabled) {
      http::HttpServerOptions options;
      options.listener = impl_->listener_options("admin", cfg.admin_listener, impl_->admin_tls);
      options.max_wait_seconds = cfg.leases.max_wait_seconds;
      options.server_name = "lmpd";
      options.version = LMP_VERSION;
      options.clock_guard = impl_->clock_guard;
      impl_->http_server =
          std::make_unique<http::HttpServer>(impl_->io, *impl_->service, impl_->limiter, options);
      http::add_metrics_route(impl_->http_server->router(), impl_->metrics);
      http::add_admin_routes(
          impl_->http_server->router(), *impl_->domain_db, *impl_->admin_worker,
          [io = &impl_->io](std::function<void()> work) {
            boost::asio::post(*io, std::move(work));
          },
          impl_->clock, [service = impl_->service.get()] { return service->catalog(); },
          impl_->limiter, *impl_->service, impl_->trust);
      impl_->http_server->start();
    }
  } catch (const std::exception& ex) {
    throw StartupError(ex.what());
  }
}

void Daemon::ensure_signing_key() {
  domain::Transaction tx(*impl_->domain_db, domain::TransactionMode::write);
  auto& keys = impl_->domain_db->signing_keys();
  const bool had = keys.active().has_value();
  const std::string kid = domain::ensure_signing_key(keys, impl_->clock.now_unix_ms(), impl_->env);
  tx.commit();
  if (!had) log::info("signing_key_created", {{"kid", kid}});
  domain::Transaction site_tx(*impl_->domain_db, domain::TransactionMode::write);
  const std::string site = domain::ensure_site_id(impl_->domain_db->entitlements(),
                                                  impl_->clock.now_unix_ms(), impl_->env);
  site_tx.commit();
  log::info("site_identity", {{"site", site},
                              {"role", impl_->trust->site_server() ? "site" : "vendor"},
                              {"vendor_keys", std::to_string(impl_->trust->vendor_keys.size())}});
}

void Daemon::ensure_fd_limit() {
  const auto& cfg = impl_->config;
  const std::uint64_t listeners =
      (cfg.seat_listener.enabled ? 1U : 0U) + (cfg.admin_listener.enabled ? 1U : 0U);
  const std::uint64_t needed = app::kReservedDescriptors + listeners * cfg.limits.max_connections;
  const app::FdLimit limit = app::raise_fd_limit(needed, impl_->env);
  if (limit.soft < needed) {
    // Not fatal: lmpd serves as many connections as it has descriptors for, and the ones past
    // that wait in the kernel's queue (the listener retries every 100 ms) instead of being
    // refused with an answer.
    log::warning("fd_limit_low", {{"needed", std::to_string(needed)},
                                  {"soft_limit", std::to_string(limit.soft)},
                                  {"hard_limit", std::to_string(limit.hard)},
                                  {"hint", "raise LimitNOFILE or lower limits.max_connections"}});
  } else if (limit.soft != limit.before) {
    log::info("fd_limit_raised",
              {{"from", std::to_string(limit.before)}, {"to", std::to_string(limit.soft)}});
  }
}

void Daemon::watch_liveness(std::chrono::microseconds every, std::function<void()> alive) {
  auto& timer = impl_->liveness_timer;
  timer.expires_after(every);
  timer.async_wait([this, every, alive = std::move(alive)](const boost::system::error_code& ec) {
    if (ec || impl_->stopping) return;
    seat::SeatCommand probe;
    probe.op = seat::Operation::probe;
    impl_->service->submit(std::move(probe), [this, every, alive](seat::SeatResult result) {
      if (impl_->stopping || !result.ok()) return;
      alive();
      watch_liveness(every, alive);
    });
  });
}

std::vector<std::string> Daemon::apply_policy_file(const std::string& path) {
  const auto file = config::load_policy_file(path);
  std::vector<std::string> problems;
  for (const auto& error : file.errors) problems.push_back(error.to_string());
  if (!problems.empty()) return problems;
  std::promise<std::vector<std::string>> done;
  impl_->admin_worker->submit([&] {
    std::vector<std::string> refused;
    try {
      const domain::Caller server = domain::Caller::server();
      const auto products = seat::product_facts(*impl_->service->catalog());
      const domain::Context ctx{*impl_->domain_db, server, impl_->clock.now_unix_ms(), products};
      domain::Transaction write(*impl_->domain_db, domain::TransactionMode::write);
      for (const auto& [index, problem] : domain::apply_policy_file(ctx, path, file.policies))
        refused.push_back(config::Error{file.position_of(index, problem.path),
                                        "policies[" + std::to_string(index) + "]" +
                                            (problem.path.empty() ? "" : ".") + problem.path +
                                            ": " + problem.message}
                              .to_string());
      if (refused.empty()) write.commit();
    } catch (const std::exception& ex) {
      refused.push_back(path + ": " + ex.what());
    }
    done.set_value(std::move(refused));
  });
  problems = done.get_future().get();
  if (problems.empty())
    log::info("policy_file_loaded",
              {{"file", path}, {"policies", std::to_string(file.policies.size())}});
  return problems;
}

void Daemon::import_entitlement_folder(const std::string& folder) {
  std::string error;
  const auto files = domain::read_entitlement_folder(folder, error);
  if (!error.empty()) {
    log::warning("entitlement_folder_unreadable", {{"folder", folder}, {"error", error}});
    return;
  }
  std::promise<void> done;
  impl_->admin_worker->submit([&] {
    try {
      const auto products = seat::product_facts(*impl_->service->catalog());
      const auto outcomes = domain::import_entitlement_files(
          *impl_->domain_db, impl_->clock.now_unix_ms(), products, *impl_->trust, files);
      std::size_t refused = 0;
      for (const auto& outcome : outcomes)
        if (!outcome.attempt.imported) ++refused;
      log::info("entitlement_folder_read", {{"folder", folder},
                                            {"files", std::to_string(outcomes.size())},
                                            {"not_imported", std::to_string(refused)}});
    } catch (const std::exception& ex) {
      log::error("entitlement_folder_failed", {{"folder", folder}, {"error", ex.what()}});
    }
    done.set_value();
  });
  done.get_future().get();
}

void Daemon::sweep_end_of_life() {
  // Once a second by default (events.sweep_interval_ms): a passed End-of-Life date takes the
  // product's data within about that (the seat path refuses the product from the date itself,
  // whatever the sweep's delay).
  auto& timer = impl_->end_of_life_timer;
  timer.expires_after(impl_->event_sweep_interval);
  timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || impl_->stopping) return;
    impl_->admin_worker->submit([this] {
      if (impl_->stopping) return;
      const auto products = seat::product_facts(*impl_->service->catalog());
      domain::sweep_end_of_life(*impl_->domain_db, products, impl_->clock.now_unix_ms());
      // The events time makes due (docs/events.md), on the same schedule and thread.
      domain::sweep_events(*impl_->domain_db, products, impl_->clock.now_unix_ms(),
                           impl_->denials_per_hour);
      boost::asio::post(impl_->io, [this] { sweep_end_of_life(); });
    });
  });
}

void Daemon::sweep_usage_rollups(std::chrono::milliseconds delay) {
  // One hour per job, so that admin requests queued behind it wait for one hour's roll-up at
  // most; the next job at once while hours are still to roll up (after a restart, an upgrade).
  auto& timer = impl_->usage_rollup_timer;
  timer.expires_after(delay);
  timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || impl_->stopping) return;
    impl_->admin_worker->submit([this] {
      if (impl_->stopping) return;
      int rolled = 0;
      try {
        rolled = impl_->usage_rollups->run(*impl_->domain_db, impl_->clock.now_unix_ms(), 1);
      } catch (const domain::StoreError& ex) {
        log::error("usage_rollup_failed", {{"error", ex.what()}});
      }
      const auto next = rolled > 0 ? std::chrono::milliseconds(0) : impl_->usage_rollup_interval;
      boost::asio::post(impl_->io, [this, next] { sweep_usage_rollups(next); });
    });
  });
}

void Daemon::run() {
  // Keeps run() serving while the listener is idle; stop() ends it with io.stop().
  auto guard = boost::asio::make_work_guard(impl_->io);
  impl_->io.run();
}

void Daemon::stop() {
  if (impl_->stopping.exchange(true)) return;
  boost::asio::post(impl_->io, [this] {
    impl_->liveness_timer.cancel();
    impl_->end_of_life_timer.cancel();
    impl_->usage_rollup_timer.cancel();
    log::info("shutting_down");
    if (impl_->seat_server) impl_->seat_server->stop();
    // /readyz answers 503 from here on, to requests already received.
    if (impl_->http_server) impl_->http_server->stop();
    // Admin calls already queued run and post their answers; none waits on the seat path.
    if (impl_->admin_worker) impl_->admin_worker->stop();
    if (impl_->webhooks) impl_->webhooks->stop();
    if (impl_->database_listener) impl_->database_listener->stop();
    // The service answers everything queued (each answer is posted to this io_context) and
    // commits before stop() returns; the connections then write those answers and close.
    impl_->service->stop();
    wait_for_connections(std::chrono::steady_clock::now() +
                         std::chrono::seconds(impl_->config.limits.shutdown_timeout_seconds));
  });
}

void Daemon::wait_for_connections(std::chrono::steady_clock::time_point deadline) {
  const std::size_t open = impl_->connection_count();
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (open > 0) log::warning("shutdown_dropped_connections", {{"count", std::to_string(open)}});
    impl_->seat_server.reset();
    impl_->http_server.reset();
    impl_->io.stop();
    return;
  }
  impl_->drain_timer.expires_after(std::chrono::milliseconds(10));
  impl_->drain_timer.async_wait(
      [this, deadline](const boost::system::error_code&) { wait_for_connections(deadline); });
}

std::vector<std::string> Daemon::reload(const config::Config& next) {
  std::vector<std::string> errors;
  // A plugin file added to the running plugin folder loads now, so a product of a new family
  // works after a reload as `lmpd --check-config` promised. Loaded files stay as they are: glibc
  // may not really unload a library, so changed plugin code needs a restart (docs/operations.md).
  const std::vector<std::string> families_before = impl_->registry.names();
  std::vector<plugin::LoadFailure> failures;
  impl_->registry.load_directories(plugin_folders(impl_->config), impl_->host, failures);
  for (const auto& failure : failures) errors.push_back(failure.to_string());
  log_plugins_loaded(impl_->registry, families_before);
  auto catalog = seat::ProductCatalog::build(next, impl_->registry, errors);
  // Certificates are read again on every reload, changed paths or not: rotation usually
  // replaces the files in place. Whether a listener speaks TLS at all is fixed at start.
  std::optional<net::ServerTlsContext> seat_tls, admin_tls;
  if (impl_->seat_tls)
    seat_tls = load_listener_tls(next.seat_listener, "listeners.seat.tls", errors);
  if (impl_->admin_tls)
    admin_tls = load_listener_tls(next.admin_listener, "listeners.admin.tls", errors);
  // The policy file last: it is written to the database once it is right, and nothing after it
  // can refuse the reload any more.
  if (errors.empty() && !next.policy.file.empty()) errors = apply_policy_file(next.policy.file);
  if (!errors.empty()) return errors;
  const auto& old = impl_->config;
  auto restart_needed = [](std::string_view what) {
    log::warning("reload_needs_restart", {{"setting", what}});
  };
  if (next.seat_listener.address != old.seat_listener.address ||
      next.seat_listener.port != old.seat_listener.port ||
      next.seat_listener.enabled != old.seat_listener.enabled ||
      next.seat_listener.tls.has_value() != old.seat_listener.tls.has_value())
    restart_needed("listeners.seat");
  if (next.admin_listener.address != old.admin_listener.address ||
      next.admin_listener.port != old.admin_listener.port ||
      next.admin_listener.enabled != old.admin_listener.enabled ||
      next.admin_listener.tls.has_value() != old.admin_listener.tls.has_value())
    restart_needed("listeners.admin");
  if (seat_tls) {
    log_certificate("seat", *next.seat_listener.tls, *seat_tls);
    impl_->seat_tls->replace(std::move(*seat_tls));
  }
  if (admin_tls) {
    log_certificate("admin", *next.admin_listener.tls, *admin_tls);
    impl_->admin_tls->replace(std::move(*admin_tls));
  }
  if (next.storage.sqlite_path != old.storage.sqlite_path ||
      next.storage.backend != old.storage.backend ||
      next.storage.postgresql_connection != old.storage.postgresql_connection)
    restart_needed("storage");
  if (next.plugin_directory != old.plugin_directory) restart_needed("plugins.directory");
  if (next.plugin_directories != old.plugin_directories) restart_needed("plugins.directories");
  if (next.server.instance_id != old.server.instance_id) restart_needed("server.instance_id");
  if (next.usage.records != old.usage.records) restart_needed("usage.records");
  if (next.trust.vendor_keys != old.trust.vendor_keys) restart_needed("trust.vendor_keys");
  if (next.usage.retention_days != old.usage.retention_days) restart_needed("usage.retention_days");
  if (next.usage.rollup_interval_seconds != old.usage.rollup_interval_seconds)
    restart_needed("usage.rollup_interval_seconds");
  if (!(next.events == old.events)) restart_needed("events");
  // The listeners, the rate limiter and the wait queue took their limits at start.
  if (!(next.limits == old.limits)) restart_needed("limits");
  impl_->service->replace_catalog(catalog);
  impl_->clock_guard->set_tolerance_seconds(next.trust.clock_tolerance_seconds);
  impl_->config = next;
  log::Level level;
  if (log::parse_level(next.logging.level, level)) log::set_level(level);
  log::info("reloaded",
            {{"config", next.source_file}, {"products", std::to_string(catalog->size())}});
  // Last, with the new products in the catalog: a file for a product this reload added imports.
  if (!next.entitlements.directory.empty()) import_entitlement_folder(next.entitlements.directory);
  return {};
}

std::uint16_t Daemon::seat_port() const {
  return impl_->seat_server ? impl_->seat_server->port() : 0;
}

std::uint16_t Daemon::admin_port() const {
  return impl_->http_server ? impl_->http_server->port() : 0;
}

void Daemon::wake() {
  impl_->service->wake();
}

bool Daemon::failed() const {
  return impl_->failed;
}

}  // namespace lmp::app
