// Who calls a domain operation: the user behind a bearer token with their place in the account
// tree and what they may do there, someone without a token, the local operator (`lmpd admin`),
// or the server itself. Every authorization decision is made from this.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "domain/account.hpp"
#include "domain/customer.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

struct Caller {
  enum class Kind { user, anonymous, local_operator, server };

  Kind kind = Kind::user;
  std::int64_t user_id = 0;
  std::int64_t token_id = 0;         // 0: a user logged in with its password (no token)
  std::optional<Account> account;    // a user of the parent or a partner; the local operator's
  std::optional<Customer> customer;  // set for a user of a customer
  std::string scope;  // the caller's tree path: it sees exactly the scopes with this prefix
  std::set<std::string> permissions;  // the parent has every permission, a customer none
  bool read_only = false;             // its account, or one above it, is suspended

  // Someone without a token on an open route (redeeming a registration key): no account, no
  // customer, no permission, and a scope no object's scope starts with, so it sees nothing.
  static Caller anonymous();
  // `lmpd admin`: whoever may open the database acts with the parent account's rights over the
  // whole tree. Before the first run there is no parent account (`parent` none): the operator
  // then acts over the customers made so far, which the first run puts under the parent.
  static Caller local_operator(std::optional<Account> parent);
  // The server itself, acting on a schedule (the End-of-Life sweep): no permission, sees nothing.
  static Caller server();

  bool is_anonymous() const { return kind == Kind::anonymous; }
  bool is_parent() const {
    return kind == Kind::local_operator || (account && !account->parent_id);
  }
  bool can(std::string_view permission) const {
    return permissions.count(std::string(permission)) > 0;
  }
  // True when `object_scope` lies in the caller's subtree (its own place included).
  bool sees(std::string_view object_scope) const {
    return object_scope.substr(0, scope.size()) == scope;
  }
  // True when `path` is in the caller's subtree or on its way up to the root: what the caller
  // shares with that account (plans made above serve those below).
  bool in_line_with(std::string_view path) const {
    return sees(path) || (!path.empty() && scope.substr(0, path.size()) == path);
  }
  // How the audit log names the actor's place: its scope; "cli" for the local operator, "server"
  // for the server.
  std::string actor_scope() const;
};

// The caller holding token `token_id`, read inside the caller's transaction; nullopt when the
// token is revoked or expired at `now_ms`, or its account (or one above it) is canceled: such
// credentials have no access at all.
std::optional<Caller> load_caller(UnitOfWork& db, std::int64_t token_id, std::int64_t now_ms);

// The user `user_id` acting without a token (logged in to the console with its password):
// the same caller as its tokens give (token_id 0), nullopt when the user is gone or its account
// (or one above it) is canceled.
std::optional<Caller> load_user_caller(UnitOfWork& db, std::int64_t user_id);

// The caller holding the token with this hash, as load_caller; nullopt for an unknown token.
std::optional<Caller> load_caller_by_token(UnitOfWork& db, const std::string& token_hash,
                                           std::int64_t now_ms);

// Throws DomainError account_suspended when the caller may only read: every write operation's
// first check.
void refuse_if_read_only(const Caller& caller);

}  // namespace lmp::domain
