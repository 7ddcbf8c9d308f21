// The Damm algorithm over the standard totally anti-symmetric quasigroup of order 10.
#include "core/damm.hpp"

#include <array>
#include <stdexcept>

namespace lmp::damm {
namespace {

// Damm's published table; its zero diagonal is what lets is_valid() check a string including its
// check digit by running the same fold and expecting 0.
constexpr std::array<std::array<unsigned char, 10>, 10> kTable{{
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
    {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
    {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
    {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}};

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int fold(std::string_view digits) {
  int interim = 0;
  for (char c : digits) interim = kTable[interim][c - '0'];
  return interim;
}

}  // namespace

int check_digit(std::string_view digits) {
  if (!all_digits(digits)) throw std::invalid_argument("damm::check_digit: non-digit input");
  return fold(digits);
}

bool is_valid(std::string_view digits_with_check) {
  if (digits_with_check.empty() || !all_digits(digits_with_check)) return false;
  return fold(digits_with_check) == 0;
}

}  // namespace lmp::damm
