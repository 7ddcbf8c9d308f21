// Generating, displaying and checking activation codes.
#include "core/activation_code.hpp"

#include <cstdint>
#include <stdexcept>

#include "core/damm.hpp"
#include "core/secure_random.hpp"

namespace lmp::activation_code {
namespace {

constexpr std::size_t kBodyDigits = kDigits - 1;
constexpr std::size_t kGroup = 5;
// 10^19 still fits in uint64, so one uniform draw covers the whole body.
constexpr std::uint64_t kBodySpace = 10'000'000'000'000'000'000ULL;

}  // namespace

std::string generate() {
  std::uint64_t value = random_below(kBodySpace);
  std::string code(kBodyDigits, '0');
  for (std::size_t i = kBodyDigits; i-- > 0;) {
    code[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  code.push_back(static_cast<char>('0' + damm::check_digit(code)));
  return code;
}

std::string format(std::string_view normalized) {
  if (normalized.size() != kDigits) {
    throw std::invalid_argument("activation_code::format: not a 20-digit code");
  }
  std::string out;
  out.reserve(kDigits + kDigits / kGroup - 1);
  for (std::size_t i = 0; i < kDigits; ++i) {
    const char c = normalized[i];
    if (c < '0' || c > '9') {
      throw std::invalid_argument("activation_code::format: not a 20-digit code");
    }
    if (i > 0 && i % kGroup == 0) out.push_back('-');
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> normalize(std::string_view input) {
  std::string digits;
  digits.reserve(kDigits);
  for (char c : input) {
    if (c == '-' || c == ' ') continue;
    if (c < '0' || c > '9') return std::nullopt;
    // Stop early so a huge input cannot make us allocate.
    if (digits.size() == kDigits) return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != kDigits || !damm::is_valid(digits)) return std::nullopt;
  return digits;
}

}  // namespace lmp::activation_code
