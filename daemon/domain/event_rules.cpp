// The events a license's dates and a product's lifecycle raise, and when.
#include "domain/event_rules.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"

namespace lmp::domain {
namespace {

namespace json = boost::json;

bool in_window(std::int64_t due_ms, std::int64_t after_ms, std::int64_t until_ms) {
  return due_ms > after_ms && due_ms <= until_ms;
}

}  // namespace

NewEvent license_event(const License& license, std::string_view type, std::int64_t until_ms,
                       json::object extra, std::int64_t keyed_expiry_ms) {
  json::object payload{{"license", license.id},
                       {"customer", license.customer_id},
                       {"customer_name", license.customer_name},
                       {"product", license.product_code},
                       {"units", license.units},
                       {"expires", license.expires_at_ms / 1000},
                       {"grace_until", (license.expires_at_ms + license.grace_ms) / 1000},
                       {"auto_renew", license.auto_renew}};
  for (auto& field : extra) payload.insert_or_assign(field.key(), field.value());
  NewEvent event;
  event.type = std::string(type);
  event.at_ms = until_ms;
  event.scope = license.scope;
  event.payload_json = to_text(payload);
  event.dedupe_key = "license:" + std::to_string(license.id) + ":" + std::string(type) + ":" +
                     std::to_string(keyed_expiry_ms);
  return event;
}

std::vector<NewEvent> license_events(const License& license, std::int64_t after_ms,
                                     std::int64_t until_ms) {
  std::vector<NewEvent> out;
  if (license.cut_off_at_ms) return out;
  const std::int64_t expires = license.expires_at_ms;
  if (license.notice_days > 0 && until_ms < expires &&
      in_window(expires - license.notice_days * kDayMs, after_ms, until_ms)) {
    const std::int64_t days_left = (expires - until_ms + kDayMs - 1) / kDayMs;
    out.push_back(license_event(license, event_type::kLicenseExpiring, until_ms,
                                {{"notice_days", license.notice_days}, {"days_left", days_left}},
                                expires));
  }
  if (license.grace_ms > 0 && in_window(expires, after_ms, until_ms))
    out.push_back(license_event(license, event_type::kLicenseGraceEntered, until_ms, {}, expires));
  if (in_window(expires + license.grace_ms, after_ms, until_ms))
    out.push_back(license_event(license, event_type::kLicenseExpired, until_ms, {}, expires));
  return out;
}

std::vector<NewEvent> product_events(const std::string& code, const ProductLifecycle& lifecycle,
                                     const std::string& scope, std::int64_t until_ms) {
  std::vector<NewEvent> out;
  auto approaching = [&](std::string_view type, std::string_view field,
                         const std::optional<std::int64_t>& date) {
    // Due kProductNoticeMs before the date; a date set closer than that is due at once, so this
    // looks at every date still ahead, whatever the window (a few products: the key that the
    // outbox already holds stops a second event). The key names the date: a moved date is told
    // again.
    if (!date || *date <= until_ms) return;
    if (*date - kProductNoticeMs > until_ms) return;
    NewEvent event;
    event.type = std::string(type);
    event.at_ms = until_ms;
    event.scope = scope;
    event.payload_json =
        to_text(json::object{{"product", code},
                             {field, *date / 1000},
                             {"days_left", (*date - until_ms + kDayMs - 1) / kDayMs}});
    event.dedupe_key = "product:" + code + ":" + std::string(type) + ":" + std::to_string(*date);
    out.push_back(std::move(event));
  };
  approaching(event_type::kProductEndOfSaleApproaching, "end_of_sale", lifecycle.end_of_sale_ms);
  approaching(event_type::kProductEndOfLifeApproaching, "end_of_life", lifecycle.end_of_life_ms);
  return out;
}

}  // namespace lmp::domain
