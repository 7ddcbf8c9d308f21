// An in-process lmpd with an initialised account tree, and a client that calls the admin API
// through the real HTTP listener with a bearer token.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "support/http_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {

class AdminApiTest : public ::testing::Test {
 protected:
  // Runs seed(), the first-run step, then starts the server.
  void SetUp() override;
  // What a test puts in the database before the first-run step (nothing by default).
  virtual void seed() {}

  // One request with `Authorization: Bearer token` (none when token is empty); a non-null body
  // is sent as JSON.
  HttpReply call(const std::string& token, const std::string& method, const std::string& target,
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

  TempDir dir_;
  config::Config config_;
  std::string root_token_;
  std::unique_ptr<TestServer> server_;
};

// One admin API request to the listener on `port`, with `Authorization: Bearer token` (none when
// token is empty); a non-null body is sent as JSON.
HttpReply admin_call(std::uint16_t port, const std::string& token, const std::string& method,
                     const std::string& target, const boost::json::value& body = nullptr);

// The id field of a JSON object.
std::int64_t id_of(const boost::json::value& object);

}  // namespace lmp::test
