// Runs an end-to-end fixture on each storage backend: SQLite (the file base_config names) and a
// PostgreSQL database of the test's own, when LMP_TEST_POSTGRES names a server.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/config.hpp"
#include "support/scratch_postgres.hpp"

namespace lmp::test {

// For INSTANTIATE_TEST_SUITE_P(Backends, Fixture, kStorageBackends, backend_name).
inline const auto kStorageBackends =
    ::testing::Values(std::string("sqlite"), std::string("postgresql"));
inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

// Holds the scratch database while the test runs; destroy it after the server.
class StorageBackend {
 public:
  // Points `config` at `backend`. False when that backend has no server here (skip the test).
  bool use(const std::string& backend, config::Config& config) {
    if (backend != "postgresql") return true;
    if (ScratchPostgres::server() == nullptr) return false;
    database_ = std::make_unique<ScratchPostgres>();
    config.storage.backend = storage::Backend::postgresql;
    config.storage.postgresql_connection = database_->connection();
    // Made once by the administrator on PostgreSQL, the same file for every instance.
    config.storage.secret_file = config.storage.sqlite_path + ".shared-secret";
    make_server_secret(config.storage.secret_file);
    return true;
  }

 private:
  std::unique_ptr<ScratchPostgres> database_;
};

}  // namespace lmp::test
