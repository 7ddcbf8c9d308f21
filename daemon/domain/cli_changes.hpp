// The changes `lmpd admin` makes to customers and licenses, each with its audit record in the
// same transaction, so that the audit log covers the command line as it covers the API. The
// actor of these records is "cli": whoever can write the database file.
#pragma once

#include <cstdint>
#include <string>

#include "storage/domain_store.hpp"

namespace lmp::domain {

// REQUIRES: inside the store's write transaction. Throws DuplicateError for a taken name.
storage::Customer create_customer_from_cli(storage::DomainStore& store, const std::string& name,
                                           std::int64_t now_ms);

// REQUIRES: inside the store's write transaction. Throws DuplicateError for a code hash that
// exists (the caller draws another code). The record never holds the code or its hash.
std::int64_t create_license_from_cli(storage::DomainStore& store, const storage::Customer& customer,
                                     const storage::NewLicense& license, std::int64_t now_ms);

// The audit record of a change by `lmpd admin`.
storage::AuditRecord cli_record(std::int64_t now_ms, std::string action, std::string object,
                                std::string scope, std::string after_json);

}  // namespace lmp::domain
