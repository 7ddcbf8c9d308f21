// The Damm check digit, which guards activation codes: it catches every single-digit error and
// every swap of two adjacent digits, so mistyped codes are rejected before any lookup.
#pragma once

#include <string_view>

namespace lmp::damm {

// The digit that, appended to `digits`, makes the whole string valid. An empty string yields 0.
// REQUIRES: `digits` holds only '0'..'9'; anything else throws std::invalid_argument, because
// silently mapping a stray byte to some digit would make a corrupt code look checkable.
int check_digit(std::string_view digits);

// True when the last digit is the check digit of the ones before it. False for an empty string
// or one with any byte outside '0'..'9'.
bool is_valid(std::string_view digits_with_check);

}  // namespace lmp::damm
