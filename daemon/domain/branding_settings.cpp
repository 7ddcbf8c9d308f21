// The branding operations and the checks of their values.
#include "domain/branding_settings.hpp"
#include "domain/display_text.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <cctype>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/limits.hpp"
#include "domain/permissions.hpp"

namespace lmp::domain {
namespace {

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
std::string home_path(const Context& ctx) {
  if (ctx.caller.account) return ctx.caller.account->path;
  if (ctx.caller.customer) return ctx.caller.customer->owner_path;
  return ctx.caller.scope;
}

}  // namespace

std::vector<Account> branding_line(const Context& ctx) {
  auto accounts = ctx.db.accounts().on_path(home_path(ctx));
  // Nearest first: the longest path is the caller's own account.
  std::sort(accounts.begin(), accounts.end(),
            [](const auto& a, const auto& b) { return a.path.size() > b.path.size(); });
  return accounts;
}

EffectiveBranding effective_branding(const Context& ctx) {
  const auto accounts = branding_line(ctx);
  EffectiveBranding out;
  out.from.resize(std::size(kBrandingFields));
  for (const auto& account : accounts) {
    auto branding = ctx.db.branding().find(account.id);
    if (!branding) continue;
    for (std::size_t i = 0; i < std::size(kBrandingFields); ++i) {
      const std::string& value = (*branding).*kBrandingFields[i].member;
      if (value.empty() || out.from[i]) continue;
      out.values.*kBrandingFields[i].member = value;
      out.from[i] = account.id;
    }
  }
  return out;
}

Branding set_branding(const Context& ctx, Branding next) {
  if (!ctx.caller.account) throw forbidden("branding belongs to the parent and partner accounts");
  ctx.require(kModifyBranding);
  next.account_id = ctx.caller.account->id;
  next.updated_at_ms = ctx.now_ms;
  for (const auto& field : kBrandingFields)
    if ((next.*field.member).size() > kMaxNameBytes)
      throw bad_request(std::string(field.name) + " must have 1 to " +
                        std::to_string(kMaxNameBytes) + " bytes");
  for (const auto& field : kBrandingFields)
    if (auto problem = display_text_problem(next.*field.member))
      throw bad_request(std::string(field.name) + " " + *problem);
  if (!next.primary_color.empty() && !is_hex_color(next.primary_color))
    throw bad_request("primary_color must be #RRGGBB");
  for (const auto* url : {&next.support_url, &next.logo_url})
    if (!url->empty() && !is_web_url(*url))
      throw bad_request("support_url and logo_url must be http:// or https:// URLs");
  if (!next.support_email.empty() && !is_email(next.support_email))
    throw bad_request("support_email must be an e-mail address");
  auto before = ctx.db.branding().find(next.account_id);
  ctx.db.branding().set(next);
  ctx.audit("branding.update", "account:" + std::to_string(next.account_id),
            ctx.caller.account->path, before ? to_text(branding_json(*before)) : std::string(),
            to_text(branding_json(next)));
  return next;
}

}  // namespace lmp::domain
