// Writing, replacing and checking the markdown settings tables made from kSettings.
#include "config/settings_doc.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace lmp::config {

namespace {

constexpr std::string_view kBlockStart = "<!-- settings: ";
constexpr std::string_view kBlockEnd = "<!-- /settings -->";
constexpr std::array<std::string_view, 5> kColumns = {"key", "type", "range", "default",
                                                      "what it does"};

std::string code(std::string_view text) {
  return "`" + std::string(text) + "`";
}

std::string_view type_name(SettingType type) {
  switch (type) {
    case SettingType::integer:
      return "integer";
    case SettingType::boolean:
      return "boolean";
    case SettingType::text:
      return "string";
    case SettingType::path:
      return "path";
    case SettingType::path_list:
      return "list of paths";
    case SettingType::key_list:
      return "list of keys";
    case SettingType::address:
      return "address";
    case SettingType::choice:
      return "choice";
  }
  return "";
}

std::string range_text(const Setting& s) {
  if (!s.range_note.empty()) return std::string(s.range_note);
  switch (s.type) {
    case SettingType::integer:
      return std::to_string(s.min) + " to " + std::to_string(s.max);
    case SettingType::boolean:
      return "`true` or `false`";
    case SettingType::text:
      return "non-empty";
    case SettingType::path:
      return "relative to the config file's folder";
    case SettingType::path_list:
      return "each relative to the config file's folder, each once";
    case SettingType::key_list:
      return "each an Ed25519 JWK (with `kid`) or PEM public key";
    case SettingType::address:
      return "IPv4 or IPv6";
    case SettingType::choice: {
      std::string text;
      for (std::size_t i = 0; i < s.choices.size(); ++i) {
        if (i > 0) text += i + 1 == s.choices.size() ? " or " : ", ";
        text += code(s.choices[i]);
      }
      return text;
    }
  }
  return "";
}

std::string default_text(const Setting& s) {
  if (s.default_value.empty()) return std::string(s.default_note);
  std::string text = code(s.default_value);
  if (!s.default_note.empty()) text += " " + std::string(s.default_note);
  return text;
}

std::string row(const std::array<std::string, 5>& cells) {
  std::string line = "|";
  for (const auto& cell : cells) line += " " + cell + " |";
  return line;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto lf = text.find('\n');
    lines.push_back(text.substr(0, lf));
    if (lf == std::string_view::npos) break;
    text.remove_prefix(lf + 1);
  }
  return lines;
}

// The cells of a markdown table row, trimmed; nullopt when the line is not a row.
std::optional<std::vector<std::string>> cells_of(std::string_view line) {
  if (!line.starts_with('|')) return std::nullopt;
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The groups in the order of kSettings.
std::vector<std::string_view> groups() {
  std::vector<std::string_view> found;
  for (const Setting& s : kSettings)
    if (std::find(found.begin(), found.end(), group_of(s)) == found.end())
      found.push_back(group_of(s));
  return found;
}

// The group a block-start line opens, or nullopt.
std::optional<std::string_view> block_group(std::string_view line) {
  if (!line.starts_with(kBlockStart) || !line.ends_with(" -->")) return std::nullopt;
  line.remove_prefix(kBlockStart.size());
  line.remove_suffix(4);
  return line;
}

}  // namespace

std::string_view group_of(const Setting& setting) {
  if (setting.key.find(".tls.") != std::string_view::npos) return "tls";
  return setting.key.substr(0, setting.key.find('.'));
}

std::array<std::string, 5> row_cells(const Setting& s) {
  return {code(s.key), std::string(type_name(s.type)), range_text(s), default_text(s),
          std::string(s.doc)};
}

std::vector<std::string> table_lines(std::string_view group) {
  std::array<std::string, 5> header, separator;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    header[i] = std::string(kColumns[i]);
    separator[i] = "---";
  }
  std::vector<std::string> lines = {row(header), row(separator)};
  for (const Setting& s : kSettings)
    if (group_of(s) == group) lines.push_back(row(row_cells(s)));
  return lines;
}

std::string update_settings_tables(std::string_view document) {
  std::string out;
  std::optional<std::string_view> open;
  for (std::string_view line : lines_of(document)) {
    if (open) {
      if (line != kBlockEnd) continue;  // the old table
      // Blank lines around the table, so that markdown does not take it for part of the comment.
      out += "\n";
      for (const auto& table_line : table_lines(*open)) out += table_line + "\n";
      out += "\n";
      open.reset();
    } else {
      open = block_group(line);
    }
    out += std::string(line) + "\n";
  }
  if (!document.ends_with('\n') && !out.empty()) out.pop_back();
  return out;
}

std::vector<std::string> check_settings_tables(std::string_view document,
                                               std::string_view file_name) {
  struct DocumentRow {
    std::size_t line;
    std::vector<std::string> cells;
  };
  std::vector<std::string> problems;
  auto at = [&](std::size_t line) { return std::string(file_name) + ":" + std::to_string(line); };
  std::map<std::string, std::vector<DocumentRow>, std::less<>> blocks;  // by group
  std::map<std::string, std::size_t, std::less<>> block_lines;
  std::optional<std::string> open;
  const auto lines = lines_of(document);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t number = i + 1;
    if (!open) {
      if (auto group = block_group(lines[i])) {
        open = std::string(*group);
        if (!block_lines.emplace(*open, number).second)
          problems.push_back(at(number) + ": a second settings block for '" + *open + "'");
      }
      continue;
    }
    if (lines[i] == kBlockEnd) {
      open.reset();
      continue;
    }
    auto cells = cells_of(lines[i]);
    if (cells) blocks[*open].push_back({number, std::move(*cells)});
  }
  if (open)
    problems.push_back(std::string(file_name) + ": the settings block for '" + *open + "' has no " +
                       std::string(kBlockEnd));
  for (std::string_view group : groups()) {
    auto block = blocks.find(group);
    const auto block_line = block_lines.find(group);
    if (block_line == block_lines.end()) {
      problems.push_back(std::string(file_name) + ": no settings block for '" + std::string(group) +
                         "' (" + std::string(kBlockStart) + std::string(group) + " -->)");
      continue;
    }
    std::vector<DocumentRow> rows =
        block == blocks.end() ? std::vector<DocumentRow>{} : std::move(block->second);
    // The header and the separator come first.
    const std::size_t header_rows = std::min<std::size_t>(rows.size(), 2);
    if (rows.empty() || rows[0].cells != std::vector<std::string>(kColumns.begin(), kColumns.end()))
      problems.push_back(at(block_line->second) + ": the '" + std::string(group) +
                         "' table must start with the header | key | type | range | default | "
                         "what it does |");
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(header_rows));
    // Rows of keys kSettings does not have in this group; the rest must follow its order.
    std::erase_if(rows, [&](const DocumentRow& r) {
      const bool known =
          std::any_of(std::begin(kSettings), std::end(kSettings), [&](const Setting& s) {
            return group_of(s) == group && !r.cells.empty() && r.cells[0] == code(s.key);
          });
      if (!known)
        problems.push_back(at(r.line) + ": row " + (r.cells.empty() ? "" : r.cells[0]) +
                           " is not in the '" + std::string(group) +
                           "' group of kSettings (config/settings_table.hpp)");
      return !known;
    });
    std::size_t expected_index = 0;
    for (const Setting& s : kSettings) {
      if (group_of(s) != group) continue;
      const auto expected = row_cells(s);
      auto found = std::find_if(rows.begin(), rows.end(),
                                [&](const DocumentRow& r) { return r.cells[0] == expected[0]; });
      if (found == rows.end()) {
        problems.push_back(at(block_line->second) + ": no row for " + expected[0] + " in the '" +
                           std::string(group) + "' table");
        continue;
      }
      if (found - rows.begin() != static_cast<std::ptrdiff_t>(expected_index))
        problems.push_back(at(found->line) + ": row " + expected[0] +
                           " is out of place; the table follows kSettings' order");
      ++expected_index;
      for (std::size_t column = 1; column < expected.size(); ++column) {
        const std::string written = column < found->cells.size() ? found->cells[column] : "";
        if (written != expected[column])
          problems.push_back(at(found->line) + ": row " + expected[0] + ": " +
                             std::string(kColumns[column]) + " is '" + written +
                             "', kSettings says '" + expected[column] + "'");
      }
    }
  }
  const auto all_groups = groups();
  for (const auto& [group, line] : block_lines)
    if (std::find(all_groups.begin(), all_groups.end(), group) == all_groups.end())
      problems.push_back(at(line) + ": no settings belong to the group '" + group + "'");
  return problems;
}

}  // namespace lmp::config
