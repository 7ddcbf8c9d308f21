// Lowercase hex, the text form in which lmpd writes digests, random ids and keyed values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp {

// `bytes` as lowercase hex (2 characters a byte). Thread-safe.
std::string to_hex(std::string_view bytes);

// The bytes of lowercase hex `text`; nullopt when it has odd length or another character.
std::optional<std::string> from_hex(std::string_view text);

}  // namespace lmp
