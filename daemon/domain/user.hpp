// A user of an account or of a customer: a person or an API client, holding bearer tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

// Exactly one of account_id and customer_id is set.
struct User {
  std::int64_t id = 0;
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
  std::string name;
  std::int64_t created_at_ms = 0;
  // The name it logs in to the web console with, once it has a password (domain/passwords.hpp);
  // the password itself is kept as a hash only, read through UserRepository::password_hash.
  std::optional<std::string> login;
  std::optional<std::int64_t> password_set_at_ms;  // none: no password
};

}  // namespace lmp::domain
