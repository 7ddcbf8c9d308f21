// The audit log query: the records of the caller's subtree, filtered and paginated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit_record.hpp"
#include "domain/context.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

struct AuditQuery {
  // The subtree of one account or customer (not both); default the caller's whole subtree.
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
  std::string action;  // "" for any
  std::string object;  // "" for any
  std::optional<std::int64_t> actor_user_id;
  std::optional<std::int64_t> from_ms;
  std::optional<std::int64_t> to_ms;
  Page page;
};

std::vector<AuditRecord> query_audit(const Context& ctx, const AuditQuery& query);

}  // namespace lmp::domain
