// Inserting a license with a newly drawn activation code: the one loop that license creation and
// key redemption share.
#pragma once

#include <cstdint>
#include <string>

#include "domain/license.hpp"
#include "domain/license_repository.hpp"

namespace lmp::domain {

struct CodedLicense {
  std::int64_t id = 0;
  std::string code;  // the 20 digits, unformatted; shown once, never stored
};

// Draws a code, sets `license.code_hash` and inserts it, drawing again on DuplicateError (a clash
// of 10^19 codes: several in a row mean something else is wrong, so the fifth is rethrown).
// REQUIRES: inside the unit of work's write transaction.
CodedLicense insert_with_fresh_code(LicenseRepository& licenses, NewLicense license);

}  // namespace lmp::domain
