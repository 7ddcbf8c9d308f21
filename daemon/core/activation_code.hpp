// Activation codes: 20 digits shown as four groups of five joined by '-', the last digit a Damm
// check digit over the first 19, so typos are caught before the code is looked up.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::activation_code {

inline constexpr std::size_t kDigits = 20;

// A fresh code in normalized form (20 digits, no separators), drawn from the kernel CSPRNG.
std::string generate();

// "12345678901234567890" -> "12345-67890-12345-67890". REQUIRES: `normalized` is 20 digits
// (anything else throws std::invalid_argument, so a bad code is never shown as if it were one).
std::string format(std::string_view normalized);

// The normalized form of a code as a person typed it: '-' and ' ' are dropped anywhere; any other
// byte, a digit count other than 20 or a wrong check digit gives nullopt.
std::optional<std::string> normalize(std::string_view input);

}  // namespace lmp::activation_code
