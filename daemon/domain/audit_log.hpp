// The append-only audit log (a port: storage implements it). There is no way to change or remove
// a record through it (and the database refuses it from any client). Every method REQUIRES the
// unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit_record.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

struct AuditFilter {
  std::string scope_prefix;                   // records of objects in this subtree only
  std::string action;                         // "" for any
  std::string object;                         // "" for any
  std::optional<std::int64_t> actor_user_id;  // records of changes made by this user only
  std::optional<std::int64_t> from_ms;        // at_ms >= from_ms
  std::optional<std::int64_t> to_ms;          // at_ms < to_ms
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  virtual void append(const AuditRecord& record) = 0;
  virtual std::vector<AuditRecord> query(const AuditFilter& filter, Page page) = 0;
};

}  // namespace lmp::domain
