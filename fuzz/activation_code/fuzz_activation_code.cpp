// libFuzzer target: activation_code::normalize against an independent reading of its contract,
// and its consistency with damm::is_valid, damm::check_digit and activation_code::format.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/fuzz_check.hpp"
#include "core/activation_code.hpp"
#include "core/damm.hpp"

namespace {

using lmp::fuzz::check;

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Damm's promise: every single-digit error and every swap of adjacent different digits is caught.
void check_detects_typos(const std::string& code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    std::string typo = code;
    for (char d = '0'; d <= '9'; ++d) {
      if (d == code[i]) continue;
      typo[i] = d;
      check(!lmp::damm::is_valid(typo), "a single-digit typo passes the check digit", typo);
    }
    if (i + 1 < code.size() && code[i] != code[i + 1]) {
      std::string swapped = code;
      std::swap(swapped[i], swapped[i + 1]);
      check(!lmp::damm::is_valid(swapped), "an adjacent swap passes the check digit", swapped);
    }
  }
}

void check_damm(std::string_view text) {
  if (!all_digits(text)) {
    check(!lmp::damm::is_valid(text), "is_valid accepts a non-digit", text);
    bool threw = false;
    try {
      lmp::damm::check_digit(text);
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    check(threw, "check_digit accepts a non-digit", text);
    return;
  }
  if (text.empty()) {
    check(!lmp::damm::is_valid(text), "is_valid accepts the empty string");
    check(lmp::damm::check_digit(text) == 0, "check digit of nothing is not 0");
    return;
  }
  const int digit = lmp::damm::check_digit(text);
  check(digit >= 0 && digit <= 9, "check digit out of 0-9", text);
  std::string with_check(text);
  with_check.push_back(static_cast<char>('0' + digit));
  check(lmp::damm::is_valid(with_check), "digits plus their check digit are not valid", text);
  const std::string_view body = text.substr(0, text.size() - 1);
  check(lmp::damm::is_valid(text) == (lmp::damm::check_digit(body) == text.back() - '0'),
        "is_valid disagrees with check_digit", text);
}

void check_format(std::string_view text) {
  const bool formattable = text.size() == lmp::activation_code::kDigits && all_digits(text);
  try {
    const std::string shown = lmp::activation_code::format(text);
    check(formattable, "format accepts what is not 20 digits", text);
    check(shown.size() == 23 && shown[5] == '-' && shown[11] == '-' && shown[17] == '-',
          "format does not give four groups of five", shown);
  } catch (const std::invalid_argument&) {
    check(!formattable, "format refuses 20 digits", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The contract in activation_code.hpp, read independently: '-' and ' ' dropped anywhere, any
  // other non-digit refused, then exactly 20 digits whose last is the Damm digit of the rest.
  std::string digits;
  bool stray = false;
  for (char c : input) {
    if (c == '-' || c == ' ') continue;
    if (c < '0' || c > '9') stray = true;
    digits.push_back(c);
  }
  const bool expected =
      !stray && digits.size() == lmp::activation_code::kDigits && lmp::damm::is_valid(digits);

  const auto normalized = lmp::activation_code::normalize(input);
  check(normalized.has_value() == expected, expected ? "valid code refused" : "bad code accepted",
        input);
  if (normalized) {
    check(*normalized == digits, "normalize changed the digits", input);
    check(normalized->size() == lmp::activation_code::kDigits && all_digits(*normalized),
          "normalized code is not 20 digits", *normalized);
    const std::string shown = lmp::activation_code::format(*normalized);
    check(lmp::activation_code::normalize(shown) == normalized,
          "a formatted code does not normalize back", shown);
    check_detects_typos(*normalized);
  }
  check_damm(input);
  check_format(input);
  return 0;
}
