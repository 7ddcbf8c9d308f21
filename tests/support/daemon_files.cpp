// The folder, config and database of a real lmpd executable under test (daemon_files.hpp).
#include "support/daemon_files.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <fstream>

namespace lmp::test {

bool DaemonFiles::write_config(const std::string& backend) {
  std::string storage = "storage:\n  sqlite:\n    path: " + db_path().string() + "\n";
  if (backend == "postgresql") {
    if (ScratchPostgres::server() == nullptr) return false;
    database_ = std::make_unique<ScratchPostgres>();
    make_server_secret((dir_.path() / "lmpd.secret").string());
    storage =
        "storage:\n  backend: postgresql\n  secret_file: lmpd.secret\n"
        "  postgresql:\n    connection: \"" +
        database_->connection() + "\"\n";
  }
  std::ofstream(config_path()) << "listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n"
                                  "  admin:\n    address: 127.0.0.1\n    port: 0\n"
                               << storage << "plugins:\n  directory: " << LMP_TEST_PLUGIN_DIR
                               << "\nproducts:\n  - code: cad\n    name: CAD Studio\n"
                                  "    family: software\n    unit: seats\n";
  return true;
}

std::unique_ptr<soci::session> DaemonFiles::open_database() const {
  if (database_) return std::make_unique<soci::session>(soci::postgresql, database_->connection());
  return std::make_unique<soci::session>(soci::sqlite3, db_path().string());
}

std::int64_t DaemonFiles::count(const std::string& query) const {
  auto sql = open_database();
  std::int64_t n = 0;
  *sql << query, soci::into(n);
  return n;
}

}  // namespace lmp::test
