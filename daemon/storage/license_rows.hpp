// The SQL of the rows that both the seat store (`lmpd admin`, tests) and the domain store (the
// admin API) create or read: customers, licenses and the product lifecycle rows. Included only by
// daemon/storage/*.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/seat_store.hpp"

namespace soci {
class session;
}

namespace lmp::storage {

std::optional<std::int64_t> find_customer_id(soci::session& sql, const std::string& name);

// Throws DuplicateError when the name exists. Without an owner the customer goes under the
// parent account (none before `lmpd admin init`; the first run adopts it then).
std::int64_t insert_customer(soci::session& sql, const std::string& name, std::int64_t now_ms,
                             std::optional<std::int64_t> owner_id);

// Throws DuplicateError when the code hash exists. Moves the license generation, so the seat
// path's cache sees the new license in its next transaction.
std::int64_t insert_license(soci::session& sql, const NewLicense& license);

// Every row of product_lifecycle, by product code.
std::vector<StoredLifecycle> read_product_lifecycles(soci::session& sql);

}  // namespace lmp::storage
