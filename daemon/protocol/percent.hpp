// Percent-encoding of field values on the seat protocol (%HH stands for one byte).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp::protocol {

// Replaces each %HH (either hex case) by its byte; other bytes pass through unchanged. nullopt
// when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view in);

// Appends `in` to `out`, writing '%', space, '=' and every byte below 0x21 or above 0x7E as %HH
// with uppercase hex, so the result is a valid protocol value (when `in` is not empty).
void percent_encode_append(std::string& out, std::string_view in);

}  // namespace lmp::protocol
