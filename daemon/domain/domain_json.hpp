// The JSON form of accounts, customers, users and audit records: what the admin API answers and
// what the audit log keeps as "before" and "after", so both always show the same fields.
#pragma once

#include <set>
#include <string>

#include "domain/account.hpp"
#include "domain/audit_record.hpp"
#include "domain/customer.hpp"
#include "domain/license.hpp"
#include "domain/partner_pool.hpp"
#include "domain/registration_key.hpp"
#include "domain/service_plan.hpp"
#include "domain/user.hpp"

namespace boost::json {
class object;
}

namespace lmp::domain {

// Times are Unix seconds, as everywhere in the API.
boost::json::object account_json(const Account& account, const std::set<std::string>& permissions);
boost::json::object customer_json(const Customer& customer);
boost::json::object user_json(const User& user);
boost::json::object audit_json(const AuditRecord& record);
// A new license as the audit log records it: never its activation code or the code's hash.
boost::json::object license_json(std::int64_t id, const NewLicense& license);
boost::json::object plan_json(const ServicePlan& plan);
// A key as lists show it: its hint, never its text or hash.
boost::json::object key_json(const RegistrationKey& key);
boost::json::object pool_json(const PartnerPool& pool);

// Compact JSON text of an object, for the audit log's before/after columns.
std::string to_text(const boost::json::object& object);

}  // namespace lmp::domain
