// The settings tables of docs/configuration.md, made from kSettings (settings_table.hpp): how
// they are written, how a document's tables are replaced with fresh ones, and how a document is
// checked against the declaration row by row. Used by the lmp_settings_docs tool and the tests.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings_table.hpp"

namespace lmp::config {

// In a document, a group's table stands between `<!-- settings: GROUP -->` and
// `<!-- /settings -->` lines. A setting's group is "tls" for listeners.*.tls.*, else the first
// part of its key ("limits").
std::string_view group_of(const Setting& setting);

// The cells of a setting's row: key, type, range, default, what it does.
std::array<std::string, 5> row_cells(const Setting& setting);

// The markdown table of `group` (header, separator, one row per setting), one line each.
std::vector<std::string> table_lines(std::string_view group);

// `document` with the table of each settings block replaced by table_lines(its group).
std::string update_settings_tables(std::string_view document);

// Where the settings tables of `document` disagree with kSettings: a missing, extra or
// misplaced row, or a cell (type, range, default, doc) that differs, each message naming
// `file_name`, the line and the key. Empty when they agree and every group has its block.
std::vector<std::string> check_settings_tables(std::string_view document,
                                               std::string_view file_name);

}  // namespace lmp::config
