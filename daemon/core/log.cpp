// Structured logging to stderr.
#include "core/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace lmp::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<Prefix> g_prefix{Prefix::none};
std::mutex g_mutex;

// sd-daemon(3)'s priorities: LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR.
const char* syslog_priority(Level level) {
  switch (level) {
    case Level::debug:
      return "<7>";
    case Level::info:
      return "<6>";
    case Level::warning:
      return "<4>";
    case Level::error:
      return "<3>";
  }
  return "<6>";
}

void append_time(std::string& line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "time=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.count()));
  line.append(text);
}

const char* level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warning:
      return "warning";
    case Level::error:
      return "error";
  }
  return "info";
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void append_value(std::string& line, std::string_view value) {
  if (!needs_quotes(value)) {
    line.append(value);
    return;
  }
  line.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') {
      line.push_back('\\');
      line.push_back(c);
    } else if (c == '\n') {
      line.append("\\n");
    } else if (static_cast<unsigned char>(c) < 0x20) {
      line.push_back('?');
    } else {
      line.push_back(c);
    }
  }
  line.push_back('"');
}

}  // namespace

Prefix detect_prefix() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(STDERR_FILENO, &st) != 0) return Prefix::time;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return Prefix::time;
  return device == static_cast<unsigned long long>(st.st_dev) &&
                 inode == static_cast<unsigned long long>(st.st_ino)
             ? Prefix::syslog_priority
             : Prefix::time;
}

void set_prefix(Prefix prefix) {
  g_prefix.store(prefix);
}

void set_level(Level level) {
  g_level.store(static_cast<int>(level));
}
Level level() {
  return static_cast<Level>(g_level.load());
}

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug")
    out = Level::debug;
  else if (text == "info")
    out = Level::info;
  else if (text == "warning")
    out = Level::warning;
  else if (text == "error")
    out = Level::error;
  else
    return false;
  return true;
}

void write(Level lvl, std::string_view event, std::span<const Field> fields) {
  if (static_cast<int>(lvl) < g_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(160);
  switch (g_prefix.load(std::memory_order_relaxed)) {
    case Prefix::none:
      break;
    case Prefix::time:
      append_time(line);
      break;
    case Prefix::syslog_priority:
      line.append(syslog_priority(lvl));
      break;
  }
  line.append("level=").append(level_name(lvl)).append(" event=").append(event);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line.append(key).push_back('=');
    append_value(line, value);
  }
  line.push_back('\n');
  std::lock_guard lock(g_mutex);
  // One write(2) per line keeps lines whole even when several processes share stderr.
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0) break;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace lmp::log
