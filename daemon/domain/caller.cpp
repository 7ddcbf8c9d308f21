// Loading a caller: token, user, account or customer, statuses along the path, permissions.
#include "domain/caller.hpp"

#include "domain/domain_error.hpp"
#include "domain/permissions.hpp"

namespace lmp::domain {

Caller Caller::anonymous() {
  Caller caller;
  caller.kind = Kind::anonymous;
  caller.scope = "anonymous";
  return caller;
}

Caller Caller::local_operator(std::optional<Account> parent) {
  Caller caller;
  caller.kind = Kind::local_operator;
  caller.account = std::move(parent);
  caller.scope = "/";
  for (auto name : all_permissions()) caller.permissions.emplace(name);
  return caller;
}

Caller Caller::server() {
  Caller caller;
  caller.kind = Kind::server;
  caller.scope = "server";
  return caller;
}

std::string Caller::actor_scope() const {
  switch (kind) {
    case Kind::local_operator:
      return "cli";
    case Kind::server:
      return "server";
    case Kind::user:
    case Kind::anonymous:
      break;
  }
  return scope;
}

namespace {

// The caller acting as `user_id` with `token_id` (0: none, a password login): the one place that
// gives a credential its account, scope and permissions.
std::optional<Caller> caller_of_user(UnitOfWork& db, std::int64_t user_id, std::int64_t token_id) {
  auto user = db.users().find(user_id);
  if (!user) return std::nullopt;
  Caller caller;
  caller.user_id = user->id;
  caller.token_id = token_id;
  if (user->account_id) {
    caller.account = db.accounts().find(*user->account_id);
    if (!caller.account) return std::nullopt;
    caller.scope = caller.account->path;
    for (const auto& above : db.accounts().on_path(caller.scope)) {
      if (above.status == AccountStatus::canceled) return std::nullopt;
      if (above.status == AccountStatus::suspended) caller.read_only = true;
    }
    if (caller.is_parent()) {
      for (auto name : all_permissions()) caller.permissions.emplace(name);
    } else {
      caller.permissions = db.accounts().permissions(caller.account->id);
    }
    return caller;
  }
  if (!user->customer_id) return std::nullopt;
  caller.customer = db.customers().find(*user->customer_id);
  if (!caller.customer) return std::nullopt;
  // A customer keeps read access to its own (expired) licenses when its partner is canceled,
  // but nothing below a canceled account changes any more. A partner's suspension is the
  // partner's own matter: its customers go on as before.
  caller.scope = caller.customer->scope();
  for (const auto& above : db.accounts().on_path(caller.customer->owner_path))
    if (above.status == AccountStatus::canceled) caller.read_only = true;
  return caller;
}

}  // namespace

std::optional<Caller> load_caller(UnitOfWork& db, std::int64_t token_id, std::int64_t now_ms) {
  auto token = db.users().find_token(token_id);
  if (!token || token->revoked_at_ms || token->expired_at(now_ms)) return std::nullopt;
  return caller_of_user(db, token->user_id, token->id);
}

std::optional<Caller> load_user_caller(UnitOfWork& db, std::int64_t user_id) {
  return caller_of_user(db, user_id, 0);
}

std::optional<Caller> load_caller_by_token(UnitOfWork& db, const std::string& token_hash,
                                           std::int64_t now_ms) {
  auto token = db.users().find_token_by_hash(token_hash);
  return token ? load_caller(db, token->id, now_ms) : std::nullopt;
}

void refuse_if_read_only(const Caller& caller) {
  if (caller.read_only)
    throw DomainError(ErrorCode::account_suspended, "the account is suspended: read-only");
}

}  // namespace lmp::domain
