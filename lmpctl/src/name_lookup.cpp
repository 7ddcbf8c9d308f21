// Looking names up in the API's lists: where each kind of object is listed, which field is its
// name and which its id.
#include "name_lookup.hpp"

#include <boost/json/value.hpp>
#include <charconv>
#include <string_view>

namespace lmpctl {
namespace json = boost::json;

namespace {

struct Listing {
  std::string_view what;  // for messages
  std::string_view path;  // the list that holds them
  std::string_view id;    // the field a name is replaced by
};

Listing listing_of(Names what) {
  switch (what) {
    case Names::customer:
      return {"customer", "/v1/customers", "id"};
    case Names::partner:
      return {"partner", "/v1/partners", "id"};
    case Names::user:
      // The caller's own users: those of another account or customer are named by id.
      return {"user", "/v1/users", "id"};
    case Names::plan:
      return {"plan", "/v1/plans", "id"};
    case Names::product:
      return {"product", "/v1/products", "code"};
    case Names::nothing:
      break;
  }
  return {};
}

bool is_id(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && value > 0;
}

std::string text_of(const json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_int64()) return std::to_string(value.get_int64());
  return {};
}

}  // namespace

std::string resolve_name(Names what, const std::string& text, const ListAll& list_all) {
  if (what == Names::nothing) return text;
  // An id is taken as it is: a name that is all digits must be given by its id.
  if (what != Names::product && is_id(text)) return text;
  const Listing listing = listing_of(what);
  const json::array items = list_all(std::string(listing.path));
  std::vector<std::string> found;
  for (const auto& item : items) {
    if (!item.is_object()) continue;
    const auto& object = item.get_object();
    const auto* id = object.if_contains(listing.id);
    if (id == nullptr) continue;
    // A product's code is its id: given as it is, it is not looked up by name.
    if (what == Names::product && text_of(*id) == text) return text;
    const auto* name = object.if_contains("name");
    if (name != nullptr && name->is_string() && name->get_string() == text)
      found.push_back(text_of(*id));
  }
  if (found.size() == 1) return found.front();
  // A product the list does not show (past its End of Life) is the API's to answer for.
  if (found.empty() && what == Names::product) return text;
  if (found.empty())
    throw UsageError("no " + std::string(listing.what) + " named '" + text +
                     "' among those the token sees (" + std::string(listing.path) + ")");
  std::string ids;
  for (const auto& id : found) ids += (ids.empty() ? "" : ", ") + id;
  throw UsageError(std::string(listing.what) + " name '" + text + "' is ambiguous: ids " + ids +
                   "; give the id");
}

void resolve_names(CommandLine& line, const ListAll& list_all) {
  for (const auto& param : line.command->params) {
    if (param.names == Names::nothing) continue;
    auto found = line.values.find(param.name);
    if (found == line.values.end()) continue;
    for (auto& value : found->second) value = resolve_name(param.names, value, list_all);
  }
}

}  // namespace lmpctl
