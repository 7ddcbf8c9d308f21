// The admin API fixture: the storage backend, first run, server, authenticated calls.
#include "admin_fixture.hpp"

#include <soci/soci.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "domain/first_run.hpp"
#include "storage/sql_session.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::test {
namespace json = boost::json;

std::unique_ptr<soci::session> open_raw_session(const config::Storage& storage) {
  // Through lmpd's own opening: the settings the daemon's sessions have (the SQLite busy timeout
  // among them), and the schema is current already, so nothing migrates.
  return storage.backend == storage::Backend::postgresql
             ? storage::open_postgresql_session(storage).sql
             : storage::open_sqlite_session(storage).sql;
}

void write_cli_config(const std::filesystem::path& file, const config::Storage& storage,
                      const std::string& more_products) {
  std::ofstream out(file);
  if (storage.backend == storage::Backend::postgresql)
    out << "storage:\n  backend: postgresql\n  secret_file: " << storage.secret_file
        << "\n  postgresql:\n    connection: \"" << storage.postgresql_connection << "\"\n";
  else
    out << "storage:\n  sqlite:\n    path: " << storage.sqlite_path << "\n";
  out << "products:\n  - code: cad\n    name: CAD\n    family: software\n    unit: seats\n"
      << more_products;
}

std::unique_ptr<soci::session> AdminApiTest::raw_session() const {
  return open_raw_session(config_.storage);
}

std::int64_t AdminApiTest::event_sweep_mark() const {
  auto sql = raw_session();
  std::int64_t mark = 0;
  *sql << "SELECT value FROM counters WHERE name = 'event_sweep_mark'", soci::into(mark);
  return mark;
}

void AdminApiTest::wait_for_event_sweep() const {
  const std::int64_t now = server_->clock().now_unix_ms();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (event_sweep_mark() < now && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(event_sweep_mark(), now) << "no event sweep within 60 s";
}

void sleep_through_event_sweeps(int sweeps) {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(sweeps * kTestEventSweepMs + kTestEventSweepMs / 2));
}

void AdminApiTest::use_backend() {
  config_ = base_config(dir_.path());
  if (!backend_.use(GetParam(), config_))
    GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
}

void AdminApiTest::SetUp() {
  use_backend();
  if (IsSkipped()) return;
  configure(config_);
  seed();
  {
    auto db = storage::open_unit_of_work(config_.storage);
    root_token_ = domain::initialise(*db, "parent", "admin", kTestEpochMs).token;
  }
  server_ = std::make_unique<TestServer>(config_);
  ASSERT_NE(server_->admin_port(), 0);
}

HttpReply AdminApiTest::call(const std::string& token, const std::string& method,
                             const std::string& target, const json::value& body) {
  return admin_call(server_->admin_port(), token, method, target, body);
}

HttpReply AdminApiTest::call_with_cookie(const std::string& cookie, const std::string& csrf,
                                         const std::string& method, const std::string& target,
                                         const json::value& body) {
  std::vector<std::string> headers{"Cookie: theme=dark; " + cookie};
  if (!csrf.empty()) headers.push_back("X-CSRF-Token: " + csrf);
  return admin_call(server_->admin_port(), std::move(headers), method, target, body);
}

HttpReply admin_call(std::uint16_t port, const std::string& token, const std::string& method,
                     const std::string& target, const json::value& body) {
  std::vector<std::string> headers;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return admin_call(port, std::move(headers), method, target, body);
}

HttpReply admin_call(std::uint16_t port, std::vector<std::string> headers,
                     const std::string& method, const std::string& target,
                     const json::value& body) {
  HttpClient client(port);
  const std::string text = body.is_null() ? std::string() : json::serialize(body);
  client.send_raw(request_text(method, target, text, "application/json", headers));
  auto reply = client.read_reply();
  if (!reply) throw std::runtime_error("no answer to " + method + " " + target);
  return *reply;
}

json::value AdminApiTest::ok(const std::string& token, const std::string& method,
                             const std::string& target, const json::value& body) {
  auto reply = call(token, method, target, body);
  EXPECT_EQ(reply.status, 200) << method << " " << target << ": " << reply.body;
  return reply.json();
}

std::int64_t id_of(const json::value& object) {
  if (!object.is_object() || !object.as_object().contains("id"))
    throw std::runtime_error("no id in " + json::serialize(object));
  return object.at("id").as_int64();
}

std::int64_t AdminApiTest::make_partner(const std::string& name, const std::string& kind) {
  return id_of(ok(root_token_, "POST", "/v1/partners", {{"name", name}, {"kind", kind}}));
}

std::int64_t AdminApiTest::make_customer(const std::string& name, std::int64_t account) {
  json::object body{{"name", name}};
  if (account != 0) body["account"] = account;
  return id_of(ok(root_token_, "POST", "/v1/customers", body));
}

CustomerLicense make_customer_license(const AdminCall& call, const std::string& name,
                                      std::int64_t units) {
  const auto customer = id_of(call("POST", "/v1/customers", json::object{{"name", name}}));
  return add_customer_license(call, customer, units);
}

CustomerLicense add_customer_license(const AdminCall& call, std::int64_t customer,
                                     std::int64_t units) {
  auto made = call(
      "POST", "/v1/licenses",
      json::object{{"customer", customer}, {"product", "cad"}, {"units", units}, {"days", 365}});
  return {customer, id_of(made), std::string(made.at("code").as_string())};
}

AdminCall AdminApiTest::as_parent() {
  return [this](const std::string& method, const std::string& target, const json::value& body) {
    return ok(root_token_, method, target, body);
  };
}

CustomerLicense AdminApiTest::make_customer_license(const std::string& name, std::int64_t units) {
  return test::make_customer_license(as_parent(), name, units);
}

AdminApiTest::Credential AdminApiTest::make_user(const std::string& name,
                                                 const std::string& home_field, std::int64_t id) {
  auto made = ok(root_token_, "POST", "/v1/users", {{"name", name}, {home_field, id}});
  Credential out;
  out.user = id_of(made.at("user"));
  out.token_id = id_of(made.at("token"));
  out.token = std::string(made.at("token").at("token").as_string());
  return out;
}

}  // namespace lmp::test
