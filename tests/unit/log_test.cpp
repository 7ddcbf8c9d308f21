// The log line's prefix: the syslog priority when stderr is the journal's stream (so that
// `journalctl -p err` finds lmpd's errors), the time elsewhere, nothing for the tests' own use.
#include "core/log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <string>

namespace lmp::log {
namespace {

class LogPrefixTest : public ::testing::Test {
 protected:
  ~LogPrefixTest() override {
    set_prefix(Prefix::none);
    ::unsetenv("JOURNAL_STREAM");
  }
  static std::string logged(Level level, std::string_view event) {
    ::testing::internal::CaptureStderr();
    write(level, event, {{"key", "a value"}});
    return ::testing::internal::GetCapturedStderr();
  }
};

TEST_F(LogPrefixTest, UnderSystemdEachLineStartsWithItsSyslogPriority) {
  set_prefix(Prefix::syslog_priority);
  EXPECT_EQ(logged(Level::error, "e"), "<3>level=error event=e key=\"a value\"\n");
  EXPECT_EQ(logged(Level::warning, "w"), "<4>level=warning event=w key=\"a value\"\n");
  EXPECT_EQ(logged(Level::info, "i"), "<6>level=info event=i key=\"a value\"\n");
}

TEST_F(LogPrefixTest, ElsewhereEachLineStartsWithTheTime) {
  set_prefix(Prefix::time);
  const std::string line = logged(Level::warning, "w");
  EXPECT_TRUE(std::regex_match(
      line,
      std::regex(
          R"(time=20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warning event=w key="a value"\n)")))
      << line;
}

TEST_F(LogPrefixTest, ThePriorityIsDetectedOnlyWhenStderrIsTheJournalStream) {
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(detect_prefix(), Prefix::time);
  struct stat st {};
  ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
  const std::string device = std::to_string(st.st_dev);
  const std::string inode = std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", (device + ":" + inode).c_str(), 1);
  EXPECT_EQ(detect_prefix(), Prefix::syslog_priority);
  // Inherited from a service that started this one with stderr elsewhere: not the journal.
  ::setenv("JOURNAL_STREAM", (device + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
  EXPECT_EQ(detect_prefix(), Prefix::time);
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_EQ(detect_prefix(), Prefix::time);
}

}  // namespace
}  // namespace lmp::log
