// Branding: how an account presents itself to the customers below it. An account with
// modify_branding sets its own; every caller reads the branding in force for it, each field
// taken from the nearest account on its way up the tree that set it.
#include <algorithm>
#include <cctype>

#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

using Field = std::string domain::Branding::*;

struct BrandingField {
  std::string_view name;
  Field member;
};

constexpr BrandingField kFields[] = {
    {"display_name", &domain::Branding::display_name},
    {"support_email", &domain::Branding::support_email},
    {"support_url", &domain::Branding::support_url},
    {"logo_url", &domain::Branding::logo_url},
    {"primary_color", &domain::Branding::primary_color},
};

bool is_hex_color(const std::string& text) {
  return text.size() == 7 && text[0] == '#' &&
         std::all_of(text.begin() + 1, text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bool is_web_url(const std::string& text) {
  return (text.starts_with("https://") || text.starts_with("http://")) &&
         text.find_first_of(" \t\r\n\"<>") == std::string::npos;
}

bool is_email(const std::string& text) {
  const auto at = text.find('@');
  return at != std::string::npos && at > 0 && at + 1 < text.size() &&
         text.find('@', at + 1) == std::string::npos &&
         text.find_first_of(" \t\r\n\"<>") == std::string::npos;
}

// The caller's place for reading: its own account, or the account its customer is under.
std::string home_path(const AdminCall& call) {
  if (call.caller.account) return call.caller.account->path;
  return call.caller.customer->owner_path;
}

json::value effective_branding(AdminCall& call) {
  auto accounts = call.db.accounts().on_path(home_path(call));
  // Nearest first: the longest path is the caller's own account.
  std::sort(accounts.begin(), accounts.end(),
            [](const auto& a, const auto& b) { return a.path.size() > b.path.size(); });
  json::object out;
  json::object from;
  for (const auto& field : kFields) {
    out[field.name] = "";
    from[field.name] = nullptr;
  }
  for (const auto& account : accounts) {
    auto branding = call.db.branding().find(account.id);
    if (!branding) continue;
    for (const auto& field : kFields) {
      const std::string& value = (*branding).*field.member;
      if (value.empty() || !from[field.name].is_null()) continue;
      out[field.name] = value;
      from[field.name] = account.id;
    }
  }
  out["from"] = std::move(from);
  return out;
}

json::value set_branding(AdminCall& call) {
  if (!call.caller.account) throw forbidden("branding belongs to the parent and partner accounts");
  call.require(domain::kModifyBranding);
  domain::Branding next;
  next.account_id = call.caller.account->id;
  next.updated_at_ms = call.now_ms;
  for (const auto& field : kFields)
    next.*field.member = call.optional_text(field.name).value_or("");
  if (!next.primary_color.empty() && !is_hex_color(next.primary_color))
    throw bad_request("primary_color must be #RRGGBB");
  for (const auto* url : {&next.support_url, &next.logo_url})
    if (!url->empty() && !is_web_url(*url))
      throw bad_request("support_url and logo_url must be http:// or https:// URLs");
  if (!next.support_email.empty() && !is_email(next.support_email))
    throw bad_request("support_email must be an e-mail address");
  auto before = call.db.branding().find(next.account_id);
  call.db.branding().set(next);
  auto after = domain::branding_json(next);
  call.audit("branding.update", "account:" + std::to_string(next.account_id),
             call.caller.account->path,
             before ? domain::to_text(domain::branding_json(*before)) : std::string(),
             domain::to_text(after));
  return after;
}

}  // namespace

void add_branding_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/branding", Mode::read, effective_branding);
  routes.add("PUT", "/v1/branding", Mode::write, set_branding);
}

}  // namespace lmp::http
