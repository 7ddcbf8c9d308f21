// Pieces of the Prometheus text exposition format (version 0.0.4): headers, label pairs with
// their escaping, numbers. Metrics render themselves with these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lmp::metrics {

// The Content-Type a scrape answer carries.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, without colons, label name.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

// "# HELP name help\n# TYPE name type\n", with the help text escaped.
void append_header(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type);
// name="value" with backslash, double quote and line feed escaped; a comma first when `out`
// already holds a pair (out is the inside of the braces being built).
void append_label(std::string& out, std::string_view name, std::string_view value);
// "name{labels} value\n"; no braces when `labels` is empty.
void append_sample(std::string& out, std::string_view name, std::string_view labels,
                   std::string_view value);

std::string format_number(double value);  // shortest exact form; +Inf, -Inf, NaN
std::string format_number(std::uint64_t value);
std::string format_number(std::int64_t value);

}  // namespace lmp::metrics
