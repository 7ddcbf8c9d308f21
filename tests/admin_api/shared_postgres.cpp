// A shared PostgreSQL database for several in-process instances (shared_postgres.hpp).
#include "shared_postgres.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cstdlib>
#include <random>

#include "domain/first_run.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::test {
namespace json = boost::json;

SharedPostgres::SharedPostgres(const std::filesystem::path& dir, const std::string& prefix) {
  const char* server = std::getenv("LMP_TEST_POSTGRES");
  if (server == nullptr) return;
  server_ = server;
  std::random_device random;
  database_ = prefix + std::to_string(random()) + std::to_string(random());
  soci::session(soci::postgresql, server_) << "CREATE DATABASE " + database_;
  config_ = base_config(dir);
  config_.storage.backend = storage::Backend::postgresql;
  config_.storage.postgresql_connection = server_ + " dbname=" + database_;
  config_.storage.secret_file = (dir / "lmpd.secret").string();
  make_server_secret(config_.storage.secret_file);
  auto db = storage::open_unit_of_work(config_.storage);
  token_ = domain::initialise(*db, "parent", "admin", kTestEpochMs).token;
}

SharedPostgres::~SharedPostgres() {
  if (database_.empty()) return;
  soci::session(soci::postgresql, server_)
      << "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)";
}

AdminCall SharedPostgres::admin(const TestServer& on) const {
  return [port = on.admin_port(), token = token_](
             const std::string& method, const std::string& target, const json::value& body) {
    auto reply = admin_call(port, token, method, target, body);
    EXPECT_EQ(reply.status, 200) << method << " " << target << ": " << reply.body;
    return reply.json();
  };
}

std::int64_t SharedPostgres::count(const std::string& query) const {
  soci::session sql(soci::postgresql, config_.storage.postgresql_connection);
  std::int64_t n = 0;
  sql << query, soci::into(n);
  return n;
}

}  // namespace lmp::test
