// Inserting a license with a newly drawn activation code: the one loop that the command line,
// POST /v1/licenses and key redemption share.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "domain/license.hpp"

namespace lmp::domain {

struct CodedLicense {
  std::int64_t id = 0;
  std::string code;  // the 20 digits, unformatted; shown once, never stored
};

// Draws a code, sets `license.code_hash` and calls `insert`, drawing again when `insert` throws
// DuplicateError (a clash of 10^19 codes: several in a row mean something else is wrong, so the
// fifth is rethrown). REQUIRES: inside the unit of work's write transaction.
CodedLicense insert_with_fresh_code(NewLicense license,
                                    const std::function<std::int64_t(const NewLicense&)>& insert);

}  // namespace lmp::domain
