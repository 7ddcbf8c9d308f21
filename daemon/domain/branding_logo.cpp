// The logo's checks and the lookup of the one in force.
#include "domain/branding_logo.hpp"

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <cctype>
#include <string_view>

#include "core/sha256.hpp"
#include "core/unicode_text.hpp"
#include "domain/branding_settings.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"

namespace lmp::domain {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();)
    if (!unicode::next_code_point(text, i)) return false;
  return true;
}

// Whether `bytes` are an image of `type`: the format's signature, so that a file is never served
// under a type it is not (a browser told nosniff trusts the type).
bool of_type(std::string_view type, std::string_view bytes) {
  if (type == "image/png") return bytes.starts_with("\x89PNG\r\n\x1a\n");
  if (type == "image/jpeg") return bytes.starts_with("\xff\xd8\xff");
  if (type == "image/gif") return bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a");
  if (type == "image/webp")
    return bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP";
  if (type == "image/svg+xml") {
    if (!valid_utf8(bytes)) return false;
    const std::string text = lowercase(bytes);
    // Shown through <img> and served under a sandboxing policy, an SVG runs no script anyway;
    // one that carries some is refused all the same, as no logo needs it.
    return text.find("<svg") != std::string::npos && text.find("<script") == std::string::npos &&
           text.find("<foreignobject") == std::string::npos;
  }
  return false;
}

}  // namespace

BrandingLogo set_logo(const Context& ctx, std::string content_type, std::string bytes) {
  if (!ctx.caller.account) throw forbidden("branding belongs to the parent and partner accounts");
  ctx.require(kModifyBranding);
  constexpr std::array<std::string_view, 5> kTypes = {"image/png", "image/jpeg", "image/gif",
                                                      "image/webp", "image/svg+xml"};
  content_type = lowercase(content_type);
  if (std::find(kTypes.begin(), kTypes.end(), content_type) == kTypes.end())
    throw bad_request(
        "content_type must be image/png, image/jpeg, image/gif, image/webp or "
        "image/svg+xml");
  if (bytes.empty() || bytes.size() > kMaxLogoBytes)
    throw bad_request("the logo must have 1 to " + std::to_string(kMaxLogoBytes) + " bytes");
  if (!of_type(content_type, bytes))
    throw bad_request("the logo's bytes are not a " + content_type +
                      (content_type == "image/svg+xml" ? " without script" : std::string()));
  BrandingLogo logo{ctx.caller.account->id, content_type, std::move(bytes), {}, ctx.now_ms};
  logo.sha256 = sha256_hex(logo.bytes);
  const auto before = ctx.db.branding().find_logo(logo.account_id);
  ctx.db.branding().set_logo(logo);
  auto describe = [](const BrandingLogo& l) {
    return to_text(boost::json::object{
        {"content_type", l.content_type}, {"bytes", l.bytes.size()}, {"sha256", l.sha256}});
  };
  ctx.audit("branding.logo", "account:" + std::to_string(logo.account_id), ctx.caller.account->path,
            before ? describe(*before) : std::string(), describe(logo));
  return logo;
}

void remove_logo(const Context& ctx) {
  if (!ctx.caller.account) throw forbidden("branding belongs to the parent and partner accounts");
  ctx.require(kModifyBranding);
  const auto before = ctx.db.branding().find_logo(ctx.caller.account->id);
  if (!before) return;
  ctx.db.branding().remove_logo(before->account_id);
  ctx.audit("branding.logo_remove", "account:" + std::to_string(before->account_id),
            ctx.caller.account->path,
            to_text(boost::json::object{{"content_type", before->content_type},
                                        {"sha256", before->sha256}}),
            {});
}

std::optional<BrandingLogo> effective_logo(const Context& ctx) {
  for (const auto& account : branding_line(ctx))
    if (auto logo = ctx.db.branding().find_logo(account.id)) return logo;
  return std::nullopt;
}

}  // namespace lmp::domain
