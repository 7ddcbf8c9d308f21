// Bearer tokens of the admin API: drawn from the kernel CSPRNG, shown once, stored as a SHA-256
// digest only.
#pragma once

#include <string>
#include <string_view>

namespace lmp::domain {

// "lmp_" and 40 hex digits: 160 random bits. The prefix makes a leaked token easy to spot
// (secret scanners, logs).
std::string new_token();
// The digest stored and looked up in place of the token.
std::string token_hash(std::string_view token);

}  // namespace lmp::domain
