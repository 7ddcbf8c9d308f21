// Borrowing through the client library's C API: against a scripted seat server on a real socket
// (what the client sends, what it stores, a server that does not lend), and end to end against a
// real lmpd (borrow, stop the server, check offline, return early).
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "borrow_signer.hpp"
#include "key_server.hpp"
#include "lmp/client/client.h"
#include "support/daemon_process.hpp"
#include "support/lmpd_instance.hpp"
#include "support/test_certificates.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

struct ClientDeleter {
  void operator()(lmp_client* c) const { lmp_client_free(c); }
};
using ClientPtr = std::unique_ptr<lmp_client, ClientDeleter>;

ClientPtr new_client(const std::string& servers, const char* host = "laptop-7") {
  lmp_client* c = nullptr;
  EXPECT_EQ(lmp_client_new(servers.c_str(), &c), LMP_OK) << lmp_last_error();
  EXPECT_EQ(lmp_client_set_identity(c, host, "ana"), LMP_OK);
  EXPECT_EQ(lmp_client_set_timeout_ms(c, 2000), LMP_OK);
  return ClientPtr(c);
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A seat server on a loopback port whose answers the test scripts: HELLO is answered as lmpd
// 1.1 would, every other line by `answer`. Records the lines it was sent.
class ScriptedSeatServer {
 public:
  explicit ScriptedSeatServer(std::function<std::string(const std::string&)> answer)
      : answer_(std::move(answer)), fd_(listen_loopback(port_)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedSeatServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  void serve() {
    std::vector<int> clients;
    std::vector<std::string> buffers;
    while (!stop_) {
      std::vector<pollfd> polled{{fd_, POLLIN, 0}};
      for (int c : clients) polled.push_back({c, POLLIN, 0});
      if (::poll(polled.data(), polled.size(), 50) <= 0) continue;
      if (polled[0].revents & POLLIN) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          clients.push_back(c);
          buffers.emplace_back();
        }
      }
      for (std::size_t i = 1; i < polled.size(); ++i) {
        if (!(polled[i].revents & (POLLIN | POLLHUP))) continue;
        char chunk[4096];
        ssize_t n = ::recv(polled[i].fd, chunk, sizeof chunk, 0);
        if (n <= 0) continue;  // closed: left in the list, polled harmlessly until the end
        auto& buffer = buffers[i - 1];
        buffer.append(chunk, static_cast<std::size_t>(n));
        for (auto lf = buffer.find('\n'); lf != std::string::npos; lf = buffer.find('\n')) {
          std::string line = buffer.substr(0, lf);
          buffer.erase(0, lf + 1);
          std::string reply = line.starts_with("HELLO")
                                  ? "OK proto=1.1 server=scripted version=0.0.0 heartbeat=2"
                                  : answer_(line);
          {
            std::lock_guard lock(mutex_);
            if (!line.starts_with("HELLO")) lines_.push_back(line);
          }
          reply += "\n";
          ::send(polled[i].fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
      }
    }
    for (int c : clients) ::close(c);
  }

  std::function<std::string(const std::string&)> answer_;
  std::uint16_t port_ = 0;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> lines_;
  std::thread thread_;
};

class BorrowScriptedTest : public ::testing::Test {
 protected:
  BorrowScriptedTest() : signer_("k1"), keys_(jwk_set({signer_.jwk()})) {
    claims_.iat = std::time(nullptr);
    claims_.exp = claims_.iat + 7 * 86400;
  }
  std::string token_path() const { return (dir_.path() / "cad.token").string(); }
  // Answers CHECKOUT with a borrowed lease and its token, CHECKIN with OK.
  std::string lend(const std::string& line) {
    if (line.starts_with("CHECKOUT"))
      return "OK lease=" + claims_.lease + " units=1 expires=" + std::to_string(claims_.exp) +
             " borrowed=1 token=" + signer_.token(claims_);
    if (line.starts_with("CHECKIN")) return "OK";
    return "ERR unknown_verb";
  }

  TempDir dir_;
  TokenSigner signer_;
  KeyServer keys_;
  BorrowClaims claims_;
};

TEST_F(BorrowScriptedTest, ABorrowStoresTheTokenPrivatelyCachesTheKeysAndChecksOffline) {
  lmp_borrowed borrowed{};
  {
    ScriptedSeatServer server([this](const std::string& line) { return lend(line); });
    auto client = new_client(server.address());
    ASSERT_EQ(lmp_client_set_keys_url(client.get(), keys_.url().c_str()), LMP_OK);
    ASSERT_EQ(lmp_borrow(client.get(), "48213-09377-51620-88274", "cad", 1, 7 * 86400,
                         token_path().c_str(), &borrowed),
              LMP_OK)
        << lmp_last_error();
    auto lines = server.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0],
              "CHECKOUT code=48213-09377-51620-88274 product=cad host=laptop-7 user=ana "
              "borrow=604800");
  }
  EXPECT_STREQ(borrowed.lease, claims_.lease.c_str());
  EXPECT_EQ(borrowed.license_id, 7);
  EXPECT_STREQ(borrowed.product, "cad");
  EXPECT_EQ(borrowed.units, 1u);
  EXPECT_STREQ(borrowed.host, "laptop-7");
  EXPECT_STREQ(borrowed.user, "ana");
  EXPECT_EQ(borrowed.expires, claims_.exp);
  EXPECT_EQ(file_text(token_path()), signer_.token(claims_) + "\n");
  struct stat info {};
  ASSERT_EQ(::stat(token_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(file_text(token_path() + ".keys"), jwk_set({signer_.jwk()}));
  EXPECT_EQ(keys_.requests(), 1);

  // Later, without any server: a client of no servers checks the token with the cached keys.
  auto offline = new_client("");
  lmp_borrowed checked{};
  ASSERT_EQ(lmp_check_borrowed(offline.get(), token_path().c_str(), &checked), LMP_OK)
      << lmp_last_error();
  EXPECT_STREQ(checked.lease, claims_.lease.c_str());
  EXPECT_EQ(checked.issued, claims_.iat);
  EXPECT_EQ(lmp_client_ping(offline.get()), LMP_ERR_UNREACHABLE);
  EXPECT_NE(std::string(lmp_last_error()).find("no server"), std::string::npos);
  // Another machine with a copy of the files is refused.
  auto elsewhere = new_client("", "laptop-8");
  EXPECT_EQ(lmp_check_borrowed(elsewhere.get(), token_path().c_str(), nullptr),
            LMP_ERR_TOKEN_OTHER_HOST);
}

TEST_F(BorrowScriptedTest, AServerThatDoesNotLendGetsItsLeaseBackAndTheBorrowIsUnsupported) {
  ScriptedSeatServer server([](const std::string& line) -> std::string {
    if (line.starts_with("CHECKOUT")) return "OK lease=plain1 units=1 expires=99 heartbeat=2";
    return "OK";
  });
  auto client = new_client(server.address());
  EXPECT_EQ(lmp_borrow(client.get(), "48213-09377-51620-88274", nullptr, 1, 3600,
                       token_path().c_str(), nullptr),
            LMP_ERR_UNSUPPORTED);
  auto lines = server.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "CHECKIN lease=plain1");
  EXPECT_FALSE(std::filesystem::exists(token_path()));
}

TEST_F(BorrowScriptedTest, ATokenForAnotherLeaseOrGarbageFromTheServerIsAProtocolError) {
  ScriptedSeatServer server([this](const std::string&) {
    return "OK lease=other units=1 expires=99 borrowed=1 token=" + signer_.token(claims_);
  });
  auto client = new_client(server.address());
  EXPECT_EQ(lmp_borrow(client.get(), "48213-09377-51620-88274", nullptr, 1, 3600,
                       token_path().c_str(), nullptr),
            LMP_ERR_PROTOCOL);
  // The units the server lent are given back: nobody could use them without their token.
  EXPECT_EQ(server.lines().back(), "CHECKIN lease=other");
  ScriptedSeatServer garbage([](const std::string&) {
    return std::string("OK lease=x units=1 expires=99 borrowed=1 token=not.a.token");
  });
  auto second = new_client(garbage.address());
  EXPECT_EQ(lmp_borrow(second.get(), "48213-09377-51620-88274", nullptr, 1, 3600,
                       token_path().c_str(), nullptr),
            LMP_ERR_PROTOCOL);
  EXPECT_FALSE(std::filesystem::exists(token_path()));
}

TEST_F(BorrowScriptedTest, ATokenThatCannotBeStoredGivesTheUnitsBack) {
  ScriptedSeatServer server([this](const std::string& line) { return lend(line); });
  auto client = new_client(server.address());
  auto nowhere = (dir_.path() / "no/such/folder/cad.token").string();
  EXPECT_EQ(lmp_borrow(client.get(), "48213-09377-51620-88274", "cad", 1, 86400, nowhere.c_str(),
                       nullptr),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find("no/such/folder"), std::string::npos);
  EXPECT_EQ(server.lines().back(), "CHECKIN lease=" + claims_.lease);
}

TEST_F(BorrowScriptedTest, AReturnChecksTheLeaseInAndRemovesTheTokenOnlyWhenAServerAnswered) {
  ScriptedSeatServer server([this](const std::string& line) { return lend(line); });
  auto client = new_client(server.address());
  ASSERT_EQ(lmp_client_set_keys_url(client.get(), keys_.url().c_str()), LMP_OK);
  ASSERT_EQ(lmp_borrow(client.get(), "48213-09377-51620-88274", "cad", 1, 86400,
                       token_path().c_str(), nullptr),
            LMP_OK)
      << lmp_last_error();

  auto nobody = new_client("127.0.0.1:1");
  EXPECT_EQ(lmp_return(nobody.get(), token_path().c_str()), LMP_ERR_UNREACHABLE);
  EXPECT_TRUE(std::filesystem::exists(token_path()));

  ASSERT_EQ(lmp_return(client.get(), token_path().c_str()), LMP_OK) << lmp_last_error();
  EXPECT_EQ(server.lines().back(), "CHECKIN lease=" + claims_.lease);
  EXPECT_FALSE(std::filesystem::exists(token_path()));
  EXPECT_EQ(lmp_check_borrowed(client.get(), token_path().c_str(), nullptr), LMP_ERR_NOT_BORROWED);
  EXPECT_EQ(lmp_return(client.get(), token_path().c_str()), LMP_ERR_NOT_BORROWED);
}

// A real lmpd whose site policy lets customer acme borrow up to 7 days, 2 units at once, and
// excludes the user mallory.
class BorrowLmpdTest : public ::testing::Test {
 protected:
  BorrowLmpdTest() : lmpd_(dir_.path(), "", "policy:\n  file: policy.yaml\n") {
    std::ofstream(dir_.path() / "policy.yaml")
        << "policies:\n  - customer: acme\n"
        << "    exclude: [user:mallory]\n"
        << "    borrow: {allowed: true, max_seconds: 604800, max_units: 2}\n";
  }
  void SetUp() override {
    code_ = lmpd_.create_license(2);
    big_ = lmpd_.create_license(5);
    lmpd_.start();
  }
  std::string token_path() const { return (dir_.path() / "cad.token").string(); }
  int used() const { return lmpd_.units_in_use(code_); }

  TempDir dir_;
  LmpdInstance lmpd_;
  std::string code_;
  std::string big_;  // 5 units: more than the policy lets one borrow at once
};

// The issue's own scenario: borrow, the server goes away, the token checks offline; back online
// the unit is returned early.
TEST_F(BorrowLmpdTest, BorrowStopTheServerCheckOfflineAndReturnEarly) {
  auto client = new_client(lmpd_.address());
  ASSERT_EQ(lmp_client_set_keys_url(client.get(), lmpd_.http_url().c_str()), LMP_OK);
  lmp_borrowed borrowed{};
  const auto before = std::time(nullptr);
  ASSERT_EQ(
      lmp_borrow(client.get(), code_.c_str(), "cad", 1, 3 * 86400, token_path().c_str(), &borrowed),
      LMP_OK)
      << lmp_last_error();
  EXPECT_STREQ(borrowed.product, "cad");
  EXPECT_STREQ(borrowed.host, "laptop-7");
  EXPECT_STREQ(borrowed.user, "ana");
  EXPECT_EQ(borrowed.units, 1u);
  EXPECT_GE(borrowed.expires, before + 3 * 86400);
  EXPECT_LE(borrowed.expires, std::time(nullptr) + 3 * 86400);
  EXPECT_EQ(used(), 1);
  EXPECT_TRUE(std::filesystem::exists(token_path() + ".keys"));

  lmpd_.kill_hard();
  auto offline = new_client("");
  lmp_borrowed checked{};
  ASSERT_EQ(lmp_check_borrowed(offline.get(), token_path().c_str(), &checked), LMP_OK)
      << lmp_last_error();
  EXPECT_STREQ(checked.lease, borrowed.lease);
  EXPECT_EQ(checked.expires, borrowed.expires);
  EXPECT_EQ(checked.license_id, borrowed.license_id);
  // The same files on another machine do not check.
  auto elsewhere = new_client("", "laptop-8");
  EXPECT_EQ(lmp_check_borrowed(elsewhere.get(), token_path().c_str(), nullptr),
            LMP_ERR_TOKEN_OTHER_HOST);
  // Nor does a token whose payload was edited (a longer borrow), though it is well formed.
  std::string token = file_text(token_path());
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  std::string payload = token.substr(first + 1, second - first - 1);
  payload[payload.size() / 2] = payload[payload.size() / 2] == 'A' ? 'B' : 'A';
  std::ofstream(dir_.path() / "edited.token")
      << token.substr(0, first + 1) + payload + token.substr(second);
  std::filesystem::copy_file(token_path() + ".keys", dir_.path() / "edited.token.keys");
  lmp_result edited =
      lmp_check_borrowed(offline.get(), (dir_.path() / "edited.token").c_str(), nullptr);
  EXPECT_TRUE(edited == LMP_ERR_TOKEN_BAD_SIGNATURE || edited == LMP_ERR_TOKEN_MALFORMED)
      << lmp_result_name(edited);

  // Back online: the borrowed unit survived the kill, and returns early.
  lmpd_.start();
  EXPECT_EQ(used(), 1);
  ASSERT_EQ(lmp_return(client.get(), token_path().c_str()), LMP_OK) << lmp_last_error();
  EXPECT_EQ(used(), 0);
  EXPECT_FALSE(std::filesystem::exists(token_path()));
  EXPECT_EQ(lmp_check_borrowed(offline.get(), token_path().c_str(), nullptr), LMP_ERR_NOT_BORROWED);
}

// The keys over https: lmpd's HTTP listener speaks TLS with a certificate of the site's CA; the
// client fetches the key set verified against the CA file it was given (by address and by
// name), and a server it cannot verify gives it no keys, saying why.
TEST(BorrowKeysOverHttps, TheKeysComeOverVerifiedTlsAndAServerOfAnotherCaGivesNone) {
  TempDir dir;
  TestCa site(dir.path(), "site");
  TestCa other(dir.path(), "other");
  const auto issued = site.issue("admin", "lmpd.test", 7);
  std::ofstream(dir.path() / "policy.yaml")
      << "policies:\n  - customer: acme\n    borrow: {allowed: true, max_seconds: 604800}\n";
  LmpdInstance lmpd(dir.path(), "", "policy:\n  file: policy.yaml\n",
                    "      certificate: " + issued.certificate.string() +
                        "\n      private_key: " + issued.key.string() + "\n");
  const std::string code = lmpd.create_license(3);
  lmpd.start();
  const std::string url = lmpd.http_url();
  ASSERT_TRUE(url.starts_with("https://")) << url;

  auto client = new_client(lmpd.address());
  ASSERT_EQ(lmp_client_set_keys_url(client.get(), url.c_str()), LMP_OK) << lmp_last_error();
  ASSERT_EQ(lmp_client_set_keys_ca_file(client.get(), site.certificate().c_str()), LMP_OK)
      << lmp_last_error();
  const std::string token = (dir.path() / "cad.token").string();
  ASSERT_EQ(lmp_borrow(client.get(), code.c_str(), "cad", 1, 86400, token.c_str(), nullptr), LMP_OK)
      << lmp_last_error();
  EXPECT_TRUE(std::filesystem::exists(token + ".keys")) << "fetched over https at the borrow";
  EXPECT_EQ(lmp_check_borrowed(client.get(), token.c_str(), nullptr), LMP_OK) << lmp_last_error();

  // By name: the certificate names localhost too.
  const std::string by_name = "https://localhost:" + url.substr(url.rfind(':') + 1);
  auto named = new_client(lmpd.address());
  ASSERT_EQ(lmp_client_set_keys_url(named.get(), by_name.c_str()), LMP_OK);
  ASSERT_EQ(lmp_client_set_keys_ca_file(named.get(), site.certificate().c_str()), LMP_OK);
  const std::string named_token = (dir.path() / "named.token").string();
  ASSERT_EQ(lmp_borrow(named.get(), code.c_str(), "cad", 1, 86400, named_token.c_str(), nullptr),
            LMP_OK)
      << lmp_last_error();
  EXPECT_TRUE(std::filesystem::exists(named_token + ".keys"));

  // Trusting another CA (or, without a CA file, the system's, which never signed the test CA):
  // the borrow itself works, the keys do not come, and the check says why.
  for (const char* ca : {other.certificate().c_str(), static_cast<const char*>(nullptr)}) {
    auto wary = new_client(lmpd.address());
    ASSERT_EQ(lmp_client_set_keys_url(wary.get(), url.c_str()), LMP_OK);
    ASSERT_EQ(lmp_client_set_keys_ca_file(wary.get(), ca), LMP_OK);
    const std::string wary_token = (dir.path() / "wary.token").string();
    ASSERT_EQ(lmp_borrow(wary.get(), code.c_str(), "cad", 1, 86400, wary_token.c_str(), nullptr),
              LMP_OK)
        << lmp_last_error();
    EXPECT_FALSE(std::filesystem::exists(wary_token + ".keys"));
    EXPECT_EQ(lmp_check_borrowed(wary.get(), wary_token.c_str(), nullptr), LMP_ERR_NO_KEYS);
    EXPECT_NE(std::string(lmp_last_error()).find("certificate verify failed"), std::string::npos)
        << lmp_last_error();
    ASSERT_EQ(lmp_return(wary.get(), wary_token.c_str()), LMP_OK) << lmp_last_error();
  }

  // lmp-run takes the CA file as --keys-ca.
  const std::string run_token = (dir.path() / "run.token").string();
  auto run =
      run_command({LMP_RUN_BINARY, "--borrow", "1", "--server", lmpd.address(), "--code", code,
                   "--keys-url", url, "--keys-ca", site.certificate().string(), "--host",
                   "laptop-7", "--user", "ana", "--token", run_token, "--", "/bin/true"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(run_token + ".keys")) << run.err;
}

TEST_F(BorrowLmpdTest, TheServersRefusalsComeBackAsTheirResults) {
  auto client = new_client(lmpd_.address());
  // Longer than the policy allows: the server names its limit.
  EXPECT_EQ(
      lmp_borrow(client.get(), code_.c_str(), "cad", 1, 30 * 86400, token_path().c_str(), nullptr),
      LMP_ERR_SERVER);
  EXPECT_NE(std::string(lmp_last_error()).find("bad_request"), std::string::npos)
      << lmp_last_error();
  EXPECT_FALSE(std::filesystem::exists(token_path()));
  EXPECT_EQ(used(), 0);
}

// The site policy's refusals have results of their own (since 1.4), on a borrow and on a checkout.
TEST_F(BorrowLmpdTest, TheSitePolicysRefusalsHaveResultsOfTheirOwn) {
  // An excluded user gets not_allowed, for a checkout as for a borrow.
  const std::string second = (dir_.path() / "second.token").string();
  auto mallory = new_client(lmpd_.address());
  ASSERT_EQ(lmp_client_set_identity(mallory.get(), "laptop-9", "mallory"), LMP_OK);
  lmp_lease* lease = nullptr;
  EXPECT_EQ(lmp_client_checkout(mallory.get(), big_.c_str(), nullptr, 1, 0, 0, &lease),
            LMP_ERR_NOT_ALLOWED);
  EXPECT_EQ(lease, nullptr);
  EXPECT_EQ(lmp_borrow(mallory.get(), big_.c_str(), "cad", 1, 86400, second.c_str(), nullptr),
            LMP_ERR_NOT_ALLOWED);
  EXPECT_EQ(lmpd_.units_in_use(big_), 0);

  auto client = new_client(lmpd_.address());
  ASSERT_EQ(lmp_borrow(client.get(), big_.c_str(), "cad", 2, 86400, token_path().c_str(), nullptr),
            LMP_OK)
      << lmp_last_error();
  // Three units borrowed at once would pass the policy's two, though the license has them free.
  EXPECT_EQ(lmp_borrow(client.get(), big_.c_str(), "cad", 1, 86400, second.c_str(), nullptr),
            LMP_ERR_OVER_LIMIT);
  EXPECT_NE(std::string(lmp_last_error()).find("(limit=2)"), std::string::npos) << lmp_last_error();
  EXPECT_FALSE(std::filesystem::exists(second));
  EXPECT_EQ(lmpd_.units_in_use(big_), 2);

  EXPECT_STREQ(lmp_result_name(LMP_ERR_NOT_ALLOWED), "not_allowed");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_OVER_LIMIT), "over_limit");
  // The values are appended: those of 1.3 keep theirs (the ABI).
  EXPECT_EQ(static_cast<int>(LMP_ERR_NOT_BORROWED), 25);
  EXPECT_EQ(static_cast<int>(LMP_ERR_NOT_ALLOWED), 26);
  EXPECT_EQ(static_cast<int>(LMP_ERR_OVER_LIMIT), 27);
}

// lmp-run --borrow, then --offline without the server, then --return.
TEST_F(BorrowLmpdTest, LmpRunBorrowsRunsOfflineAndReturns) {
  const std::vector<std::string> identity = {"--host", "laptop-7", "--user",
                                             "ana",    "--token",  token_path()};
  auto with = [&](std::vector<std::string> argv, const std::vector<std::string>& command) {
    argv.insert(argv.begin(), LMP_RUN_BINARY);
    argv.insert(argv.end(), identity.begin(), identity.end());
    if (!command.empty()) {
      argv.push_back("--");
      argv.insert(argv.end(), command.begin(), command.end());
    }
    return run_command(argv);
  };
  auto borrowed = with({"--borrow", "2", "--server", lmpd_.address(), "--code", code_, "--keys-url",
                        lmpd_.http_url()},
                       {"/bin/sh", "-c", "echo ran; exit 3"});
  EXPECT_EQ(borrowed.exit_code, 3) << borrowed.err;
  EXPECT_EQ(borrowed.out, "ran\n");
  EXPECT_NE(borrowed.err.find("borrowed 1 unit(s) of cad until "), std::string::npos)
      << borrowed.err;
  EXPECT_EQ(used(), 1);  // still borrowed after the command ended

  lmpd_.kill_hard();
  auto offline = with({"--offline"}, {"/bin/sh", "-c", "echo offline; exit 4"});
  EXPECT_EQ(offline.exit_code, 4) << offline.err;
  EXPECT_EQ(offline.out, "offline\n");

  lmpd_.start();
  auto returned = with({"--return", "--server", lmpd_.address()}, {});
  EXPECT_EQ(returned.exit_code, 0) << returned.err;
  EXPECT_EQ(used(), 0);
  auto nothing = with({"--offline"}, {"/bin/true"});
  EXPECT_EQ(nothing.exit_code, 69) << nothing.err;
}

TEST(BorrowCApi, BadArgumentsAndTheNamesOfTheNewResults) {
  lmp_client* c = nullptr;
  ASSERT_EQ(lmp_client_new("127.0.0.1:1", &c), LMP_OK);
  ClientPtr client(c);
  EXPECT_EQ(lmp_borrow(nullptr, "c", nullptr, 1, 60, "t", nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_borrow(c, nullptr, nullptr, 1, 60, "t", nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_borrow(c, "c", nullptr, 1, 60, nullptr, nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_borrow(c, "c", nullptr, 1, 0, "t", nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_borrow(c, "c", nullptr, 1, 60, "", nullptr), LMP_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(lmp_client_set_identity(c, "laptop-7", ""), LMP_OK);
  EXPECT_EQ(lmp_borrow(c, "c", nullptr, 1, 60, "t", nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find("host and user"), std::string::npos);
  EXPECT_EQ(lmp_check_borrowed(nullptr, "t", nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_check_borrowed(c, nullptr, nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_return(c, nullptr), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_set_keys_url(c, "https://lic1"), LMP_OK);
  EXPECT_EQ(lmp_client_set_keys_url(c, "ftp://lic1"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_set_keys_ca_file(nullptr, "ca.pem"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_set_keys_ca_file(c, "/no/such/ca.pem"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lmp_last_error()).find("/no/such/ca.pem"), std::string::npos);
  EXPECT_EQ(lmp_client_set_keys_ca_file(c, nullptr), LMP_OK);
  EXPECT_EQ(lmp_client_set_keys_url(c, "lic1:27480"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lmp_client_set_keys_url(c, nullptr), LMP_OK);
  EXPECT_EQ(lmp_client_set_keys_file(nullptr, "k"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lmp_result_name(LMP_ERR_TOKEN_MALFORMED), "token_malformed");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_TOKEN_UNKNOWN_KEY), "token_unknown_key");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_TOKEN_BAD_SIGNATURE), "token_bad_signature");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_TOKEN_EXPIRED), "token_expired");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_TOKEN_OTHER_HOST), "token_other_host");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_CLOCK_MOVED_BACK), "clock_moved_back");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_NO_KEYS), "no_keys");
  EXPECT_STREQ(lmp_result_name(LMP_ERR_NOT_BORROWED), "not_borrowed");
}

}  // namespace
}  // namespace lmp::test
