// The denials report (domain spec, "Usage records and reports"): who was turned away and how
// often, from the denial usage records of a time range, counted by product, user, host, error
// code (and license, customer, partner), scoped to what the caller may see.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/context.hpp"
#include "domain/denial_repository.hpp"

namespace lmp::domain {

// Every filter narrows; none widens the caller's view.
struct DenialReportQuery {
  std::optional<std::int64_t> from_ms;  // required
  std::optional<std::int64_t> to_ms;    // default: now
  std::string group = "product,code";   // fields, comma separated (denial_field_named)
  std::optional<std::int64_t> license_id;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> account_id;
  std::string product;
};

struct DenialReport {
  std::vector<DenialField> by;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::vector<DenialRow> rows;
};

// "product", "user", "host", "code", "license", "customer", "partner"; nullopt otherwise.
std::optional<DenialField> denial_field_named(std::string_view name);
std::string_view to_string(DenialField field);

// At most this many rows: beyond them bad_request (narrow the range or the fields).
inline constexpr std::size_t kMaxDenialRows = 100'000;

// The denials of [from, to) over the records of the licenses the caller may see (as
// usage_report). bad_request for an unknown or repeated field, a missing or empty range, too many
// rows.
DenialReport denial_report(const Context& ctx, const DenialReportQuery& query);

}  // namespace lmp::domain
