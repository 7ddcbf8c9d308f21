// The JSON form of the domain objects: what the admin API answers and what the audit log keeps as
// "before" and "after", so both always show the same fields (docs/admin-api.md shows each).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "domain/account.hpp"
#include "domain/audit_record.hpp"
#include "domain/branding.hpp"
#include "domain/customer.hpp"
#include "domain/event.hpp"
#include "domain/lease.hpp"
#include "domain/license.hpp"
#include "domain/partner_pool.hpp"
#include "domain/product.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/registration_key.hpp"
#include "domain/service_plan.hpp"
#include "domain/token.hpp"
#include "domain/user.hpp"
#include "domain/webhook.hpp"

namespace boost::json {
class object;
}

namespace lmp::domain {

// Times are Unix seconds, as everywhere in the API.
boost::json::object account_json(const Account& account, const std::set<std::string>& permissions);
boost::json::object customer_json(const Customer& customer);
boost::json::object user_json(const User& user);
// A token just issued, with its text (shown once); the audit log records token_record_json.
boost::json::object issued_token_json(const Token& token, const std::string& text);
boost::json::object token_record_json(const Token& token);
// A token as GET /v1/users/{id}/tokens lists it: never its text (only its hash is kept).
boost::json::object token_json(const Token& token);
boost::json::object audit_json(const AuditRecord& record);
// An event as the API lists it and a webhook receives it (docs/events.md).
boost::json::object event_json(const Event& event);
// A webhook (never its secret) with its deliveries counted, and one delivery's state.
boost::json::object webhook_json(const Webhook& webhook);
boost::json::object delivery_json(const WebhookDelivery& delivery);
// A license with its terms and its state at `now_ms`; never its activation code or its hash.
boost::json::object license_json(const License& license, std::int64_t now_ms);
// A live lease: its public reference as `id`, never the lease id the endpoint holds.
boost::json::object lease_json(const Lease& lease);
// A license as key redemption answers and records it: its id and main terms.
boost::json::object new_license_json(std::int64_t id, const NewLicense& license);
boost::json::object plan_json(const ServicePlan& plan);
// A key as lists show it: its hint, never its text or hash.
boost::json::object key_json(const RegistrationKey& key);
boost::json::object pool_json(const PartnerPool& pool);
boost::json::object product_json(const Product& product, const ProductLifecycle& lifecycle);
boost::json::object branding_json(const Branding& branding);

// Compact JSON text of an object, for the audit log's before/after columns.
std::string to_text(const boost::json::object& object);

}  // namespace lmp::domain
