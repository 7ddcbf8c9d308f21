// The JSON form of accounts, customers, users and audit records: what the admin API answers and
// what the audit log keeps as "before" and "after", so both always show the same fields.
#pragma once

#include <set>
#include <string>

#include "storage/domain_store.hpp"

namespace boost::json {
class object;
}

namespace lmp::domain {

// Times are Unix seconds, as everywhere in the API.
boost::json::object account_json(const storage::Account& account,
                                 const std::set<std::string>& permissions);
boost::json::object customer_json(const storage::Customer& customer);
boost::json::object user_json(const storage::User& user);
boost::json::object audit_json(const storage::AuditRecord& record);
// A new license as the audit log records it: never its activation code or the code's hash.
boost::json::object license_json(std::int64_t id, const storage::NewLicense& license);
boost::json::object plan_json(const storage::ServicePlan& plan);
// A key as lists show it: its hint, never its text or hash.
boost::json::object key_json(const storage::RegistrationKey& key);
boost::json::object pool_json(const storage::PartnerPool& pool);

// Compact JSON text of an object, for the audit log's before/after columns.
std::string to_text(const boost::json::object& object);

}  // namespace lmp::domain
