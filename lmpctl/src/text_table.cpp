// Column widths and padding for text tables.
#include "text_table.hpp"

#include <algorithm>

#include "core/unicode_text.hpp"

namespace lmpctl {

namespace {

std::size_t width(std::string_view text) {
  // Continuation bytes (10xxxxxx) do not start a code point.
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void append_row(std::string& out, const std::vector<std::string>& cells,
                const std::vector<std::size_t>& widths) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out += cells[i];
    if (i + 1 < cells.size()) out.append(widths[i] - width(cells[i]) + 2, ' ');
  }
  out += '\n';
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t from = i;
    const auto cp = lmp::unicode::next_code_point(text, i);
    if (!cp) {
      out += '?';  // a byte that starts no valid character
      ++i;
    } else if (lmp::unicode::is_control(*cp) || lmp::unicode::is_bidi_format(*cp)) {
      out += '?';
    } else {
      out.append(text.substr(from, i - from));
    }
  }
  return out;
}

std::string format_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& header : headers) widths.push_back(width(header));
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], width(row[i]));
  std::string out;
  append_row(out, headers, widths);
  for (const auto& row : rows) append_row(out, row, widths);
  return out;
}

std::string format_key_values(const std::vector<std::pair<std::string, std::string>>& lines) {
  std::size_t key_width = 0;
  for (const auto& [key, value] : lines) key_width = std::max(key_width, width(key));
  std::string out;
  for (const auto& [key, value] : lines) {
    out += key;
    out.append(key_width - width(key) + 2, ' ');
    out += value + "\n";
  }
  return out;
}

}  // namespace lmpctl
