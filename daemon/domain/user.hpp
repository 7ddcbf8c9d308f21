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
};

}  // namespace lmp::domain
