// base64url without padding (RFC 4648 section 5, as JOSE uses it, RFC 7515 section 2), over
// OpenSSL's base64 codec.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp::client {

std::string encode_base64url(std::string_view bytes);

// The bytes, or nullopt for anything but the canonical unpadded encoding of some bytes: a
// character outside the alphabet, padding, a length no encoding has, or unused bits not zero.
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace lmp::client
