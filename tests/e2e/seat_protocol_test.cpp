// Conformance of the seat protocol through a real TCP socket, on each storage backend (a real
// SQLite file, and a PostgreSQL database of its own when LMP_TEST_POSTGRES names a server): every
// verb, every error code, tags, pipelining, waiting, expiry on the injected clock and concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "core/activation_code.hpp"
#include "support/line_client.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// The parameter names the storage backend.
class SeatProtocolTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    if (!backend_.use(GetParam(), config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
  }
  void start() { server_ = std::make_unique<TestServer>(config_); }
  std::string license(LicenseSpec spec = {}) { return create_license(config_, spec); }
  LineClient client() { return LineClient(server_->port()); }

  TempDir dir_;
  StorageBackend backend_;  // outlives the server, which uses its database
  config::Config config_;
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SeatProtocolTest, kStorageBackends, backend_name);

TEST_P(SeatProtocolTest, HelloPingQuit) {
  start();
  LineClient c(server_->port());
  auto hello = c.request("HELLO proto=1 client=test");
  ASSERT_EQ(status_of(hello), "OK") << hello;
  auto f = fields_of(hello);
  EXPECT_EQ(f["proto"], "1");
  EXPECT_FALSE(f["server"].empty());
  EXPECT_FALSE(f["version"].empty());
  EXPECT_EQ(f["heartbeat"], "60");
  EXPECT_EQ(c.request("hello proto=1"), hello);  // verbs are case-insensitive
  // Without proto the server names the newest it speaks (docs/protocol.md, "Version 1.1").
  EXPECT_EQ(fields_of(c.request("hello"))["proto"], "1.1");
  EXPECT_EQ(status_of(c.request("HELLO proto=2")), "unsupported_proto");
  EXPECT_EQ(c.request("PING"), "OK");
  EXPECT_EQ(c.request("ping tag=abc"), "OK tag=abc");
  EXPECT_EQ(c.request("QUIT"), "OK");
  EXPECT_TRUE(c.closed_by_server());
}

// Issue #21: HELLO advised the site's `leases.heartbeat_seconds` (60) while every checkout
// advised its product's own (120). HELLO advises the shortest interval any product's checkout
// advises, so beating at it keeps every lease, and it follows a reload.
TEST_P(SeatProtocolTest, HelloAdvisesTheHeartbeatTheProductsCheckoutsAdvise) {
  for (auto& product : config_.products)
    product.settings = {{"lease_seconds", "600"}, {"heartbeat_seconds", "120"}};
  start();
  const auto code = license();
  auto c = client();
  EXPECT_EQ(fields_of(c.request("HELLO"))["heartbeat"], "120");
  const auto checkout = c.request("CHECKOUT code=" + code);
  ASSERT_EQ(status_of(checkout), "OK") << checkout;
  EXPECT_EQ(fields_of(checkout)["heartbeat"], "120");

  // One product beating faster: HELLO advises its interval, the other keeps its own.
  auto next = config_;
  next.products[1].settings["heartbeat_seconds"] = "90";
  ASSERT_EQ(server_->reload(next), std::vector<std::string>{});
  EXPECT_EQ(fields_of(c.request("HELLO"))["heartbeat"], "90");
  const auto agent =
      c.request("CHECKOUT code=" + license({.product = "agent", .unit = sdk::UnitType::endpoints}) +
                " host=ws1");
  ASSERT_EQ(status_of(agent), "OK") << agent;
  EXPECT_EQ(fields_of(agent)["heartbeat"], "90");
  EXPECT_EQ(fields_of(c.request("CHECKOUT code=" + code))["heartbeat"], "120");
}

TEST_P(SeatProtocolTest, MalformedLinesAreAnsweredAndKeepTheConnection) {
  start();
  LineClient c(server_->port());
  auto unknown = c.request("FROB tag=7 x=1");
  EXPECT_EQ(status_of(unknown), "unknown_verb");
  EXPECT_EQ(fields_of(unknown)["tag"], "7");
  EXPECT_EQ(unknown.find("ERR unknown_verb tag=7 "), 0u) << unknown;
  EXPECT_EQ(status_of(c.request("CHECKOUT code=1 code=2")), "bad_request");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=%zz")), "bad_request");
  EXPECT_EQ(status_of(c.request("CHECKOUT novalue")), "bad_request");
  auto missing = c.request("CHECKOUT tag=t1");
  EXPECT_EQ(status_of(missing), "bad_request");
  EXPECT_NE(fields_of(missing)["msg"].find("code"), std::string::npos) << missing;
  EXPECT_EQ(status_of(c.request("CHECKOUT code=1 units=0")), "bad_request");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=1 units=01")), "bad_request");
  EXPECT_EQ(status_of(c.request("HEARTBEAT")), "bad_request");
  // An empty line gets no answer; CR LF is accepted.
  c.send_raw("\r\n\nPING tag=after\r\n");
  EXPECT_EQ(c.read_line(), "OK tag=after");
  EXPECT_EQ(c.request("PING"), "OK");
}

TEST_P(SeatProtocolTest, CheckoutHeartbeatCheckin) {
  auto code = license({.units = 2});
  start();
  LineClient c(server_->port());
  auto out = c.request("CHECKOUT code=" + code + " tag=x1");
  ASSERT_EQ(status_of(out), "OK") << out;
  auto f = fields_of(out);
  EXPECT_EQ(out.find("OK tag=x1 "), 0u);
  EXPECT_EQ(f["units"], "1");
  EXPECT_EQ(f["heartbeat"], "60");
  EXPECT_EQ(f["expires"], std::to_string(kTestEpochMs / 1000 + 300));
  const std::string lease = f["lease"];
  EXPECT_GE(lease.size(), 32u);  // at least 128 random bits

  server_->advance_seconds(100);
  auto hb = c.request("HEARTBEAT lease=" + lease);
  ASSERT_EQ(status_of(hb), "OK") << hb;
  EXPECT_EQ(fields_of(hb)["expires"], std::to_string(kTestEpochMs / 1000 + 400));

  auto st = fields_of(c.request("STATUS code=" + code));
  EXPECT_EQ(st["used"], "1");
  EXPECT_EQ(st["free"], "1");

  EXPECT_EQ(c.request("CHECKIN lease=" + lease), "OK");
  EXPECT_EQ(status_of(c.request("CHECKIN lease=" + lease)), "lease_unknown");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "0");
}

TEST_P(SeatProtocolTest, LeaseBelongsToItsIdNotTheConnection) {
  auto code = license();
  start();
  std::string lease;
  {
    LineClient first(server_->port());
    lease = fields_of(first.request("CHECKOUT code=" + code))["lease"];
  }
  LineClient second(server_->port());
  EXPECT_EQ(status_of(second.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(second.request("CHECKIN lease=" + lease), "OK");
}

TEST_P(SeatProtocolTest, ActivateAndStatus) {
  auto code = license({.units = 3});
  start();
  LineClient c(server_->port());
  auto act = c.request("ACTIVATE code=" + code + " host=ws1 user=ann");
  ASSERT_EQ(status_of(act), "OK") << act;
  auto f = fields_of(act);
  EXPECT_FALSE(f["license"].empty());
  EXPECT_EQ(f["product"], "cad");
  EXPECT_EQ(f["family"], "software");
  EXPECT_EQ(f["units"], "3");
  EXPECT_EQ(f["unit"], "seats");
  EXPECT_EQ(f["expires"], std::to_string((kTestEpochMs + 365LL * 86400000) / 1000));
  // Hyphens are optional on input.
  std::string bare = code;
  std::erase(bare, '-');
  auto st = c.request("STATUS code=" + bare);
  ASSERT_EQ(status_of(st), "OK") << st;
  auto s = fields_of(st);
  EXPECT_EQ(s["product"], "cad");
  EXPECT_EQ(s["state"], "active");
  EXPECT_EQ(s["units"], "3");
  EXPECT_EQ(s["used"], "0");
  EXPECT_EQ(s["free"], "3");
}

TEST_P(SeatProtocolTest, InvalidCodesGetOneAnswer) {
  license();
  start();
  LineClient c(server_->port());
  // A code with a wrong check digit and a well-formed code that matches no license.
  std::string good = activation_code::generate();
  std::string typo = good;
  typo[3] = typo[3] == '9' ? '0' : static_cast<char>(typo[3] + 1);
  auto unknown = c.request("CHECKOUT code=" + good);
  auto mistyped = c.request("CHECKOUT code=" + typo);
  EXPECT_EQ(status_of(unknown), "invalid_code");
  EXPECT_EQ(status_of(mistyped), "invalid_code");
  EXPECT_EQ(fields_of(unknown)["msg"], fields_of(mistyped)["msg"]);
  EXPECT_EQ(status_of(c.request("ACTIVATE code=12345")), "invalid_code");
  EXPECT_EQ(status_of(c.request("STATUS code=abc")), "invalid_code");
}

TEST_P(SeatProtocolTest, RateLimitsPeersThatGuessCodes) {
  config_.limits.invalid_code_burst = 3;
  auto code = license();
  start();
  LineClient c(server_->port());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(status_of(c.request("CHECKOUT code=" + activation_code::generate())), "invalid_code");
  auto limited = c.request("CHECKOUT code=" + code);
  EXPECT_EQ(status_of(limited), "rate_limited");
  auto wait = fields_of(limited)["retry_after"];
  ASSERT_FALSE(wait.empty()) << limited;
  EXPECT_GE(std::stoi(wait), 1);
  EXPECT_LE(std::stoi(wait), 61);
  // Lease operations are not code guesses and go on working.
  EXPECT_EQ(c.request("PING"), "OK");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=0123")), "lease_unknown");
}

// Sends `lines` at once and counts their answers by status.
std::map<std::string, int> pipeline(LineClient& c, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  c.send_raw(text);
  std::map<std::string, int> answers;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto answer = c.read_line();
    if (!answer) break;
    ++answers[status_of(*answer)];
  }
  return answers;
}

// Issue #25.1: a connection has one lookup of an unknown code in flight at a time, so pipelining
// guesses does not get more of them answered than the budget.
TEST_P(SeatProtocolTest, PipelinedGuessesAreLimitedToTheBudget) {
  auto code = license();
  start();
  LineClient c(server_->port());
  std::vector<std::string> guesses;
  for (int i = 0; i < 400; ++i)
    guesses.push_back("STATUS code=" + activation_code::format(activation_code::generate()));
  auto answers = pipeline(c, guesses);
  EXPECT_EQ(answers["invalid_code"], 10);
  EXPECT_EQ(answers["rate_limited"], 390);
  // The budget is the address's: another connection is limited as well.
  LineClient other(server_->port());
  EXPECT_EQ(status_of(other.request("STATUS code=" + code)), "rate_limited");
}

// Issue #25.1, across connections: 50 connections from one address, each pipelining guesses,
// get no more of them answered than the budget, because a guess in flight holds its place.
TEST_P(SeatProtocolTest, GuessesFromManyConnectionsOfOneAddressAreLimitedToTheBudget) {
  start();
  std::vector<std::unique_ptr<LineClient>> clients;
  for (int i = 0; i < 50; ++i) clients.push_back(std::make_unique<LineClient>(server_->port()));
  // Every connection's guesses are sent before any answer is read.
  for (auto& c : clients) {
    std::string text;
    for (int i = 0; i < 8; ++i)
      text += "STATUS code=" + activation_code::format(activation_code::generate()) + "\n";
    c->send_raw(text);
  }
  std::map<std::string, int> answers;
  for (auto& c : clients) {
    for (int i = 0; i < 8; ++i) {
      auto answer = c->read_line();
      ASSERT_TRUE(answer.has_value());
      ++answers[status_of(*answer)];
    }
  }
  EXPECT_EQ(answers["invalid_code"], 10);
  EXPECT_EQ(answers["rate_limited"], 390);
}

// The other side of the same rule: 60 endpoints behind one address (a NAT, a terminal server)
// asking at once with a code this lmpd has not seen since it started are all served. Those that
// find the budget's places held wait for the first answers, which make the code known.
TEST_P(SeatProtocolTest, AFleetBehindOneAddressAskingWithANewCodeAtOnceIsServed) {
  auto code = license({.units = 100});
  start();
  std::vector<std::unique_ptr<LineClient>> clients;
  for (int i = 0; i < 60; ++i) clients.push_back(std::make_unique<LineClient>(server_->port()));
  for (auto& c : clients) c->send_raw("CHECKOUT code=" + code + "\n");
  std::map<std::string, int> answers;
  for (auto& c : clients) {
    auto answer = c->read_line();
    ASSERT_TRUE(answer.has_value());
    ++answers[status_of(*answer)];
  }
  EXPECT_EQ(answers["OK"], 60);
}

// A code known to match a license may be looked up in a pipeline: a client pipelining lookups
// of its own, valid code gets every answer.
TEST_P(SeatProtocolTest, PipelinedLookupsOfValidCodesAreAllAnswered) {
  auto code = license({.units = 1000});
  start();
  LineClient c(server_->port());
  auto answers = pipeline(c, std::vector<std::string>(200, "STATUS code=" + code));
  EXPECT_EQ(answers["OK"], 200);
}

TEST_P(SeatProtocolTest, ValidityPeriodAndLifecycle) {
  auto later = license({.starts_at_ms = kTestEpochMs + 86400000});
  auto over =
      license({.starts_at_ms = kTestEpochMs - 2 * 86400000, .expires_at_ms = kTestEpochMs - 1000});
  config_.products[1].end_of_life_unix = kTestEpochMs / 1000 - 10;
  config_.products.push_back(config_.products[0]);
  config_.products.back().code = "old";
  config_.products.back().end_of_sale_unix = kTestEpochMs / 1000 - 10;
  auto eol = license({.product = "agent", .unit = sdk::UnitType::endpoints});
  auto eos = license({.product = "old"});
  start();
  LineClient c(server_->port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + later)), "license_not_started");
  EXPECT_EQ(status_of(c.request("ACTIVATE code=" + later)), "license_not_started");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + later))["state"], "not_started");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + over)), "license_expired");
  EXPECT_EQ(status_of(c.request("ACTIVATE code=" + over)), "license_expired");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + over))["state"], "expired");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + eol + " host=h1")), "end_of_life");
  EXPECT_EQ(status_of(c.request("ACTIVATE code=" + eol)), "end_of_life");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + eol))["state"], "end_of_life");
  // End of Sale stops selling, not using.
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + eos)), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + eos))["state"], "end_of_sale");
}

TEST_P(SeatProtocolTest, ProductMustBeTheLicensedOne) {
  auto code = license();
  start();
  LineClient c(server_->port());
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=agent")),
            "product_not_licensed");
  EXPECT_EQ(status_of(c.request("STATUS code=" + code + " product=agent")), "product_not_licensed");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " product=cad")), "OK");
}

TEST_P(SeatProtocolTest, NoSeatsAtTheLimitAndUnitsCount) {
  auto code = license({.units = 3});
  start();
  LineClient c(server_->port());
  auto two = c.request("CHECKOUT code=" + code + " units=2");
  ASSERT_EQ(status_of(two), "OK") << two;
  EXPECT_EQ(fields_of(two)["units"], "2");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " units=2")), "no_seats");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "no_seats");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["free"], "0");
}

TEST_P(SeatProtocolTest, EndpointsNeedHostAndRepeatCheckoutReusesTheLease) {
  auto code = license({.product = "agent", .units = 2, .unit = sdk::UnitType::endpoints});
  start();
  LineClient c(server_->port());
  auto missing = c.request("CHECKOUT code=" + code);
  EXPECT_EQ(status_of(missing), "bad_request");
  EXPECT_NE(fields_of(missing)["msg"].find("host"), std::string::npos) << missing;
  auto first = fields_of(c.request("CHECKOUT code=" + code + " host=pc1"));
  server_->advance_seconds(30);
  auto again = c.request("CHECKOUT code=" + code + " host=pc1");
  ASSERT_EQ(status_of(again), "OK") << again;
  EXPECT_EQ(fields_of(again)["lease"], first["lease"]);
  EXPECT_EQ(fields_of(again)["expires"], std::to_string(kTestEpochMs / 1000 + 330));
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc3")), "no_seats");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc1")), "OK");
}

TEST_P(SeatProtocolTest, LeasesExpireOnTheInjectedClock) {
  auto code = license({.units = 1});
  start();
  LineClient c(server_->port());
  auto lease = fields_of(c.request("CHECKOUT code=" + code))["lease"];
  server_->advance_seconds(299);
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "no_seats");
  server_->advance_seconds(1);
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "0");
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "lease_unknown");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
}

TEST_P(SeatProtocolTest, WaitIsAnsweredWhenAUnitFrees) {
  auto code = license({.units = 1});
  start();
  LineClient holder(server_->port());
  LineClient waiter(server_->port());
  auto lease = fields_of(holder.request("CHECKOUT code=" + code))["lease"];
  waiter.send("CHECKOUT code=" + code + " wait=30 tag=w");
  EXPECT_EQ(waiter.read_line(std::chrono::milliseconds(300)), std::nullopt);
  EXPECT_EQ(holder.request("CHECKIN lease=" + lease), "OK");
  auto answer = waiter.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->find("OK tag=w lease="), 0u) << *answer;
}

TEST_P(SeatProtocolTest, WaitersAreServedFirstComeFirstServed) {
  auto code = license({.units = 1});
  start();
  LineClient holder(server_->port());
  LineClient first(server_->port());
  LineClient second(server_->port());
  auto lease = fields_of(holder.request("CHECKOUT code=" + code))["lease"];
  first.send("CHECKOUT code=" + code + " wait=30");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  second.send("CHECKOUT code=" + code + " wait=30");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  holder.request("CHECKIN lease=" + lease);
  auto got = first.read_line();
  ASSERT_TRUE(got);
  EXPECT_EQ(status_of(*got), "OK");
  EXPECT_EQ(second.read_line(std::chrono::milliseconds(300)), std::nullopt);
  holder.request("CHECKIN lease=" + fields_of(*got)["lease"]);
  auto then = second.read_line();
  ASSERT_TRUE(then);
  EXPECT_EQ(status_of(*then), "OK");
}

// Issue #25.4: units freed while a multi-unit checkout waits at the head are held for it; later
// checkouts, even of fewer units, neither take them nor overtake it.
TEST_P(SeatProtocolTest, AWaiterAtTheHeadIsNotOvertakenByLaterSmallerCheckouts) {
  auto code = license({.units = 3});
  start();
  LineClient holder(server_->port());
  std::vector<std::string> leases;
  for (const char* host : {"pc1", "pc2", "pc3"})
    leases.push_back(fields_of(holder.request("CHECKOUT code=" + code + " host=" + host))["lease"]);
  LineClient big(server_->port());
  big.send("CHECKOUT code=" + code + " units=3 wait=60 tag=big");
  EXPECT_EQ(big.read_line(std::chrono::milliseconds(300)), std::nullopt);
  LineClient small(server_->port());
  LineClient later(server_->port());
  ASSERT_EQ(holder.request("CHECKIN lease=" + leases[0]), "OK");
  // A unit is free, and held for the head.
  EXPECT_EQ(status_of(small.request("CHECKOUT code=" + code + " host=pc9")), "no_seats");
  EXPECT_EQ(fields_of(small.request("STATUS code=" + code))["used"], "2");
  later.send("CHECKOUT code=" + code + " host=pc8 wait=60 tag=later");
  EXPECT_EQ(later.read_line(std::chrono::milliseconds(300)), std::nullopt);
  // A holder's repeated checkout takes no unit, so it is still answered at once.
  EXPECT_EQ(fields_of(holder.request("CHECKOUT code=" + code + " host=pc2"))["lease"], leases[1]);
  ASSERT_EQ(holder.request("CHECKIN lease=" + leases[1]), "OK");
  EXPECT_EQ(status_of(small.request("CHECKOUT code=" + code + " host=pc9")), "no_seats");
  ASSERT_EQ(holder.request("CHECKIN lease=" + leases[2]), "OK");
  auto served = big.read_line();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->find("OK tag=big lease="), 0u) << *served;
  EXPECT_EQ(fields_of(*served)["units"], "3");
  // The later waiter is next.
  EXPECT_EQ(later.read_line(std::chrono::milliseconds(300)), std::nullopt);
  ASSERT_EQ(big.request("CHECKIN lease=" + fields_of(*served)["lease"]), "OK");
  auto then = later.read_line();
  ASSERT_TRUE(then);
  EXPECT_EQ(then->find("OK tag=later lease="), 0u) << *then;
}

// A checkout that could never be granted (more units than the license has) is refused at once
// rather than queued, so it cannot hold a license's freed units for others for its whole wait.
TEST_P(SeatProtocolTest, ACheckoutLargerThanTheLicenseIsNotQueued) {
  auto code = license({.units = 3});
  start();
  LineClient c(server_->port());
  auto held = fields_of(c.request("CHECKOUT code=" + code + " host=pc1"))["lease"];
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " units=4 wait=60")), "no_seats");
  ASSERT_EQ(c.request("CHECKIN lease=" + held), "OK");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " host=pc2")), "OK");
}

TEST_P(SeatProtocolTest, WaitTimesOutWithNoSeats) {
  auto code = license({.units = 1});
  start();
  LineClient c(server_->port());
  c.request("CHECKOUT code=" + code);
  c.send("CHECKOUT code=" + code + " wait=5");
  EXPECT_EQ(c.read_line(std::chrono::milliseconds(200)), std::nullopt);
  server_->advance_seconds(5);
  auto answer = c.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "no_seats");
  EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code + " wait=301")), "bad_request");
}

TEST_P(SeatProtocolTest, WaiterIsServedWhenALeaseExpires) {
  auto code = license({.units = 1});
  start();
  LineClient c(server_->port());
  c.request("CHECKOUT code=" + code);
  LineClient w(server_->port());
  w.send("CHECKOUT code=" + code + " wait=300");
  EXPECT_EQ(w.read_line(std::chrono::milliseconds(200)), std::nullopt);
  server_->advance_seconds(301);
  auto answer = w.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "OK");
}

TEST_P(SeatProtocolTest, PipelinedAnswersComeInRequestOrder) {
  auto code = license({.units = 1000});
  start();
  LineClient c(server_->port());
  std::string burst;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0)
      burst += "CHECKOUT code=" + code + " tag=" + std::to_string(i) + "\n";
    else if (i % 3 == 1)
      burst += "PING tag=" + std::to_string(i) + "\n";
    else
      burst += "STATUS code=" + code + " tag=" + std::to_string(i) + "\n";
  }
  c.send_raw(burst);
  for (int i = 0; i < 300; ++i) {
    auto line = c.read_line();
    ASSERT_TRUE(line) << "answer " << i;
    EXPECT_EQ(status_of(*line), "OK") << *line;
    EXPECT_EQ(fields_of(*line)["tag"], std::to_string(i));
  }
}

// Issue #24: the answers one batch completes for a connection leave in one write. Each went in a
// send of its own, a segment each, which at 16 connections pipelining 32 deep tripled the network
// thread's CPU per operation (docs/benchmarks.md, "The pipelined slowdown").
TEST_P(SeatProtocolTest, PipelinedAnswersOfOneBatchLeaveInOneWrite) {
  auto code = license({.units = 1000});
  start();
  LineClient c(server_->port());
  // A code that has matched a license is pipelined freely (no lookup holds the lines back).
  ASSERT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
  const auto before = c.data_segments_received();
  if (!before) GTEST_SKIP() << "this kernel does not count data segments (TCP_INFO)";
  std::string burst;
  for (int i = 0; i < 32; ++i)
    burst += "CHECKOUT code=" + code + " tag=" + std::to_string(i) + "\n";
  c.send_raw(burst);
  for (int i = 0; i < 32; ++i) {
    auto line = c.read_line();
    ASSERT_TRUE(line) << "answer " << i;
    EXPECT_EQ(status_of(*line), "OK") << *line;
  }
  // One read, one batch, one write; two batches would be two.
  EXPECT_LE(*c.data_segments_received() - *before, 2u);
}

TEST_P(SeatProtocolTest, LineTooLongIsAnsweredThenClosed) {
  start();
  LineClient c(server_->port());
  // 4095 bytes plus LF is the longest line allowed.
  std::string longest = "PING x=" + std::string(4095 - 7, 'a');
  EXPECT_EQ(c.request(longest), "OK");
  c.send_raw("PING x=" + std::string(4096 - 7, 'a') + "\n");
  auto answer = c.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "line_too_long");
  EXPECT_TRUE(c.closed_by_server());
  // Other clients are not affected.
  LineClient other(server_->port());
  EXPECT_EQ(other.request("PING"), "OK");
}

TEST_P(SeatProtocolTest, LineTooLongWithoutAnyNewline) {
  start();
  LineClient c(server_->port());
  c.send_raw(std::string(10000, 'A'));
  auto answer = c.read_line();
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), "line_too_long");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_P(SeatProtocolTest, HalfClosedClientGetsEveryAnswer) {
  auto code = license();
  start();
  LineClient c(server_->port());
  c.send_raw("PING tag=1\nCHECKOUT code=" + code + " tag=2\nSTATUS code=" + code + " tag=3\n");
  c.shutdown_write();
  for (const char* tag : {"1", "2", "3"}) {
    auto line = c.read_line();
    ASSERT_TRUE(line) << tag;
    EXPECT_EQ(fields_of(*line)["tag"], tag);
  }
  EXPECT_TRUE(c.closed_by_server());
}

TEST_P(SeatProtocolTest, ConcurrentClientsNeverGetMoreThanTheUnits) {
  constexpr int kUnits = 5;
  constexpr int kClients = 40;
  auto code = license({.units = kUnits});
  start();
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::string> leases(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      LineClient c(server_->port());
      auto answer = c.request("CHECKOUT code=" + code);
      if (status_of(answer) == "OK") {
        ++granted;
        leases[i] = fields_of(answer)["lease"];
      } else if (status_of(answer) == "no_seats") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), kUnits);
  EXPECT_EQ(refused.load(), kClients - kUnits);
  EXPECT_EQ(other.load(), 0);
  std::set<std::string> distinct;
  LineClient c(server_->port());
  for (const auto& lease : leases) {
    if (lease.empty()) continue;
    distinct.insert(lease);
    EXPECT_EQ(c.request("CHECKIN lease=" + lease), "OK");
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kUnits));
  for (int i = 0; i < kUnits; ++i) EXPECT_EQ(status_of(c.request("CHECKOUT code=" + code)), "OK");
}

TEST_P(SeatProtocolTest, PluginExceptionFailsOneRequestWithInternal) {
  // The "throwing" test family throws from every checkout call.
  config_.plugin_directory = LMP_TEST_THROWING_PLUGIN_DIR;
  config_.products.resize(1);
  config_.products[0].family = "throwing";
  auto code = license();
  start();
  LineClient c(server_->port());
  c.send_raw("CHECKOUT code=" + code + " tag=1\nPING tag=2\nSTATUS code=" + code + " tag=3\n");
  auto failed = c.read_line();
  ASSERT_TRUE(failed);
  EXPECT_EQ(status_of(*failed), "internal") << *failed;
  EXPECT_EQ(fields_of(*failed)["tag"], "1");
  EXPECT_EQ(c.read_line(), "OK tag=2");
  auto status = c.read_line();
  ASSERT_TRUE(status);
  EXPECT_EQ(fields_of(*status)["used"], "0") << *status;
  // The server serves on, for this client and for others.
  LineClient other(server_->port());
  EXPECT_EQ(status_of(other.request("CHECKOUT code=" + code)), "internal");
  EXPECT_EQ(other.request("PING"), "OK");
}

TEST_P(SeatProtocolTest, RestartKeepsLeases) {
  auto code = license({.units = 2});
  start();
  std::string lease;
  {
    LineClient c(server_->port());
    lease = fields_of(c.request("CHECKOUT code=" + code))["lease"];
  }
  server_.reset();
  start();
  LineClient c(server_->port());
  EXPECT_EQ(status_of(c.request("HEARTBEAT lease=" + lease)), "OK");
  EXPECT_EQ(fields_of(c.request("STATUS code=" + code))["used"], "1");
}

}  // namespace
}  // namespace lmp::test
