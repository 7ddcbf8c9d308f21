// Generating, displaying and checking registration keys.
#include "core/registration_key.hpp"

#include <stdexcept>

#include "core/secure_random.hpp"

namespace lmp::registration_key {
namespace {

constexpr int kOrder = static_cast<int>(kAlphabet.size());
static_assert(kOrder == 31, "the check's proof needs a prime number of symbols");
constexpr int kMultiplier = 3;  // any value other than 0 and 1 keeps the quasigroup anti-symmetric
constexpr std::size_t kGroup = 4;

// x*y = 3(x - y) mod 31. Quasigroup: both x -> x*y and y -> x*y are bijections, since 3 and -3
// are units mod 31. Zero diagonal: x*x = 0, so a valid key reduces to 0. Totally anti-symmetric:
// (c*x)*y = (c*y)*x means 9c - 9x - 3y = 9c - 9y - 3x, i.e. 6(y - x) = 0, so x = y mod 31.
int combine(int interim, int symbol) {
  return (kMultiplier * (interim - symbol + kOrder)) % kOrder;
}

bool is_letter(char c) {
  return c >= 'A' && c <= 'Z';
}

char to_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// The interim value after `text`, or -1 when a character is outside the alphabet.
int reduce(std::string_view text) {
  int interim = 0;
  for (char c : text) {
    const int value = symbol_value(c);
    if (value < 0) return -1;
    interim = combine(interim, value);
  }
  return interim;
}

}  // namespace

int symbol_value(char c) {
  const std::size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

char check_character(std::string_view body) {
  const int interim = reduce(body);
  if (interim < 0) {
    throw std::invalid_argument("registration_key::check_character: not a key character");
  }
  // interim * c = 0 exactly when c = interim (zero diagonal, quasigroup).
  return kAlphabet[static_cast<std::size_t>(interim)];
}

bool is_valid(std::string_view key) {
  if (key.size() != kChars) return false;
  if (!is_letter(key[0]) || !is_letter(key[1])) return false;
  return reduce(key) == 0;
}

bool is_prefix(std::string_view prefix) {
  return prefix.size() == kPrefixChars && is_letter(prefix[0]) && is_letter(prefix[1]) &&
         symbol_value(prefix[0]) >= 0 && symbol_value(prefix[1]) >= 0;
}

std::string default_prefix(std::string_view product_code) {
  std::string prefix;
  for (char c : product_code) {
    const char upper = to_upper(c);
    if (prefix.size() < kPrefixChars && is_letter(upper) && symbol_value(upper) >= 0)
      prefix.push_back(upper);
  }
  while (prefix.size() < kPrefixChars) prefix.push_back('X');
  return prefix;
}

std::string generate(std::string_view prefix, RandomBelow random) {
  if (random == nullptr) random = &random_below;
  std::string key;
  key.reserve(kChars);
  for (char c : prefix) key.push_back(to_upper(c));
  if (!is_prefix(key)) {
    throw std::invalid_argument("registration_key::generate: the prefix is not two key letters");
  }
  for (std::size_t i = 0; i + 1 < kPayloadChars; ++i) {
    key.push_back(kAlphabet[static_cast<std::size_t>(random(kOrder))]);
  }
  key.push_back(check_character(key));
  return key;
}

std::string format(std::string_view normalized) {
  if (!is_valid(normalized)) {
    throw std::invalid_argument("registration_key::format: not a valid normalized key");
  }
  std::string out(normalized.substr(0, kPrefixChars));
  for (std::size_t i = kPrefixChars; i < kChars; ++i) {
    if ((i - kPrefixChars) % kGroup == 0) out.push_back('-');
    out.push_back(normalized[i]);
  }
  return out;
}

std::optional<std::string> normalize(std::string_view input) {
  std::string key;
  key.reserve(kChars);
  for (char c : input) {
    if (c == '-' || c == ' ') continue;
    const char upper = to_upper(c);
    if (symbol_value(upper) < 0) return std::nullopt;
    // Stop early so a huge input cannot make us allocate.
    if (key.size() == kChars) return std::nullopt;
    key.push_back(upper);
  }
  if (!is_valid(key)) return std::nullopt;
  return key;
}

}  // namespace lmp::registration_key
