// Usage reports over HTTP (docs/admin-api.md, usage reports): the query read into the report
// operation (domain/usage_reports.hpp), the rows written as JSON or as RFC 4180 CSV.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "domain/denial_report.hpp"
#include "domain/usage_reports.hpp"
#include "http/admin_call.hpp"
#include "http/csv.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

// The key columns each group names, in the order the CSV writes them.
std::vector<std::string> key_columns(std::string_view group) {
  if (group == "license") return {"license", "product", "customer", "partner"};
  if (group == "customer") return {"customer", "partner"};
  return {std::string(group)};
}

// An id, or "" (CSV) / null (JSON) when none.
std::string id_text(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : std::string();
}
json::value id_json(const std::optional<std::int64_t>& id) {
  return id ? json::value(*id) : json::value(nullptr);
}

std::string key_text(const domain::UsageKey& key, std::string_view column) {
  if (column == "license") return id_text(key.license_id);
  if (column == "product") return key.product;
  if (column == "customer") return id_text(key.customer_id);
  if (column == "partner") return id_text(key.account_id);
  if (column == "user") return key.user;
  return key.host;
}
json::value key_json(const domain::UsageKey& key, std::string_view column) {
  if (column == "license") return id_json(key.license_id);
  if (column == "customer") return id_json(key.customer_id);
  if (column == "partner") return id_json(key.account_id);
  return json::value(key_text(key, column));
}

// Three decimals: unit-hours and average units to the unit-second and better.
double rounded(double value) {
  return std::round(value * 1000.0) / 1000.0;
}
std::string decimal(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  return buf;
}

// ISO 8601 UTC ("2026-12-01T00:00:00Z"): what spreadsheets read as a time.
std::string iso_time(std::int64_t ms) {
  using namespace std::chrono;
  const sys_seconds at{seconds(ms / 1000)};
  const auto day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss time{at - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

bool wants_csv(const AdminCall& call) {
  if (auto format = call.query("format")) {
    if (*format == "csv") return true;
    if (*format == "json") return false;
    throw bad_request("format must be json or csv");
  }
  const auto* accept = call.request.header("accept");
  return accept != nullptr && accept->find("text/csv") != std::string::npos;
}

std::string csv_of(const std::vector<domain::UsageRow>& rows, std::string_view group) {
  const auto keys = key_columns(group);
  std::vector<std::string> header = keys;
  for (const char* column :
       {"from", "to", "peak_units", "unit_hours", "average_units", "checkouts", "users", "hosts"})
    header.emplace_back(column);
  std::string out;
  append_csv_record(out, header);
  std::vector<std::string> fields;
  for (const auto& row : rows) {
    fields.clear();
    for (const auto& key : keys) fields.push_back(key_text(row.key, key));
    fields.push_back(iso_time(row.from_ms));
    fields.push_back(iso_time(row.to_ms));
    fields.push_back(std::to_string(row.peak_units));
    fields.push_back(decimal(row.unit_hours()));
    fields.push_back(decimal(row.average_units()));
    fields.push_back(std::to_string(row.checkouts));
    fields.push_back(std::to_string(row.users));
    fields.push_back(std::to_string(row.hosts));
    append_csv_record(out, fields);
  }
  return out;
}

// The range and the filters every report reads the same way.
template <class Query>
void read_range_and_filters(const AdminCall& call, Query& query) {
  query.from_ms = call.query_time_ms("from");
  query.to_ms = call.query_time_ms("to");
  query.license_id = call.query_id("license");
  query.customer_id = call.query_id("customer");
  query.account_id = call.query_id("partner");
  query.product = call.query("product").value_or("");
}

// Answers `body` as a CSV report; the route returns nullptr.
void answer_csv(AdminCall& call, std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  response.content_type = "text/csv; charset=utf-8; header=present";
  call.answer = std::move(response);
}

json::value usage_report(AdminCall& call) {
  domain::UsageReportQuery query;
  read_range_and_filters(call, query);
  query.group = call.query("group").value_or("license");
  query.period = call.query("period").value_or("all");
  const bool csv = wants_csv(call);
  const auto rows = domain::usage_report(call.context(), query);
  if (csv) {
    answer_csv(call, csv_of(rows, query.group));
    return nullptr;
  }
  const auto keys = key_columns(query.group);
  json::array items;
  for (const auto& row : rows) {
    json::object item;
    for (const auto& key : keys) item[key] = key_json(row.key, key);
    item["from"] = row.from_ms / 1000;
    item["to"] = row.to_ms / 1000;
    item["peak_units"] = row.peak_units;
    item["unit_hours"] = rounded(row.unit_hours());
    item["average_units"] = rounded(row.average_units());
    item["checkouts"] = row.checkouts;
    item["users"] = row.users;
    item["hosts"] = row.hosts;
    items.emplace_back(std::move(item));
  }
  json::object out;
  out["group"] = query.group;
  out["period"] = query.period;
  out["from"] = *query.from_ms / 1000;
  out["to"] = query.to_ms.value_or(call.now_ms) / 1000;
  out["items"] = std::move(items);
  return out;
}

// The denials report (docs/admin-api.md, "Denials"): a row per distinct value of the fields
// counted by, each field a column as in the usage report.
std::string denial_text(const domain::DenialKey& key, domain::DenialField field) {
  using F = domain::DenialField;
  switch (field) {
    case F::product:
      return key.product;
    case F::user:
      return key.user;
    case F::host:
      return key.host;
    case F::code:
      return key.code;
    case F::license:
      return id_text(key.license_id);
    case F::customer:
      return id_text(key.customer_id);
    case F::partner:
      return id_text(key.account_id);
  }
  return {};
}
json::value denial_json(const domain::DenialKey& key, domain::DenialField field) {
  using F = domain::DenialField;
  if (field == F::license) return id_json(key.license_id);
  if (field == F::customer) return id_json(key.customer_id);
  if (field == F::partner) return id_json(key.account_id);
  return json::value(denial_text(key, field));
}

std::string denials_csv(const domain::DenialReport& report) {
  std::vector<std::string> fields;
  for (auto field : report.by) fields.emplace_back(domain::to_string(field));
  for (const char* column : {"denials", "units", "first", "last"}) fields.emplace_back(column);
  std::string out;
  append_csv_record(out, fields);
  for (const auto& row : report.rows) {
    fields.clear();
    for (auto field : report.by) fields.push_back(denial_text(row.key, field));
    fields.push_back(std::to_string(row.denials));
    fields.push_back(std::to_string(row.units));
    fields.push_back(iso_time(row.first_ms));
    fields.push_back(iso_time(row.last_ms));
    append_csv_record(out, fields);
  }
  return out;
}

json::value denials_report(AdminCall& call) {
  domain::DenialReportQuery query;
  read_range_and_filters(call, query);
  query.group = call.query("group").value_or(query.group);
  const bool csv = wants_csv(call);
  const auto report = domain::denial_report(call.context(), query);
  if (csv) {
    answer_csv(call, denials_csv(report));
    return nullptr;
  }
  json::array group;
  for (auto field : report.by) group.emplace_back(domain::to_string(field));
  json::array items;
  for (const auto& row : report.rows) {
    json::object item;
    for (auto field : report.by) item[domain::to_string(field)] = denial_json(row.key, field);
    item["denials"] = row.denials;
    item["units"] = row.units;
    item["first"] = row.first_ms / 1000;
    item["last"] = row.last_ms / 1000;
    items.emplace_back(std::move(item));
  }
  json::object out;
  out["group"] = std::move(group);
  out["from"] = report.from_ms / 1000;
  out["to"] = report.to_ms / 1000;
  out["items"] = std::move(items);
  return out;
}

}  // namespace

void add_usage_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/usage", Mode::read, usage_report);
  routes.add("GET", "/v1/usage/denials", Mode::read, denials_report);
}

}  // namespace lmp::http
