// The user and token operations and their rules.
#include "domain/users.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/passwords.hpp"
#include "domain/permissions.hpp"
#include "domain/request_checks.hpp"
#include "domain/unique_names.hpp"

namespace lmp::domain {
namespace {

// Where a user lives, once the caller is known to be allowed to manage it.
struct UserHome {
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
  std::string scope;
};

// The caller manages the users of its own account or customer; those of a partner below it with
// manage_partners; those of a customer in its subtree with modify_customers. Forbidden without
// the permission, not_found outside the subtree.
UserHome manageable_home(const Context& ctx, std::optional<std::int64_t> account_id,
                         std::optional<std::int64_t> customer_id) {
  const auto& caller = ctx.caller;
  if (account_id && customer_id) throw bad_request("give account or customer, not both");
  if (customer_id) {
    if (caller.customer) {
      if (caller.customer->id == *customer_id) return {std::nullopt, customer_id, caller.scope};
      throw not_found("customer");
    }
    ctx.require(kModifyCustomers);
    auto customer = ctx.db.customers().find(*customer_id);
    if (!customer || !caller.sees(customer->scope())) throw not_found("customer");
    return {std::nullopt, customer_id, customer->scope()};
  }
  if (account_id && caller.customer) throw not_found("account");
  if (account_id && (!caller.account || caller.account->id != *account_id)) {
    ctx.require(kManagePartners);
    auto account = ctx.db.accounts().find(*account_id);
    if (!account || !caller.sees(account->path)) throw not_found("account");
    return {account_id, std::nullopt, account->path};
  }
  if (caller.account) return {caller.account->id, std::nullopt, caller.scope};
  if (caller.customer) return {std::nullopt, caller.customer->id, caller.scope};
  throw bad_request("give account or customer");
}

// The home of a user the caller may manage. Every other user, unknown or out of reach, is
// not_found: a forbidden for a known user the caller lacks the permission for would tell that
// the id exists.
UserHome manageable_user_home(const Context& ctx, std::int64_t id) {
  auto user = ctx.db.users().find(id);
  if (!user) throw not_found("user");
  try {
    return manageable_home(ctx, user->account_id, user->customer_id);
  } catch (const DomainError&) {
    throw not_found("user");
  }
}

std::string token_object(const Token& token) {
  return "token:" + std::to_string(token.id);
}

}  // namespace

Me describe_me(const Context& ctx) {
  const auto& caller = ctx.caller;
  Me me;
  me.user = *ctx.db.users().find(caller.user_id);
  me.token_id = caller.token_id;
  if (auto token = ctx.db.users().find_token(caller.token_id))
    me.token_expires_at_ms = token->expires_at_ms;
  if (caller.account)
    me.account = view_of(ctx, *caller.account);
  else
    me.customer = caller.customer;
  me.permissions = caller.permissions;
  me.read_only = caller.read_only;
  return me;
}

CreatedUser create_user(const Context& ctx, const CreateUser& request) {
  const std::string name = required_text("name", request.name);
  const auto home = manageable_home(ctx, request.account_id, request.customer_id);
  CreatedUser out;
  out.user = ctx.db.users().create(name, home.account_id, home.customer_id, ctx.now_ms);
  out.token = issue_token(ctx.db, out.user.id, ctx.now_ms);
  ctx.audit("user.create", "user:" + std::to_string(out.user.id), home.scope, {},
            to_text(user_json(out.user)));
  return out;
}

std::vector<User> list_users(const Context& ctx, const ListUsers& which, Page page) {
  // Who may read a home's users is who may add to them: one rule, manageable_home.
  const auto home = manageable_home(ctx, which.account_id, which.customer_id);
  return ctx.db.users().list(home.account_id, home.customer_id, page);
}

IssuedToken create_token(const Context& ctx, std::int64_t user_id, const TokenExpiry& expiry) {
  const auto expires = token_expiry(expiry, ctx.now_ms);
  const auto home = manageable_user_home(ctx, user_id);
  auto issued = issue_token(ctx.db, user_id, ctx.now_ms, expires);
  ctx.audit("token.create", token_object(issued.token), home.scope, {},
            to_text(token_record_json(issued.token)));
  return issued;
}

void revoke_token(const Context& ctx, std::int64_t token_id) {
  auto token = ctx.db.users().find_token(token_id);
  if (!token) throw not_found("token");
  const auto home = manageable_user_home(ctx, token->user_id);
  if (token->revoked_at_ms) return;
  ctx.db.users().revoke_token(token->id, ctx.now_ms);
  token->revoked_at_ms = ctx.now_ms;
  ctx.audit("token.revoke", token_object(*token), home.scope, {},
            to_text(token_record_json(*token)));
}

std::vector<Token> list_tokens(const Context& ctx, std::int64_t user_id, Page page) {
  manageable_user_home(ctx, user_id);
  return ctx.db.users().list_tokens(user_id, page);
}

User rename_user(const Context& ctx, const RenameUser& request) {
  const auto home = manageable_user_home(ctx, request.id);
  const std::string name = required_text("name", request.name);
  const auto before = *ctx.db.users().find(request.id);
  if (before.name == name) return before;
  ctx.db.users().rename(request.id, name);
  auto after = *ctx.db.users().find(request.id);
  ctx.audit("user.rename", "user:" + std::to_string(after.id), home.scope,
            to_text(user_json(before)), to_text(user_json(after)));
  return after;
}

User set_password(const Context& ctx, const SetPassword& request) {
  const auto home = manageable_user_home(ctx, request.user_id);
  const std::string password = required(request.password, "give password");
  check_password_rule(password);
  const auto before = *ctx.db.users().find(request.user_id);
  const std::string login =
      normalized_login(request.login ? *request.login : before.login.value_or(before.name));
  unique_name([&] {
    ctx.db.users().set_password(before.id, login, hash_password(password), ctx.now_ms);
    return 0;
  });
  ctx.db.console_sessions().remove_password_sessions(before.id);
  auto after = *ctx.db.users().find(request.user_id);
  // The record names the login and when; the password and its hash never leave the table.
  ctx.audit("user.set_password", "user:" + std::to_string(after.id), home.scope,
            to_text(user_json(before)), to_text(user_json(after)));
  return after;
}

void delete_user(const Context& ctx, std::int64_t user_id) {
  const auto home = manageable_user_home(ctx, user_id);
  if (user_id == ctx.caller.user_id)
    throw forbidden("a user cannot delete itself: another user of its place must");
  const auto user = *ctx.db.users().find(user_id);
  ctx.db.users().remove(user_id);
  ctx.audit("user.delete", "user:" + std::to_string(user.id), home.scope, to_text(user_json(user)),
            {});
}

}  // namespace lmp::domain
