// Creating and dropping a test's own PostgreSQL database.
#include "support/scratch_postgres.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

#include "core/env.hpp"

namespace lmp::test {

void make_server_secret(const std::string& path) {
  std::string secret(32, '\0');
  std::error_code error = Env::posix().random_bytes(secret.data(), secret.size());
  if (!error) error = Env::posix().create_file(path, secret);
  if (error)
    throw std::runtime_error("cannot make the server secret " + path + ": " + error.message());
}

const char* ScratchPostgres::server() {
  return std::getenv("LMP_TEST_POSTGRES");
}

ScratchPostgres::ScratchPostgres() {
  std::random_device random;
  name_ = "lmp_test_" + std::to_string(random()) + std::to_string(random());
  soci::session admin(soci::postgresql, server());
  admin << "CREATE DATABASE " + name_;
}

ScratchPostgres::~ScratchPostgres() {
  try {
    soci::session admin(soci::postgresql, server());
    // FORCE: a test that failed half-way may leave a daemon's connections open.
    admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
  } catch (const std::exception&) {
    // A database left behind on a throwaway server harms nothing; the test's own result stands.
  }
}

std::string ScratchPostgres::connection() const {
  return std::string(server()) + " dbname=" + name_;
}

}  // namespace lmp::test
