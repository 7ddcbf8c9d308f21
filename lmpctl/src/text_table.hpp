// Aligned plain-text tables and key/value lines for lmpctl's human-readable output.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace lmpctl {

// Columns separated by two spaces, each as wide as its widest cell (counted in UTF-8 code
// points); no trailing spaces. Every row has headers.size() cells.
std::string format_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows);

// "key  value" lines, the values aligned.
std::string format_key_values(const std::vector<std::pair<std::string, std::string>>& lines);

// Control characters (a newline in a name) would break the layout or drive the terminal, and
// bidirectional formatting characters (U+202E) would show a name as something it is not: each
// becomes '?', as does each byte that is not part of valid UTF-8.
std::string printable(std::string_view text);

}  // namespace lmpctl
