// The bounds of what a request may ask for, the same through every interface.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lmp::domain {

inline constexpr std::int64_t kMaxUnits = 1000000;         // of one license or key
inline constexpr std::int64_t kMaxDays = 36500;            // a period, a grace, a notice
inline constexpr std::int64_t kMaxKeyBatch = 1000;         // keys issued by one call
inline constexpr std::int64_t kMaxPoolUnits = 1000000000;  // assigned to one partner pool
inline constexpr std::size_t kMaxNameBytes = 200;          // of every name and text field
// 9999-12-31T23:59:59Z: the latest time a request may name.
inline constexpr std::int64_t kLatestMs = 253402300799000;

}  // namespace lmp::domain
