// The folder, config and database of a real lmpd executable that a test starts, kills and starts
// again: a SQLite file in the folder, or a scratch PostgreSQL database of its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/scratch_postgres.hpp"
#include "support/test_server.hpp"

namespace soci {
class session;
}

namespace lmp::test {

class DaemonFiles {
 public:
  // Writes lmpd.yaml for `backend` ("sqlite" or "postgresql"): loopback listeners on ports the
  // kernel picks, the build tree's plugins and the software product "cad" (seats). Returns false,
  // writing nothing, for "postgresql" when LMP_TEST_POSTGRES names no server (the test skips).
  bool write_config(const std::string& backend);

  std::unique_ptr<soci::session> open_database() const;
  std::int64_t count(const std::string& query) const;  // the one number `query` selects

  const std::filesystem::path& folder() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_.path() / "lmpd.yaml"; }
  std::filesystem::path db_path() const { return dir_.path() / "lmpd.db"; }
  std::filesystem::path log_path() const { return dir_.path() / "lmpd.log"; }

 private:
  TempDir dir_;
  std::unique_ptr<ScratchPostgres> database_;
};

}  // namespace lmp::test
