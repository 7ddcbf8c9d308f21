// A registration key as stored: only the SHA-256 of its normalized text and a hint
// ("AB-...-WXYZ") are kept (core/registration_key.hpp has the format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enum_names.hpp"

namespace lmp::domain {

// A key is redeemed once only; a voided key gave its units back to the issuer's pool.
enum class KeyStatus { issued, redeemed, voided };

template <>
struct EnumNames<KeyStatus> {
  static constexpr EnumName<KeyStatus> kNames[] = {{KeyStatus::issued, "issued"},
                                                   {KeyStatus::redeemed, "redeemed"},
                                                   {KeyStatus::voided, "voided"}};
};

struct RegistrationKey {
  std::int64_t id = 0;
  std::string key_hash;
  std::string hint;
  std::int64_t plan_id = 0;
  std::string product_code;
  std::int64_t units = 0;
  std::int64_t issuer_id = 0;  // the account whose pool it drew from
  std::string issuer_path;
  std::int64_t issued_by_user = 0;
  KeyStatus status = KeyStatus::issued;
  std::optional<std::int64_t> customer_id;  // set once redeemed
  std::optional<std::int64_t> license_id;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> changed_at_ms;  // when redeemed or voided
};

}  // namespace lmp::domain
