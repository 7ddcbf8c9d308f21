// SHA-256 for fingerprints and for storing secrets (API keys, tokens) as digests only.
#pragma once

#include <string>
#include <string_view>

namespace lmp {

// The SHA-256 digest of `data` as 64 lowercase hex characters. Thread-safe.
std::string sha256_hex(std::string_view data);

}  // namespace lmp
