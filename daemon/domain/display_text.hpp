// Text that people read back (names of accounts, customers, users, plans; branding): valid UTF-8
// without control or bidirectional formatting characters, so that no name can break a log line,
// a table row or a terminal, or display as something it is not (U+202E turns "gpj.exe" around).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp::domain {

// Why `text` is not displayable text ("is not valid UTF-8", "contains the control character
// U+000A"...), or nullopt when it is. Refused: malformed or overlong UTF-8, surrogates, C0 and C1
// controls and DEL, and the bidirectional formatting characters (U+061C, U+200E, U+200F,
// U+202A to U+202E, U+2066 to U+2069).
std::optional<std::string> display_text_problem(std::string_view text);

}  // namespace lmp::domain
