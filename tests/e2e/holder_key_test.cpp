// Holders through a real socket, on each storage backend (issue #25.5): two holders never share a
// lease, and a lease made with a holder_key (protocol 1.1) goes only to a client that presents it,
// over the seat protocol and the HTTP seat routes alike, also after a restart.
#include <gtest/gtest.h>

#include <string>

#include "support/http_client.hpp"
#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

constexpr std::string_view kKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr std::string_view kOtherKey = "ffeeddccbbaa99887766554433221100";

class HolderKeyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    code_ = create_license(config_, {.units = 5});
    start();
  }
  void start() { server_ = std::make_unique<TestServer>(config_); }
  std::string checkout(LineClient& c, const std::string& fields) {
    return c.request("CHECKOUT code=" + code_ + " " + fields);
  }
  std::string used(LineClient& c) { return fields_of(c.request("STATUS code=" + code_))["used"]; }

  TempDir dir_;
  StorageBackend backend_;
  config::Config config_;
  std::string code_;
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(Backends, HolderKeyTest, kStorageBackends, backend_name);

TEST_P(HolderKeyTest, AnAtInTheUserOrTheHostMakesAnotherHolder) {
  LineClient c(server_->port());
  const auto first = checkout(c, "user=alice%40ws1 host=ws2");
  const auto second = checkout(c, "user=alice host=ws1%40ws2");
  ASSERT_EQ(status_of(first), "OK") << first;
  ASSERT_EQ(status_of(second), "OK") << second;
  EXPECT_NE(fields_of(first)["lease"], fields_of(second)["lease"]);
  EXPECT_EQ(used(c), "2");
  // Each is still its own holder: a repeat gets its own lease back.
  EXPECT_EQ(fields_of(checkout(c, "user=alice%40ws1 host=ws2"))["lease"],
            fields_of(first)["lease"]);
  EXPECT_EQ(fields_of(checkout(c, "user=alice host=ws1%40ws2"))["lease"],
            fields_of(second)["lease"]);
  // A '%' in a user is a character like any other.
  const auto percent = checkout(c, "user=alice%2540ws1 host=ws2");
  ASSERT_EQ(status_of(percent), "OK") << percent;
  EXPECT_NE(fields_of(percent)["lease"], fields_of(first)["lease"]);
  EXPECT_EQ(used(c), "3");
}

TEST_P(HolderKeyTest, ALeaseMadeWithAHolderKeyGoesOnlyToThatKey) {
  LineClient c(server_->port());
  const auto made = checkout(c, "user=ann host=ws1 holder_key=" + std::string(kKey));
  ASSERT_EQ(status_of(made), "OK") << made;
  const std::string lease = fields_of(made)["lease"];

  server_->advance_seconds(200);
  // Another key, or none, for the same holder: refused, without the lease id, and the lease is
  // not extended.
  for (const std::string& other :
       {"user=ann host=ws1 holder_key=" + std::string(kOtherKey), std::string("user=ann host=ws1"),
        "user=ann host=ws1 wait=5 holder_key=" + std::string(kOtherKey)}) {
    const auto refused = checkout(c, other);
    EXPECT_EQ(status_of(refused), "no_seats") << refused;
    EXPECT_EQ(refused.find(lease), std::string::npos) << refused;
    EXPECT_NE(fields_of(refused)["msg"].find("holder_key"), std::string::npos) << refused;
  }
  EXPECT_EQ(used(c), "1");
  server_->advance_seconds(101);  // past the lease's first expiry: the refusals did not extend it
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  EXPECT_EQ(used(c), "0");

  // The key's owner gets its own lease back, extended, and no other unit.
  const auto again = checkout(c, "user=bob host=ws2 holder_key=" + std::string(kKey));
  const std::string second = fields_of(again)["lease"];
  server_->advance_seconds(100);
  const auto repeat = checkout(c, "user=bob host=ws2 holder_key=" + std::string(kKey));
  ASSERT_EQ(status_of(repeat), "OK") << repeat;
  EXPECT_EQ(fields_of(repeat)["lease"], second);
  EXPECT_EQ(std::stoll(fields_of(repeat)["expires"]),
            std::stoll(fields_of(again)["expires"]) + 100);
  EXPECT_EQ(used(c), "1");
}

TEST_P(HolderKeyTest, ALeaseMadeWithoutAHolderKeyIsReusedAsInVersionOne) {
  LineClient c(server_->port());
  const std::string lease = fields_of(checkout(c, "user=ann host=ws1"))["lease"];
  ASSERT_FALSE(lease.empty());
  EXPECT_EQ(fields_of(checkout(c, "user=ann host=ws1"))["lease"], lease);
  // A 1.1 client with a key gets it too, and the lease stays unbound: the key is not adopted.
  EXPECT_EQ(fields_of(checkout(c, "user=ann host=ws1 holder_key=" + std::string(kKey)))["lease"],
            lease);
  EXPECT_EQ(
      fields_of(checkout(c, "user=ann host=ws1 holder_key=" + std::string(kOtherKey)))["lease"],
      lease);
  EXPECT_EQ(fields_of(checkout(c, "user=ann host=ws1"))["lease"], lease);
  EXPECT_EQ(used(c), "1");
}

TEST_P(HolderKeyTest, AShortHolderKeyIsABadRequest) {
  LineClient c(server_->port());
  const auto refused = checkout(c, "user=ann holder_key=123456789012345");
  EXPECT_EQ(status_of(refused), "bad_request") << refused;
  EXPECT_NE(fields_of(refused)["msg"].find("holder_key"), std::string::npos) << refused;
  EXPECT_EQ(status_of(checkout(c, "user=ann holder_key=1234567890123456")), "OK");
}

TEST_P(HolderKeyTest, TheKeyIsKeptAcrossARestart) {
  std::string lease;
  {
    LineClient c(server_->port());
    lease = fields_of(checkout(c, "host=ws1 holder_key=" + std::string(kKey)))["lease"];
  }
  server_.reset();
  start();
  LineClient c(server_->port());
  EXPECT_EQ(status_of(checkout(c, "host=ws1 holder_key=" + std::string(kOtherKey))), "no_seats");
  EXPECT_EQ(fields_of(checkout(c, "host=ws1 holder_key=" + std::string(kKey)))["lease"], lease);
}

TEST_P(HolderKeyTest, TheHttpSeatRoutesTakeTheSameHolderKey) {
  HttpClient http(server_->admin_port());
  const auto made = http.post(
      "/v1/seat/checkout", {{"code", code_}, {"user", "ann"}, {"holder_key", std::string(kKey)}});
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string lease(made.json().at("lease").as_string());
  const auto refused =
      http.post("/v1/seat/checkout",
                {{"code", code_}, {"user", "ann"}, {"holder_key", std::string(kOtherKey)}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.error_code(), "no_seats");
  EXPECT_EQ(refused.body.find(lease), std::string::npos) << refused.body;
  // The seat protocol sees the same lease and the same key.
  LineClient c(server_->port());
  EXPECT_EQ(status_of(checkout(c, "user=ann")), "no_seats");
  EXPECT_EQ(fields_of(checkout(c, "user=ann holder_key=" + std::string(kKey)))["lease"], lease);
}

TEST_P(HolderKeyTest, HelloAnswersVersionOnePointOneUnlessAskedForOne) {
  LineClient c(server_->port());
  EXPECT_EQ(fields_of(c.request("HELLO"))["proto"], "1.1");
  EXPECT_EQ(fields_of(c.request("HELLO proto=1.1"))["proto"], "1.1");
  EXPECT_EQ(fields_of(c.request("HELLO proto=1"))["proto"], "1");
  const auto refused = c.request("HELLO proto=2");
  EXPECT_EQ(status_of(refused), "unsupported_proto");
  EXPECT_EQ(fields_of(refused)["proto"], "1.1");
}

}  // namespace
}  // namespace lmp::test
