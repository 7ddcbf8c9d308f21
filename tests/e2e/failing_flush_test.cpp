// A whole lmpd (in-process, on a real SQLite file) whose WAL flush starts failing through the OS
// seam: the clients of that batch get `ERR unavailable`, lmpd stops by itself and says it failed
// (so that the process exits with a failure status), and every lease acknowledged before is in
// the database when it is opened again.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "storage/seat_store.hpp"
#include "support/fault_injecting_env.hpp"
#include "support/line_client.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

TEST(FailingFlushTest, TheBatchAnswersUnavailableLmpdStopsAndNothingAcknowledgedIsLost) {
  TempDir dir;
  auto config = base_config(dir.path());
  const std::string code = create_license(config, {.units = 50});
  FaultInjectingEnv env;
  TestServer server(config, kTestEpochMs, env);
  std::vector<std::string> acknowledged;
  {
    LineClient client(server.port());
    for (const char* host : {"pc1", "pc2", "pc3"}) {
      auto answer = client.request("CHECKOUT code=" + code + " host=" + host);
      ASSERT_EQ(status_of(answer), "OK") << answer;
      acknowledged.push_back(fields_of(answer)["lease"]);
    }
    server.advance_seconds(30);
    ASSERT_EQ(status_of(client.request("HEARTBEAT lease=" + acknowledged[0])), "OK");

    env.fail_syncs();
    // Pipelined, so they are decided (and flushed) together.
    client.send_raw("CHECKOUT code=" + code + " host=pc4\nCHECKOUT code=" + code +
                    " host=pc5\nHEARTBEAT lease=" + acknowledged[1] + "\n");
    for (int i = 0; i < 3; ++i) {
      auto answer = client.read_line();
      ASSERT_TRUE(answer.has_value());
      EXPECT_EQ(status_of(*answer), "unavailable") << *answer;
      EXPECT_EQ(fields_of(*answer)["msg"],
                "storage failure: a flush to disk failed; retry, possibly on another server");
    }
  }
  EXPECT_TRUE(server.stopped_by_itself(std::chrono::seconds(10)));
  EXPECT_TRUE(server.failed());
  // Stopped: nobody is served any more.
  EXPECT_THROW(LineClient late(server.port()), std::runtime_error);
  server.stop();

  auto reopened = storage::open_sqlite(config.storage);
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    auto lease = reopened->find_lease(acknowledged[i]);
    ASSERT_TRUE(lease.has_value()) << acknowledged[i];
    // The heartbeat of the first was acknowledged 30 s after the checkouts.
    EXPECT_GE(lease->expires_at_ms, kTestEpochMs + (i == 0 ? 330000 : 300000));
  }
}

}  // namespace
}  // namespace lmp::test
