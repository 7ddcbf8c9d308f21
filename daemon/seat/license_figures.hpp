// What the licenses add up to per product for the metrics: the units of the licenses that serve
// now and the nearest expiry among them (docs/operations.md, "Metrics").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lmp::storage {
struct LicenseRecord;
}  // namespace lmp::storage

namespace lmp::seat {

struct LicensedProduct {
  std::int64_t units = 0;  // of the licenses that serve (active, expiring or in grace)
  std::optional<std::int64_t> nearest_expiry_ms;  // the earliest expiry among them
};

// By product, the licenses of `licenses` that serve when judged at `license_now_ms` (each no
// earlier than its own clock mark, as the seat path judges it); products with none are left out.
std::map<std::string, LicensedProduct> licensed_by_product(
    const std::vector<storage::LicenseRecord>& licenses, std::int64_t license_now_ms);

}  // namespace lmp::seat
