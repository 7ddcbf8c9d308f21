// A PostgreSQL database of a test's own, shared by several in-process instances: created and
// initialised (a parent account and its admin's token) when LMP_TEST_POSTGRES names a server,
// dropped at the end.
#pragma once

#include <string>

#include "admin_fixture.hpp"

namespace lmp::test {

class SharedPostgres {
 public:
  // `prefix` names the database (with random digits). Check available() before using it: false
  // when LMP_TEST_POSTGRES is not set.
  SharedPostgres(const std::filesystem::path& dir, const std::string& prefix);
  ~SharedPostgres();
  SharedPostgres(const SharedPostgres&) = delete;
  SharedPostgres& operator=(const SharedPostgres&) = delete;

  bool available() const { return !database_.empty(); }
  // The config every instance starts from (storage on the shared database, a secret file in
  // `dir`), and the parent's admin token.
  const config::Config& config() const { return config_; }
  const std::string& token() const { return token_; }
  // Admin API requests as the parent through `on`'s admin listener, each expected to answer 200.
  AdminCall admin(const TestServer& on) const;
  // The single number a query answers, read in a session of its own.
  std::int64_t count(const std::string& query) const;

 private:
  std::string server_;
  std::string database_;
  config::Config config_;
  std::string token_;
};

}  // namespace lmp::test
