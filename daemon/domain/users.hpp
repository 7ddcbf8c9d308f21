// The user and token operations: who the caller is (GET /v1/me), create a user with its first
// token, list the users of the caller's own account or customer, issue another token, revoke
// one. Tokens are shown once.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/credentials.hpp"
#include "domain/customer.hpp"
#include "domain/page.hpp"
#include "domain/partners.hpp"
#include "domain/token.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

struct Me {
  User user;
  std::int64_t token_id = 0;
  std::optional<std::int64_t> token_expires_at_ms;  // none: the token never expires
  std::optional<AccountView> account;               // the caller's account, or
  std::optional<Customer> customer;                 // its customer
  std::set<std::string> permissions;
  bool read_only = false;
};

struct CreateUser {
  std::optional<std::string> name;
  // Where it lives: an account or a customer (not both); neither: the caller's own.
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
};

struct CreatedUser {
  User user;
  IssuedToken token;  // its first token
};

Me describe_me(const Context& ctx);
// The caller manages the users of its own account or customer; those of a partner below it with
// manage_partners; those of a customer in its subtree with modify_customers.
CreatedUser create_user(const Context& ctx, const CreateUser& request);
struct ListUsers {
  // Whose users: an account or a customer (not both); neither: the caller's own.
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
};

// The users of an account or customer the caller manages (the rule of create_user: the caller's
// own; a partner below it with manage_partners; a customer in its subtree with
// modify_customers), by default the caller's own.
std::vector<User> list_users(const Context& ctx, const ListUsers& which, Page page);
// Another token for a user the caller manages (every other user, known or not, is not_found),
// expiring as `expiry` says (token_expiry).
IssuedToken create_token(const Context& ctx, std::int64_t user_id, const TokenExpiry& expiry = {});
// Revokes a token of a user the caller manages; revoking it again changes nothing.
void revoke_token(const Context& ctx, std::int64_t token_id);
// The tokens of a user the caller manages (never their text: only hashes are kept), revoked and
// expired ones too.
std::vector<Token> list_tokens(const Context& ctx, std::int64_t user_id, Page page);

struct RenameUser {
  std::int64_t id = 0;
  std::optional<std::string> name;
};
// A user the caller manages gets another name.
User rename_user(const Context& ctx, const RenameUser& request);
struct SetPassword {
  std::int64_t user_id = 0;
  std::optional<std::string> password;
  // Its login name (domain/passwords.hpp normalized_login): by default the one it has, else its
  // name.
  std::optional<std::string> login;
};
// Sets the password of the caller's own user or of a user the caller manages (the rule of
// create_token), checked by check_password_rule and kept as its hash only; name_taken when
// another user has the login. The user's password sessions end; its tokens stay valid.
User set_password(const Context& ctx, const SetPassword& request);
// Deletes a user the caller manages with its tokens (they stop working at once); the caller's
// own user is refused (forbidden), so no one locks the last door by mistake. The audit log keeps
// naming the deleted user as the actor of what it did.
void delete_user(const Context& ctx, std::int64_t user_id);

}  // namespace lmp::domain
