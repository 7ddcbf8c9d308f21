// Grouping licenses and leases by product and license, and printing the result.
#include "site_status.hpp"

#include <map>
#include <string>
#include <vector>

#include "render.hpp"

namespace lmpctl {
namespace json = boost::json;

namespace {

const std::vector<std::string_view> kHolderColumns = {
    "id", "user", "host", "peer", "units", "checked_out", "last_heartbeat", "expires"};

std::int64_t integer_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_int64() ? value->get_int64() : 0;
}

json::value field_or_null(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? *value : json::value(nullptr);
}

std::string text_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::size_t stop = end == std::string::npos ? text.size() : end + 1;
    out += indent + text.substr(start, stop - start);
    start = stop;
  }
  return out;
}

}  // namespace

json::object site_status(const json::array& licenses, const json::array& leases) {
  struct License {
    json::object entry;
    json::array holders;
  };
  // product -> license id -> its entry
  std::map<std::string, std::map<std::int64_t, License>> products;
  for (const auto& item : licenses) {
    if (!item.is_object()) continue;
    const auto& l = item.get_object();
    json::object entry{
        {"license", integer_at(l, "id")},     {"customer", field_or_null(l, "customer")},
        {"state", field_or_null(l, "state")}, {"units", field_or_null(l, "units")},
        {"unit", field_or_null(l, "unit")},   {"used", integer_at(l, "used")},
        {"waiting", integer_at(l, "waiting")}};
    products[text_at(l, "product")][integer_at(l, "id")].entry = std::move(entry);
  }
  for (const auto& item : leases) {
    if (!item.is_object()) continue;
    const auto& lease = item.get_object();
    const std::int64_t id = integer_at(lease, "license");
    License& license = products[text_at(lease, "product")][id];
    if (license.entry.empty())
      license.entry = {{"license", id},     {"customer", field_or_null(lease, "customer")},
                       {"state", nullptr},  {"units", nullptr},
                       {"unit", nullptr},   {"used", nullptr},
                       {"waiting", nullptr}};
    license.holders.push_back(lease);
  }
  json::array out;
  for (auto& [code, by_id] : products) {
    std::int64_t units = 0, used = 0, waiting = 0;
    json::array items;
    for (auto& [id, license] : by_id) {
      units += integer_at(license.entry, "units");
      used += integer_at(license.entry, "used");
      waiting += integer_at(license.entry, "waiting");
      license.entry["holders"] = std::move(license.holders);
      items.push_back(std::move(license.entry));
    }
    out.push_back(json::object{{"product", code},
                               {"licenses", static_cast<std::int64_t>(items.size())},
                               {"units", units},
                               {"used", used},
                               {"waiting", waiting},
                               {"items", std::move(items)}});
  }
  return {{"products", std::move(out)}};
}

void print_site_status(const json::object& status, std::ostream& out) {
  const auto& products = status.at("products").as_array();
  if (products.empty()) out << "no licenses\n";
  for (const auto& p : products) {
    const auto& product = p.as_object();
    out << cell_text("product", product.at("product")) << ": " << integer_at(product, "licenses")
        << " license(s), " << integer_at(product, "units") << " units, "
        << integer_at(product, "used") << " in use, " << integer_at(product, "waiting")
        << " waiting\n";
    for (const auto& item : product.at("items").as_array()) {
      const auto& license = item.as_object();
      out << "  license " << integer_at(license, "license") << " (customer "
          << cell_text("customer", license.at("customer")) << ", "
          << cell_text("state", license.at("state"))
          << "): " << cell_text("units", license.at("units")) << " "
          << cell_text("unit", license.at("unit")) << ", " << cell_text("used", license.at("used"))
          << " in use, " << cell_text("waiting", license.at("waiting")) << " waiting\n";
      const auto& holders = license.at("holders").as_array();
      if (!holders.empty()) out << indented(render_items(holders, kHolderColumns), "    ");
    }
  }
}

}  // namespace lmpctl
