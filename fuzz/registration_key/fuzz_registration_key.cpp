// libFuzzer target: registration_key::normalize against an independent reading of its contract,
// and its consistency with is_valid, check_character and format.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/fuzz_check.hpp"
#include "core/registration_key.hpp"

namespace {

using lmp::fuzz::check;
namespace rk = lmp::registration_key;

constexpr std::string_view kLookAlikes = "01ILO";

void check_format(std::string_view text) {
  try {
    const std::string shown = rk::format(text);
    check(rk::is_valid(text), "format accepts an invalid key", text);
    check(shown.size() == 22 && shown[2] == '-' && shown[7] == '-' && shown[12] == '-' &&
              shown[17] == '-',
          "format does not give PP-XXXX-XXXX-XXXX-XXXX", shown);
  } catch (const std::invalid_argument&) {
    check(!rk::is_valid(text), "format refuses a valid key", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto normalized = rk::normalize(input);
  if (normalized) {
    check(normalized->size() == rk::kChars, "normalized key is not 18 characters", *normalized);
    for (char c : *normalized) {
      check(kLookAlikes.find(c) == std::string_view::npos, "accepted key has a look-alike",
            *normalized);
      check(rk::symbol_value(c) >= 0, "accepted key has a character outside the alphabet",
            *normalized);
    }
    check((*normalized)[0] >= 'A' && (*normalized)[0] <= 'Z' && (*normalized)[1] >= 'A' &&
              (*normalized)[1] <= 'Z',
          "accepted key has a non-letter prefix", *normalized);
    check(rk::normalize(*normalized) == normalized, "a normalized key does not re-normalize",
          *normalized);
    const std::string body = normalized->substr(0, rk::kChars - 1);
    check(rk::check_character(body) == normalized->back(), "check character disagrees",
          *normalized);
    const std::string shown = rk::format(*normalized);
    check(rk::normalize(shown) == normalized, "a formatted key does not normalize back", shown);
  }
  check_format(input);
  return 0;
}
