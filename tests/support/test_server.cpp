// The in-process test server and its fixtures.
#include "support/test_server.hpp"

#include <stdlib.h>

#include <stdexcept>

#include "core/activation_code.hpp"
#include "core/sha256.hpp"
#include "domain/sdk_unit_type.hpp"
#include "storage/seat_store.hpp"

namespace lmp::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "lmpd-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

config::Config base_config(const std::filesystem::path& dir) {
  config::Config cfg;
  cfg.source_file = (dir / "lmpd.yaml").string();
  cfg.seat_listener.address = "127.0.0.1";
  cfg.seat_listener.port = 0;
  cfg.admin_listener.address = "127.0.0.1";
  cfg.admin_listener.port = 0;
  cfg.storage.sqlite_path = (dir / "lmpd.db").string();
  cfg.plugin_directory = LMP_TEST_PLUGIN_DIR;
  cfg.leases.duration_seconds = 300;
  cfg.leases.heartbeat_seconds = 60;
  cfg.leases.reclaim_interval_ms = 1000;
  config::Product cad;
  cad.code = "cad";
  cad.name = "CAD Studio";
  cad.family = "software";
  cad.unit = sdk::UnitType::seats;
  cad.position = {cfg.source_file, 1, 1};
  cfg.products.push_back(cad);
  config::Product agent;
  agent.code = "agent";
  agent.name = "Scan Agent";
  agent.family = "software";
  agent.unit = sdk::UnitType::endpoints;
  agent.position = {cfg.source_file, 2, 1};
  cfg.products.push_back(agent);
  return cfg;
}

void add_product(config::Config& config, std::string code, std::string family, sdk::UnitType unit,
                 std::vector<std::string> components) {
  config::Product product;
  product.name = code;
  product.code = std::move(code);
  product.family = std::move(family);
  product.unit = unit;
  product.components = std::move(components);
  product.position = {config.source_file, static_cast<int>(config.products.size()) + 1, 1};
  config.products.push_back(std::move(product));
}

std::string create_license(const config::Config& config, const LicenseSpec& spec) {
  auto store = storage::open_store(config.storage);
  store->begin();
  auto customer = store->find_customer(spec.customer);
  std::int64_t customer_id =
      customer ? *customer : store->create_customer(spec.customer, spec.starts_at_ms);
  std::string code = activation_code::generate();
  storage::NewLicense license;
  license.customer_id = customer_id;
  license.product_code = spec.product;
  license.units = spec.units;
  license.unit = domain::from_sdk(spec.unit);
  license.starts_at_ms = spec.starts_at_ms;
  license.expires_at_ms = spec.expires_at_ms;
  license.code_hash = sha256_hex(code);
  license.created_at_ms = spec.starts_at_ms;
  store->create_license(license);
  store->commit();
  return activation_code::format(code);
}

TestServer::TestServer(config::Config config, std::int64_t start_ms, Env& env) : clock_(start_ms) {
  daemon_ = std::make_unique<app::Daemon>(std::move(config), clock_, env);
  daemon_->start();
  port_ = daemon_->seat_port();
  admin_port_ = daemon_->admin_port();
  thread_ = std::thread([this] {
    daemon_->run();
    ran_ = true;
  });
}

bool TestServer::stopped_by_itself(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ran_ && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return ran_;
}

TestServer::~TestServer() {
  stop();
}

void TestServer::advance_seconds(std::int64_t seconds) {
  clock_.advance_ms(seconds * 1000);
  daemon_->wake();
}

void TestServer::step_wall_clock_seconds(std::int64_t seconds) {
  clock_.step_ms(seconds * 1000);
  daemon_->wake();
}

void TestServer::stop() {
  if (!daemon_) return;
  daemon_->stop();
  if (thread_.joinable()) thread_.join();
  daemon_.reset();
}

}  // namespace lmp::test
