// The denials report: the caller's scope, the fields and the range, then the count.
#include "domain/denial_report.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "domain/domain_error.hpp"
#include "domain/license_view.hpp"

namespace lmp::domain {

namespace {

constexpr std::array<std::pair<DenialField, std::string_view>, 7> kFields = {{
    {DenialField::product, "product"},
    {DenialField::user, "user"},
    {DenialField::host, "host"},
    {DenialField::code, "code"},
    {DenialField::license, "license"},
    {DenialField::customer, "customer"},
    {DenialField::partner, "partner"},
}};

std::vector<DenialField> fields_of(std::string_view group) {
  std::vector<DenialField> out;
  while (!group.empty()) {
    const auto comma = group.find(',');
    const auto name = group.substr(0, comma);
    const auto field = denial_field_named(name);
    if (!field)
      throw bad_request(
          "group must name fields among product, user, host, code, license, "
          "customer and partner, comma separated; not \"" +
          std::string(name) + "\"");
    if (std::find(out.begin(), out.end(), *field) != out.end())
      throw bad_request("group names " + std::string(name) + " twice");
    out.push_back(*field);
    if (comma == std::string_view::npos) break;
    group.remove_prefix(comma + 1);
    if (group.empty()) throw bad_request("group ends with a comma");
  }
  return out;
}

}  // namespace

std::optional<DenialField> denial_field_named(std::string_view name) {
  for (const auto& [field, spelled] : kFields)
    if (spelled == name) return field;
  return std::nullopt;
}

std::string_view to_string(DenialField field) {
  for (const auto& [each, spelled] : kFields)
    if (each == field) return spelled;
  return {};
}

DenialReport denial_report(const Context& ctx, const DenialReportQuery& query) {
  // Whoever may view a license may see who was turned away from it.
  const auto view = license_view(ctx, query.customer_id, query.account_id);
  DenialReport report;
  report.by = fields_of(query.group);
  if (!query.from_ms) throw bad_request("from is required");
  report.from_ms = *query.from_ms;
  report.to_ms = query.to_ms.value_or(ctx.now_ms);
  if (report.to_ms <= report.from_ms) throw bad_request("to must be after from");
  if (!view) return report;

  DenialCount count;
  count.filter.scope_prefix = view->scope_prefix;
  count.filter.customer_id = view->customer_id;
  count.filter.license_id = query.license_id;
  count.filter.product = query.product;
  count.from_ms = report.from_ms;
  count.to_ms = report.to_ms;
  count.by = report.by;
  // One more than allowed tells a report that is too large from one that just fits.
  count.limit = kMaxDenialRows + 1;
  report.rows = ctx.db.denials().count(count);
  if (report.rows.size() > kMaxDenialRows)
    throw bad_request("the report has more than " + std::to_string(kMaxDenialRows) +
                      " rows; narrow its range or count by fewer fields");
  return report;
}

}  // namespace lmp::domain
