// Structured logging: one line per event, `level=... event=... key=value ...`, to stderr where
// journald picks it up. Event names are stable and documented; fields are key=value pairs.
// Under systemd each line starts with its syslog priority (`<3>` for errors, sd-daemon(3)), so
// `journalctl -p err` finds them; elsewhere with the time (`time=2026-12-06T12:00:00.123Z`).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace lmp::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };

using Field = std::pair<std::string_view, std::string_view>;

// What each line starts with: nothing (the default, for tests), the time, or the priority.
enum class Prefix { none, time, syslog_priority };

// syslog_priority when stderr is the journal's stream (JOURNAL_STREAM names its device and
// inode), else time. lmpd's main() sets the prefix to this once at startup.
Prefix detect_prefix();
void set_prefix(Prefix prefix);

void set_level(Level level);
Level level();
// Parses "debug", "info", "warning", "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);

// Thread-safe; each call writes one whole line. Values with spaces, quotes or '=' are quoted.
void write(Level level, std::string_view event, std::span<const Field> fields);
inline void write(Level level, std::string_view event, std::initializer_list<Field> fields = {}) {
  write(level, event, std::span<const Field>(fields.begin(), fields.size()));
}

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::info, event, fields);
}
inline void warning(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::warning, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::error, event, fields);
}

}  // namespace lmp::log
