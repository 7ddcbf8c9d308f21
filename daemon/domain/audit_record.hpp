// One record of the append-only audit log: when, which credentials, what, before and after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lmp::domain {

struct AuditRecord {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> actor_user_id;  // none for the command line and the server itself
  std::optional<std::int64_t> actor_token_id;
  std::string actor_scope;  // the tree path of the actor's account or customer; "cli", "server"
  std::string scope;        // the tree path of the object changed
  std::string action;       // e.g. "customer.disable"
  std::string object;       // e.g. "customer:12"
  std::string before_json;  // "" when there was no object before (creation)
  std::string after_json;
};

}  // namespace lmp::domain
