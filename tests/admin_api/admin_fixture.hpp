// An in-process lmpd with an initialised account tree, on each storage backend, and a client that
// calls the admin API through the real HTTP listener with a bearer token.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "support/http_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace soci {
class session;
}

namespace lmp::test {

// A day in seconds, and the injected clock's start (2026-01-01) in Unix seconds.
inline constexpr std::int64_t kDay = 86400;
// events.sweep_interval_ms in the tests that wait on the event sweep (lmpd's default is 1000): a
// wait for the next sweep takes about a tenth as long, and a wait through several sweeps too.
inline constexpr std::int64_t kTestEventSweepMs = 100;
// Sleeps through `sweeps` event sweeps at kTestEventSweepMs and half of one more: for a test that
// checks that further sweeps change nothing (a sweep with nothing due cannot be seen from outside).
void sleep_through_event_sweeps(int sweeps);
inline constexpr std::int64_t kNow = kTestEpochMs / 1000;

// A SOCI session on the database `storage` names (the SQLite file or the PostgreSQL database),
// opened the way lmpd opens its own.
std::unique_ptr<soci::session> open_raw_session(const config::Storage& storage);

// Writes a config file for `lmpd admin` on the database `storage` names, with the product "cad"
// and the product entries of `more_products` (YAML list items).
void write_cli_config(const std::filesystem::path& file, const config::Storage& storage,
                      const std::string& more_products = "");

// A customer and its license of product "cad", as the site policy and borrowing tests start
// from (in-process on each backend, and on a PostgreSQL database several instances share).
struct CustomerLicense {
  std::int64_t customer = 0;
  std::int64_t license = 0;
  std::string code;  // the license's activation code
};
// An admin API request that must answer 200; returns the body.
using AdminCall = std::function<boost::json::value(
    const std::string& method, const std::string& target, const boost::json::value& body)>;
// Makes the customer `name` with a license of `units` cad units for a year, through `call`.
CustomerLicense make_customer_license(const AdminCall& call, const std::string& name,
                                      std::int64_t units);
// Another license of the customer's cad (a second purchase, or a renewal beside the old one).
CustomerLicense add_customer_license(const AdminCall& call, std::int64_t customer,
                                     std::int64_t units);

// The parameter names the storage backend: instantiate every fixture derived from this one with
// INSTANTIATE_TEST_SUITE_P(Backends, Fixture, kStorageBackends, backend_name).
class AdminApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  // use_backend(), seed(), the first-run step, then starts the server. A fixture that overrides
  // SetUp() and calls this one returns when it skipped or failed.
  void SetUp() override;
  // Makes config_ the base config in dir_ pointed at the backend; skips the test when that
  // backend has no server here.
  void use_backend();
  // What a test puts in the database before the first-run step (nothing by default).
  virtual void seed() {}
  // What a fixture changes in config_ before the server starts (nothing by default).
  virtual void configure(config::Config&) {}

  // One request with `Authorization: Bearer token` (none when token is empty); a non-null body
  // is sent as JSON.
  HttpReply call(const std::string& token, const std::string& method, const std::string& target,
                 const boost::json::value& body = nullptr);
  // One request with the console's session cookie `cookie` ("lmp_session=<id>", after another
  // cookie) and, when `csrf` is not empty, X-CSRF-Token.
  HttpReply call_with_cookie(const std::string& cookie, const std::string& csrf,
                             const std::string& method, const std::string& target,
                             const boost::json::value& body = nullptr);
  // call() that must answer 200; returns the body as JSON.
  boost::json::value ok(const std::string& token, const std::string& method,
                        const std::string& target, const boost::json::value& body = nullptr);

  // As the parent: a partner, a customer (under `account`, 0 for the parent), a user with its
  // first token. Each returns the new object's id.
  std::int64_t make_partner(const std::string& name, const std::string& kind);
  std::int64_t make_customer(const std::string& name, std::int64_t account);
  struct Credential {
    std::int64_t user = 0;
    std::int64_t token_id = 0;
    std::string token;
  };
  Credential make_user(const std::string& name, const std::string& home_field, std::int64_t id);
  // make_customer_license() as the parent.
  CustomerLicense make_customer_license(const std::string& name, std::int64_t units);
  // As the parent: the admin calls of make_customer_license() and add_customer_license().
  AdminCall as_parent();

  // The event sweep's mark (the time up to which it has looked; 0 before the first sweep), and a
  // wait until a sweep has looked up to the server's clock (it runs about once a second).
  std::int64_t event_sweep_mark() const;
  void wait_for_event_sweep() const;

  bool on_postgresql() const { return config_.storage.backend == storage::Backend::postgresql; }
  // A session of the test's own on the server's database, to look at what is stored.
  std::unique_ptr<soci::session> raw_session() const;

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::string root_token_;
  std::unique_ptr<TestServer> server_;
};

// One admin API request to the listener on `port`, with `Authorization: Bearer token` (none when
// token is empty); a non-null body is sent as JSON.
HttpReply admin_call(std::uint16_t port, const std::string& token, const std::string& method,
                     const std::string& target, const boost::json::value& body = nullptr);
// The same with the request's extra header lines as they are.
HttpReply admin_call(std::uint16_t port, std::vector<std::string> headers,
                     const std::string& method, const std::string& target,
                     const boost::json::value& body = nullptr);

// The id field of a JSON object.
std::int64_t id_of(const boost::json::value& object);

}  // namespace lmp::test
