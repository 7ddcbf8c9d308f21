// Calendar dates (YYYY-MM-DD, UTC) to and from Unix time, for the command line and the docs'
// notion of a license's start and end day; and a moment as ISO 8601 UTC text for messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::calendar {

// Unix seconds of UTC midnight starting the date; nullopt unless `text` is a real date written
// exactly as YYYY-MM-DD.
std::optional<std::int64_t> parse_date(std::string_view text);
// A moment as a person or a script writes it, as Unix seconds: Unix seconds (digits only), a
// date YYYY-MM-DD (its UTC midnight), or an ISO 8601 UTC date and time YYYY-MM-DDTHH:MM[:SS]
// with an optional "Z". nullopt for anything else, other UTC offsets included: both command
// lines (lmpctl and `lmpd admin`) and the admin API read times through this one rule.
std::optional<std::int64_t> parse_time(std::string_view text);
// "YYYY-MM-DD" of the UTC day containing `unix_seconds`.
std::string format_date(std::int64_t unix_seconds);
// "YYYY-MM-DDTHH:MM:SSZ" (ISO 8601, UTC) of `unix_seconds`: how a message names a moment, since
// a raw Unix time means nothing to the person reading it.
std::string format_utc(std::int64_t unix_seconds);

}  // namespace lmp::calendar
