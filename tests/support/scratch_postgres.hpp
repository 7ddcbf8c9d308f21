// A PostgreSQL database of a test's own on the server scripts/test.sh starts (found through
// LMP_TEST_POSTGRES): created with a random name, dropped with everything in it afterwards.
#pragma once

#include <string>

namespace lmp::test {

class ScratchPostgres {
 public:
  // The server's libpq connection string, or nullptr when LMP_TEST_POSTGRES is not set (the
  // caller skips: scripts/test.sh always sets it).
  static const char* server();

  // REQUIRES: server() != nullptr. Throws when the server refuses the CREATE DATABASE.
  ScratchPostgres();
  ~ScratchPostgres();
  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  const std::string& name() const { return name_; }
  // The connection string of this database, for `storage.postgresql.connection`.
  std::string connection() const;

 private:
  std::string name_;
};

// Writes a new server secret to `path` (32 random bytes, 0600), as an administrator does once for
// the instances that share a PostgreSQL database (lmpd makes none there). Throws when it cannot.
void make_server_secret(const std::string& path);

}  // namespace lmp::test
