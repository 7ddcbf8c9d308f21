// Structured logging to stderr.
#include "core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <mutex>

namespace lmp::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mutex;

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
  line.reserve(128);
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
