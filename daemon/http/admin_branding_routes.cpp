// Branding over HTTP (docs/admin-api.md, branding): each route reads its JSON into the request of
// a domain operation (domain/branding_settings.hpp) and writes the answer.
#include <boost/json/object.hpp>

#include "core/base64url.hpp"
#include "domain/branding_logo.hpp"
#include "domain/branding_settings.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

json::value effective_branding(AdminCall& call) {
  const auto effective = domain::effective_branding(call.context());
  json::object out;
  json::object from;
  for (std::size_t i = 0; i < std::size(domain::kBrandingFields); ++i) {
    const auto& field = domain::kBrandingFields[i];
    out[field.name] = effective.values.*field.member;
    from[field.name] = effective.from[i] ? json::value(*effective.from[i]) : json::value(nullptr);
  }
  out["from"] = std::move(from);
  // The logo lmpd serves (GET /v1/branding/logo); `url` changes with its bytes, so a page that
  // shows it never keeps an old one.
  if (const auto logo = domain::effective_logo(call.context()))
    out["logo"] = json::object{{"url", "/v1/branding/logo?v=" + logo->sha256.substr(0, 16)},
                               {"content_type", logo->content_type},
                               {"bytes", logo->bytes.size()},
                               {"from", logo->account_id}};
  else
    out["logo"] = nullptr;
  return out;
}

// Base64 as `base64` writes it (RFC 4648 section 4, padded, maybe wrapped) or base64url.
std::string logo_bytes(const json::object& body) {
  const auto text = admin_request::optional_secret(body, "data");
  if (!text) throw bad_request("data is required (the image, base64)");
  std::string url;
  url.reserve(text->size());
  for (char c : *text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '=') continue;
    url += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  auto bytes = base64url_decode(url);
  if (!bytes) throw bad_request("data must be base64");
  return std::move(*bytes);
}

json::value set_logo(AdminCall& call) {
  const auto type = call.optional_text("content_type");
  if (!type) throw bad_request("content_type is required");
  const auto logo = domain::set_logo(call.context(), *type, logo_bytes(call.body));
  return json::object{{"content_type", logo.content_type},
                      {"bytes", logo.bytes.size()},
                      {"sha256", logo.sha256},
                      {"updated", logo.updated_at_ms / 1000}};
}

json::value remove_logo(AdminCall& call) {
  domain::remove_logo(call.context());
  return json::object{{"removed", true}};
}

// The image itself, for the console's <img> (same origin, so the session cookie goes with it).
// Never sniffed as another type, and an SVG opened on its own gets a policy that runs nothing.
json::value logo(AdminCall& call) {
  const auto found = domain::effective_logo(call.context());
  if (!found) throw domain::not_found("logo");
  HttpResponse image;
  image.body = found->bytes;
  image.content_type = found->content_type;
  image.header("X-Content-Type-Options", "nosniff")
      .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .header("Cache-Control", "private, no-cache")
      .header("ETag", "\"" + found->sha256 + "\"");
  call.answer = std::move(image);
  return nullptr;
}

json::value set_branding(AdminCall& call) {
  domain::Branding next;
  for (const auto& field : domain::kBrandingFields)
    next.*field.member = call.optional_text(field.name).value_or("");
  return domain::branding_json(domain::set_branding(call.context(), std::move(next)));
}

}  // namespace

void add_branding_routes(AdminRoutes& routes) {
  routes.add("GET", "/v1/branding", Mode::read, effective_branding);
  routes.add("PUT", "/v1/branding", Mode::write, set_branding);
  routes.add("GET", "/v1/branding/logo", Mode::read, logo);
  routes.add("PUT", "/v1/branding/logo", Mode::write, set_logo);
  routes.add("DELETE", "/v1/branding/logo", Mode::write, remove_logo);
}

}  // namespace lmp::http
