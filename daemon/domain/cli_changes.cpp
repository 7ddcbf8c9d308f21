// Command-line changes with their audit records.
#include "domain/cli_changes.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_json.hpp"
#include "domain/fresh_code.hpp"

namespace lmp::domain {

AuditRecord cli_record(std::int64_t now_ms, std::string action, std::string object,
                       std::string scope, std::string after_json) {
  AuditRecord record;
  record.at_ms = now_ms;
  record.actor_scope = "cli";
  record.scope = std::move(scope);
  record.action = std::move(action);
  record.object = std::move(object);
  record.after_json = std::move(after_json);
  return record;
}

Customer create_customer_from_cli(UnitOfWork& db, const std::string& name, std::int64_t now_ms) {
  auto customer = db.customers().create(name, nullptr, now_ms);
  db.audit().append(cli_record(now_ms, "customer.create", "customer:" + std::to_string(customer.id),
                               customer.scope(), to_text(customer_json(customer))));
  return customer;
}

CodedLicense create_license_from_cli(UnitOfWork& db, const Customer& customer,
                                     const NewLicense& license, std::int64_t now_ms) {
  const auto coded = insert_with_fresh_code(db.licenses(), license);
  db.audit().append(cli_record(now_ms, "license.create", "license:" + std::to_string(coded.id),
                               customer.scope(), to_text(new_license_json(coded.id, license))));
  return coded;
}

}  // namespace lmp::domain
