// The changes `lmpd admin` makes to customers and licenses, each with its audit record in the
// same transaction, so that the audit log covers the command line as it covers the API. The
// actor of these records is "cli": whoever can write the database file.
#pragma once

#include <cstdint>
#include <string>

#include "domain/audit_record.hpp"
#include "domain/customer.hpp"
#include "domain/fresh_code.hpp"
#include "domain/license.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// REQUIRES: inside the unit of work's write transaction. Throws DuplicateError for a taken name.
Customer create_customer_from_cli(UnitOfWork& db, const std::string& name, std::int64_t now_ms);

// REQUIRES: inside the unit of work's write transaction. Throws DuplicateError for a code hash that
// exists (the caller draws another code). The record never holds the code or its hash.
CodedLicense create_license_from_cli(UnitOfWork& db, const Customer& customer,
                                     const NewLicense& license, std::int64_t now_ms);

// The audit record of a change by `lmpd admin`.
AuditRecord cli_record(std::int64_t now_ms, std::string action, std::string object,
                       std::string scope, std::string after_json);

}  // namespace lmp::domain
