// The seat error table against the documents clients are written against: every code of
// docs/protocol.md's error table is one SeatError and back, and each error's HTTP status is the
// one docs/admin-api.md lists for it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "domain/seat_error.hpp"

namespace lmp::domain {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(LMP_SOURCE_DIR) + "/docs/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines of the section that starts with `heading` up to the next heading of its level.
std::vector<std::string> section(const std::string& doc, const std::string& heading) {
  std::vector<std::string> lines;
  std::istringstream in(doc);
  std::string line;
  bool inside = false;
  const std::string level = heading.substr(0, heading.find(' ') + 1);
  while (std::getline(in, line)) {
    if (line == heading) {
      inside = true;
      continue;
    }
    if (inside && line.rfind(level, 0) == 0) break;
    if (inside) lines.push_back(line);
  }
  return lines;
}

std::set<std::string> backticked(const std::string& text) {
  std::set<std::string> out;
  static const std::regex code("`([a-z_]+)`");
  for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

TEST(SeatError, EveryCodeOfTheProtocolDocumentIsOneSeatError) {
  std::set<std::string> documented;
  for (const auto& line : section(read_doc("protocol.md"), "## Errors")) {
    if (line.rfind("| `", 0) != 0) continue;
    // The first column only: the second may name other codes in passing.
    for (const auto& code : backticked(line.substr(0, line.find('|', 1)))) documented.insert(code);
  }
  std::set<std::string> in_table;
  for (const auto& row : kSeatErrors) in_table.insert(std::string(row.wire));
  EXPECT_EQ(documented, in_table);
}

TEST(SeatError, HttpStatusesAreTheAdminApiDocuments) {
  // status -> the seat codes of its row (the part before the admin API's own codes).
  std::map<int, std::set<std::string>> documented;
  static const std::regex row(R"(^\| (\d{3}) \| (.*)\|$)");
  for (const auto& line : section(read_doc("admin-api.md"), "### Status codes")) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const std::string cells = m[2];
    documented[std::stoi(m[1])] = backticked(cells.substr(0, cells.find("admin API:")));
  }
  for (const auto& info : kSeatErrors) {
    // Sent by the seat listener only, never by an HTTP route.
    if (info.error == SeatError::unknown_verb || info.error == SeatError::line_too_long ||
        info.error == SeatError::unsupported_proto)
      continue;
    EXPECT_EQ(documented[info.http_status].count(std::string(info.wire)), 1U)
        << info.wire << " is not documented with status " << info.http_status;
  }
}

TEST(SeatError, OnlyInvalidCodeChargesTheBudgetAndOnlyRateLimitedCarriesRetryAfter) {
  for (const auto& info : kSeatErrors) {
    EXPECT_EQ(info.charges_invalid_code_budget, info.error == SeatError::invalid_code) << info.wire;
    EXPECT_EQ(info.retry_after, info.error == SeatError::rate_limited) << info.wire;
  }
}

TEST(SeatError, FamilyDenialsMapToTheirCodes) {
  EXPECT_EQ(seat_error_of(sdk::Denial::no_seats), SeatError::no_seats);
  EXPECT_EQ(seat_error_of(sdk::Denial::bad_request), SeatError::bad_request);
  EXPECT_EQ(seat_error_of(sdk::Denial::product_not_licensed), SeatError::product_not_licensed);
  // A denial without a reason breaks the plugin contract.
  EXPECT_EQ(seat_error_of(sdk::Denial::none), SeatError::internal);
  EXPECT_EQ(seat_error_of(static_cast<sdk::Denial>(200)), SeatError::internal);
}

}  // namespace
}  // namespace lmp::domain
