// lmp-run against a real lmpd: the command's exit status, the unit held while it runs and
// returned when it exits (also after SIGTERM and SIGINT), and the documented statuses when the
// command cannot run (no unit free, no server, bad usage, refused code, missing command); and
// --offline with tokens signed by the test's own key.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "borrow_signer.hpp"
#include "support/child_process.hpp"
#include "support/lmpd_instance.hpp"
#include "support/test_certificates.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

class LmpRunTest : public ::testing::Test {
 protected:
  LmpRunTest() : lmpd_(dir_.path()) {}
  void SetUp() override {
    code_ = lmpd_.create_license(1);
    lmpd_.start();
  }

  std::vector<std::string> lmp_run(std::vector<std::string> command,
                                   std::vector<std::string> options = {}) {
    std::vector<std::string> argv = {LMP_RUN_BINARY, "--server", lmpd_.address(), "--code",
                                     code_,          "--user",   "tester"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
  }
  int used() const { return lmpd_.units_in_use(code_); }
  // Starts `lmp-run ... -- sh -c 'touch started; sleep 60'` and waits until the command runs;
  // `environment` ("NAME=value") is set for lmp-run.
  std::unique_ptr<ChildProcess> start_long_command(const std::string& environment = "") {
    auto marker = dir_.path() / "started";
    auto argv = lmp_run({"/bin/sh", "-c", "touch '" + marker.string() + "'; exec sleep 60"});
    if (!environment.empty()) argv.insert(argv.begin(), {"/usr/bin/env", environment});
    auto child = std::make_unique<ChildProcess>(argv, dir_.path() / "out", dir_.path() / "err");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!std::filesystem::exists(marker) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(std::filesystem::exists(marker)) << read_file(dir_.path() / "err");
    return child;
  }

  TempDir dir_;
  LmpdInstance lmpd_;
  std::string code_;
};

TEST_F(LmpRunTest, ExitsWithTheCommandsStatusAndChecksTheUnitIn) {
  auto r = run_command(lmp_run({"/bin/sh", "-c", "echo working; exit 3"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "working\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(used(), 0);
  EXPECT_EQ(run_command(lmp_run({"/bin/true"})).exit_code, 0);
}

TEST_F(LmpRunTest, HoldsTheUnitWhileTheCommandRunsAndReturnsItOnSigterm) {
  auto child = start_long_command();
  EXPECT_EQ(used(), 1);
  // The only unit is taken: a second lmp-run says so in one line and exits 69.
  auto second = run_command(lmp_run({"/bin/true"}, {"--user", "someone-else"}));
  EXPECT_EQ(second.exit_code, 69);
  EXPECT_EQ(second.err.find('\n'), second.err.size() - 1) << second.err;
  EXPECT_NE(second.err.find("no license unit is free"), std::string::npos) << second.err;
  // With the server's reason.
  EXPECT_NE(second.err.find("all 1 seats in use"), std::string::npos) << second.err;

  child->signal(SIGTERM);
  auto status = child->wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 128 + SIGTERM) << read_file(dir_.path() / "err");
  EXPECT_EQ(used(), 0);
}

TEST_F(LmpRunTest, AHolderKeyFromTheEnvironmentKeepsTheSeatFromTheSameUserWithoutIt) {
  auto child = start_long_command("LMP_HOLDER_KEY=0123456789abcdef0123456789abcdef");
  EXPECT_EQ(used(), 1);
  // The same user on the same machine, without the key or with another: the holder's lease is
  // not theirs (without the key, lmp-run would share it, as two programs of one user do).
  for (const char* key : {"", "ffffffffffffffffffffffffffffffff"}) {
    auto argv = lmp_run({"/bin/true"});
    argv.insert(argv.begin(), {"/usr/bin/env", "LMP_HOLDER_KEY=" + std::string(key)});
    auto other = run_command(argv);
    EXPECT_EQ(other.exit_code, 69) << other.err;
  }
  EXPECT_EQ(used(), 1);
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait(std::chrono::seconds(20)).has_value());
  EXPECT_EQ(used(), 0);
}

TEST_F(LmpRunTest, SigintIsPassedOnAndTheUnitReturned) {
  auto child = start_long_command();
  child->signal(SIGINT);
  auto status = child->wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 128 + SIGINT);
  EXPECT_EQ(used(), 0);
}

TEST_F(LmpRunTest, KeepsTheUnitAlivePastTheLeaseDuration) {
  auto child = start_long_command();
  // The lease lasts 10 s: without heartbeats the server would have reclaimed the unit by now.
  std::this_thread::sleep_for(std::chrono::seconds(13));
  EXPECT_EQ(used(), 1);
  EXPECT_EQ(read_file(dir_.path() / "err"), "");  // no warning: every heartbeat went through
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait(std::chrono::seconds(20)).has_value());
  EXPECT_EQ(used(), 0);
}

TEST_F(LmpRunTest, WaitQueuesForAUnit) {
  auto child = start_long_command();
  auto waiting = std::make_unique<ChildProcess>(
      lmp_run({"/bin/true"}, {"--user", "someone-else", "--wait", "30"}), dir_.path() / "out2",
      dir_.path() / "err2");
  EXPECT_FALSE(waiting->wait(std::chrono::milliseconds(500)).has_value());
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait(std::chrono::seconds(20)).has_value());
  auto status = waiting->wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << read_file(dir_.path() / "err2");
}

TEST_F(LmpRunTest, ASignalWhileWaitingForAUnitEndsLmpRunWithoutRunningTheCommand) {
  auto holder = start_long_command();
  auto marker = dir_.path() / "ran";
  ChildProcess waiting(lmp_run({"/bin/sh", "-c", "touch '" + marker.string() + "'"},
                               {"--user", "someone-else", "--wait", "120"}),
                       dir_.path() / "out2", dir_.path() / "err2");
  EXPECT_FALSE(waiting.wait(std::chrono::milliseconds(500)).has_value());
  waiting.signal(SIGTERM);
  // Well before its 120 s wait would end.
  auto status = waiting.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 128 + SIGTERM);
  EXPECT_NE(read_file(dir_.path() / "err2").find("before COMMAND started"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_EQ(used(), 1);  // the holder's unit only
}

TEST_F(LmpRunTest, TheUnitIsHeldAgainAfterTheServerRestarts) {
  auto child = start_long_command();
  auto err_has = [&](const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (read_file(dir_.path() / "err").find(needle) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return read_file(dir_.path() / "err").find(needle) != std::string::npos;
  };
  lmpd_.kill_hard();
  ASSERT_TRUE(err_has("warning: the license unit is not confirmed (unreachable)"));
  lmpd_.start();
  ASSERT_TRUE(err_has("the license unit is held again")) << read_file(dir_.path() / "err");
  EXPECT_EQ(used(), 1);
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait(std::chrono::seconds(20)).has_value());
  EXPECT_EQ(used(), 0);
}

TEST_F(LmpRunTest, StatusesWhenTheCommandCannotRun) {
  auto missing = run_command(lmp_run({"/no/such/command"}));
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.err.find("cannot run /no/such/command"), std::string::npos) << missing.err;
  EXPECT_EQ(used(), 0);

  auto usage = run_command({LMP_RUN_BINARY, "--server", lmpd_.address(), "--", "/bin/true"});
  EXPECT_EQ(usage.exit_code, 64);
  EXPECT_NE(usage.err.find("--code is required"), std::string::npos) << usage.err;
  EXPECT_EQ(run_command({LMP_RUN_BINARY, "--bogus", "1", "--", "/bin/true"}).exit_code, 64);
  EXPECT_EQ(run_command({LMP_RUN_BINARY, "--server", "h:0", "--code", "c", "--", "x"}).exit_code,
            64);

  auto unreachable =
      run_command({LMP_RUN_BINARY, "--server", "127.0.0.1:" + std::to_string(unused_port()),
                   "--code", code_, "--", "/bin/true"});
  EXPECT_EQ(unreachable.exit_code, 75);
  EXPECT_NE(unreachable.err.find("no server answered"), std::string::npos) << unreachable.err;

  auto refused = run_command({LMP_RUN_BINARY, "--server", lmpd_.address(), "--code",
                              "12345-12345-12345-12345", "--", "/bin/true"});
  EXPECT_EQ(refused.exit_code, 77);
  EXPECT_NE(refused.err.find("invalid_code"), std::string::npos) << refused.err;
}

// What help2man and a bug report ask for: the program's version and the library's it runs on.
TEST(LmpRunVersionTest, PrintsItsVersionAndTheLibrarysWithoutAServer) {
  auto version = run_command({LMP_RUN_BINARY, "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_TRUE(version.out.starts_with("lmp-run ")) << version.out;
  EXPECT_NE(version.out.find(" (liblmpclient "), std::string::npos) << version.out;
}

TEST(LmpRunTlsTest, RunsOverTlsAndRefusesAServerItCannotVerify) {
  TempDir dir;
  TestCa ca(dir.path(), "lmpd");
  auto server = ca.issue("server", "lmpd.test", 100);
  LmpdInstance lmpd(dir.path(), "      certificate: " + server.certificate.string() +
                                    "\n      private_key: " + server.key.string() + "\n");
  auto code = lmpd.create_license(1);
  lmpd.start();
  auto run = [&](const std::string& ca_file) {
    return run_command({LMP_RUN_BINARY, "--tls", "--ca", ca_file, "--server", lmpd.address(),
                        "--code", code, "--", "/bin/sh", "-c", "echo held; exit 4"});
  };
  auto r = run(ca.certificate().string());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "held\n");
  EXPECT_EQ(lmpd.units_in_use(code), 0);

  TestCa other(dir.path(), "other");
  auto refused = run(other.certificate().string());
  EXPECT_EQ(refused.exit_code, 75);
  EXPECT_NE(refused.err.find("certificate verify failed"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.out, "");

  auto bad = run_command({LMP_RUN_BINARY, "--ca", ca.certificate().string(), "--server",
                          lmpd.address(), "--code", code, "--", "true"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("tls://"), std::string::npos) << bad.err;
  auto lone_cert = run_command({LMP_RUN_BINARY, "--tls", "--cert", server.certificate.string(),
                                "--server", lmpd.address(), "--code", code, "--", "true"});
  EXPECT_EQ(lone_cert.exit_code, 64);
  EXPECT_NE(lone_cert.err.find("--cert and --key go together"), std::string::npos) << lone_cert.err;
}

// --offline needs no server: the command runs when the stored token checks, and does not run
// (with the documented status) when nothing is borrowed or the token does not check.
TEST(LmpRunOfflineTest, RunsTheCommandOnlyWhenTheStoredTokenChecks) {
  TempDir dir;
  TokenSigner signer("k1");
  auto keys = dir.path() / "keys.json";
  std::ofstream(keys) << jwk_set({signer.jwk()});
  BorrowClaims claims;
  claims.iat = std::time(nullptr) - 60;
  claims.exp = std::time(nullptr) + 86400;
  auto token = dir.path() / "cad.token";
  auto store = [&](const BorrowClaims& c) { std::ofstream(token) << signer.token(c) << "\n"; };
  auto offline = [&](const std::string& host, std::vector<std::string> more = {}) {
    std::vector<std::string> argv = {LMP_RUN_BINARY, "--offline",   "--token", token.string(),
                                     "--keys",       keys.string(), "--host",  host};
    argv.insert(argv.end(), more.begin(), more.end());
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", "echo ran; exit 5"});
    return run_command(argv);
  };

  auto nothing = offline("laptop-7");
  EXPECT_EQ(nothing.exit_code, 69) << nothing.err;
  EXPECT_NE(nothing.err.find("not_borrowed"), std::string::npos) << nothing.err;
  EXPECT_EQ(nothing.out, "");

  store(claims);
  auto ran = offline("laptop-7");
  EXPECT_EQ(ran.exit_code, 5) << ran.err;
  EXPECT_EQ(ran.out, "ran\n");

  auto other_host = offline("laptop-8");
  EXPECT_EQ(other_host.exit_code, 77);
  EXPECT_NE(other_host.err.find("token_other_host"), std::string::npos) << other_host.err;
  EXPECT_EQ(other_host.out, "");

  claims.exp = std::time(nullptr) - 1;
  store(claims);
  auto expired = offline("laptop-7");
  EXPECT_EQ(expired.exit_code, 77);
  EXPECT_NE(expired.err.find("token_expired"), std::string::npos) << expired.err;
  EXPECT_EQ(expired.out, "");

  std::ofstream(token) << "garbage\n";
  EXPECT_EQ(offline("laptop-7").exit_code, 77);

  // The default place: $XDG_STATE_HOME/lmp/borrowed-PRODUCT.token.
  claims.exp = std::time(nullptr) + 86400;
  std::filesystem::create_directories(dir.path() / "state/lmp");
  std::ofstream(dir.path() / "state/lmp/borrowed-cad.token") << signer.token(claims) << "\n";
  auto by_default = run_command({LMP_RUN_BINARY, "--offline", "--product", "cad", "--keys",
                                 keys.string(), "--host", "laptop-7", "--", "/bin/true"},
                                {"XDG_STATE_HOME=" + (dir.path() / "state").string()});
  EXPECT_EQ(by_default.exit_code, 0) << by_default.err;
}

TEST(LmpRunOfflineTest, BorrowingOptionsAreCheckedBeforeAnythingIsDone) {
  auto usage = [](std::vector<std::string> argv) {
    argv.insert(argv.begin(), LMP_RUN_BINARY);
    return run_command(argv);
  };
  auto no_keys = usage({"--borrow", "3", "--server", "127.0.0.1:1", "--code", "c", "--", "true"});
  EXPECT_EQ(no_keys.exit_code, 64);
  EXPECT_NE(no_keys.err.find("--borrow needs --keys-url"), std::string::npos) << no_keys.err;
  EXPECT_EQ(usage({"--borrow", "0", "--server", "h", "--code", "c", "--keys", "k", "--", "true"})
                .exit_code,
            64);
  EXPECT_EQ(usage({"--borrow", "3", "--offline", "--keys", "k", "--", "true"}).exit_code, 64);
  EXPECT_EQ(usage({"--return", "--server", "h", "--", "true"}).exit_code, 64);
  EXPECT_EQ(usage({"--offline"}).exit_code, 64);
  EXPECT_EQ(usage({"--server", "h", "--code", "c", "--token", "t", "--", "true"}).exit_code, 64);
  EXPECT_EQ(usage({"--offline", "--keys-url", "ftp://x", "--token", "t", "--", "true"}).exit_code,
            64);
}

}  // namespace
}  // namespace lmp::test
