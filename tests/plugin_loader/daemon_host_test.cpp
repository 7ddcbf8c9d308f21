// DaemonHost: the clock plugins see is the daemon's injected clock, and plugin log lines land in
// the daemon's log under a "plugin_" event.
#include "plugin/daemon_host.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace lmp::plugin {
namespace {

class LogLevelGuard {
 public:
  explicit LogLevelGuard(log::Level level) : saved_(log::level()) { log::set_level(level); }
  ~LogLevelGuard() { log::set_level(saved_); }
  LogLevelGuard(const LogLevelGuard&) = delete;
  LogLevelGuard& operator=(const LogLevelGuard&) = delete;

 private:
  log::Level saved_;
};

std::string logged(DaemonHost& host, sdk::LogLevel level, std::string_view event,
                   std::string_view message) {
  ::testing::internal::CaptureStderr();
  host.log(level, event, message);
  return ::testing::internal::GetCapturedStderr();
}

TEST(DaemonHost, NowIsTheInjectedClock) {
  ManualClock clock(1'700'000'000'000);
  DaemonHost host(clock);
  sdk::Host& as_sdk = host;
  EXPECT_EQ(as_sdk.now_unix_ms(), 1'700'000'000'000);
  clock.advance_ms(90'000);
  EXPECT_EQ(as_sdk.now_unix_ms(), 1'700'000'090'000);
  clock.set_ms(5);
  EXPECT_EQ(as_sdk.now_unix_ms(), 5);
}

TEST(DaemonHost, LogsUnderPluginEvent) {
  LogLevelGuard level(log::Level::info);
  ManualClock clock(0);
  DaemonHost host(clock);
  EXPECT_EQ(logged(host, sdk::LogLevel::warning, "lease_odd", "holder came back"),
            "level=warning event=plugin_lease_odd message=\"holder came back\"\n");
  EXPECT_EQ(logged(host, sdk::LogLevel::error, "x", "ok"),
            "level=error event=plugin_x message=ok\n");
}

TEST(DaemonHost, EventNameCannotBreakTheLine) {
  LogLevelGuard level(log::Level::info);
  ManualClock clock(0);
  DaemonHost host(clock);
  EXPECT_EQ(logged(host, sdk::LogLevel::info, "bad event=Forged", "m"),
            "level=info event=plugin_bad_event__orged message=m\n");
  EXPECT_EQ(logged(host, sdk::LogLevel::info, "", "m"),
            "level=info event=plugin_event message=m\n");
}

TEST(DaemonHost, RespectsTheDaemonLogLevel) {
  ManualClock clock(0);
  DaemonHost host(clock);
  {
    LogLevelGuard level(log::Level::info);
    EXPECT_EQ(logged(host, sdk::LogLevel::debug, "chatty", "m"), "");
  }
  LogLevelGuard level(log::Level::debug);
  EXPECT_EQ(logged(host, sdk::LogLevel::debug, "chatty", "m"),
            "level=debug event=plugin_chatty message=m\n");
}

}  // namespace
}  // namespace lmp::plugin
