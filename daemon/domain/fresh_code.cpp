// The draw-and-insert loop of domain/fresh_code.hpp.
#include "domain/fresh_code.hpp"

#include "core/activation_code.hpp"
#include "core/sha256.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

CodedLicense insert_with_fresh_code(LicenseRepository& licenses, NewLicense license) {
  for (int attempt = 0;; ++attempt) {
    CodedLicense out;
    out.code = activation_code::generate();
    license.code_hash = sha256_hex(out.code);
    try {
      out.id = licenses.create(license);
      return out;
    } catch (const DuplicateError&) {
      if (attempt >= 4) throw;
    }
  }
}

}  // namespace lmp::domain
