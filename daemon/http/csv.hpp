// CSV text as RFC 4180 writes it, for the reports the admin API answers in CSV.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lmp::http {

// Appends one record to `out`: the fields separated by commas, a field quoted (its quotes
// doubled) when it holds a comma, a quote, CR or LF, and the record ended by CRLF.
void append_csv_record(std::string& out, const std::vector<std::string>& fields);

// The field quoted as append_csv_record would write it.
std::string csv_field(std::string_view field);

}  // namespace lmp::http
