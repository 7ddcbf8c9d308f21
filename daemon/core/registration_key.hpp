// Registration keys: a two-letter product prefix and 16 characters shown as PP-XXXX-XXXX-XXXX-XXXX,
// from an alphabet without look-alikes, the last character a check character over the other 17.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmp::registration_key {

// 31 symbols: the digits 2-9 and the letters A-Z without I, L and O. 0/O and 1/I/L are the pairs
// people misread on paper and in sans-serif fonts; 31 is prime, so the check below is arithmetic
// in a field, which is what makes its guarantees provable.
inline constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kPrefixChars = 2;
inline constexpr std::size_t kPayloadChars = 16;  // the last one is the check character
inline constexpr std::size_t kChars = kPrefixChars + kPayloadChars;

// Where `c` (uppercase) sits in kAlphabet, or -1 when it is not in it.
int symbol_value(char c);

// The check character for `body` (uppercase symbols of kAlphabet). A Damm check over the
// quasigroup x*y = 3(x - y) mod 31: it is totally anti-symmetric with a zero diagonal, so every
// single substitution and every swap of two adjacent different characters (the check character
// included) is caught. Throws std::invalid_argument for a character outside the alphabet.
char check_character(std::string_view body);

// Whether `key` (18 uppercase symbols, no separators) ends in the check character of the rest.
bool is_valid(std::string_view key);

// Whether `prefix` is two letters of kAlphabet (uppercase): a product's key prefix.
bool is_prefix(std::string_view prefix);
// The prefix of a product without a configured one: the first letters of its code (uppercased)
// that are letters of kAlphabet, padded with 'X' to two, so the same code always gets the same
// prefix ("cad-pro" -> "CA", "io" -> "XX").
std::string default_prefix(std::string_view product_code);

// A uniform value in [0, bound): lmp::random_below, or a fixed sequence in tests.
using RandomBelow = std::uint64_t (*)(std::uint64_t bound);

// A fresh key in normalized form (18 symbols) for `prefix` (two letters of kAlphabet, either
// case); another prefix throws std::invalid_argument. The payload comes from `random`, by default
// the kernel CSPRNG.
std::string generate(std::string_view prefix, RandomBelow random = nullptr);

// "AB23456789ABCDEFGH" -> "AB-2345-6789-ABCD-EFGH". REQUIRES: a valid normalized key (anything
// else throws std::invalid_argument, so a bad key is never shown as if it were one).
std::string format(std::string_view normalized);

// The normalized form (uppercase, no separators) of a key as a person typed it: '-' and ' ' are
// dropped anywhere, lowercase is accepted; any other byte, a character outside the alphabet, a
// prefix that is not two letters, a length other than 18 or a wrong check character gives nullopt.
std::optional<std::string> normalize(std::string_view input);

}  // namespace lmp::registration_key
