// The checks and records every operation shares.
#include "domain/context.hpp"

#include "domain/domain_error.hpp"

namespace lmp::domain {

void Context::require(std::string_view permission) const {
  if (!caller.can(permission))
    throw forbidden("this call needs the " + std::string(permission) + " permission");
}

void Context::audit(std::string_view action, std::string object, std::string scope,
                    std::string before_json, std::string after_json) const {
  db.audit().append(audit_record(action, std::move(object), std::move(scope),
                                 std::move(before_json), std::move(after_json)));
}

AuditRecord Context::audit_record(std::string_view action, std::string object, std::string scope,
                                  std::string before_json, std::string after_json) const {
  AuditRecord record;
  record.at_ms = now_ms;
  // The anonymous caller (redeeming a key without a token) and the local operator have no user
  // or token.
  if (caller.user_id != 0) record.actor_user_id = caller.user_id;
  if (caller.token_id != 0) record.actor_token_id = caller.token_id;
  record.actor_scope = caller.actor_scope();
  record.scope = std::move(scope);
  record.action = std::string(action);
  record.object = std::move(object);
  record.before_json = std::move(before_json);
  record.after_json = std::move(after_json);
  return record;
}

ProductLifecycle Context::lifecycle(std::string_view code) const {
  return product_lifecycle(db.lifecycles().all(), products, code, now_ms);
}

}  // namespace lmp::domain
