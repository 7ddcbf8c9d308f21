// Users and their bearer tokens: create a user (with its first token), list the users of the
// caller's own account, issue another token, revoke one. Tokens are shown once.
#include "domain/credentials.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "http/admin_call.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

// Where a user lives, once the caller is known to be allowed to manage it.
struct UserHome {
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> customer_id;
  std::string scope;
};

// The caller manages the users of its own account or customer; those of a partner below it with
// manage_partners; those of a customer in its subtree with modify_customers. 403 without the
// permission, 404 outside the subtree.
UserHome manageable_home(const AdminCall& call, std::optional<std::int64_t> account_id,
                         std::optional<std::int64_t> customer_id) {
  const auto& caller = call.caller;
  if (account_id && customer_id) throw bad_request("give account or customer, not both");
  if (customer_id) {
    if (caller.customer) {
      if (caller.customer->id == *customer_id) return {std::nullopt, customer_id, caller.scope};
      throw not_found("customer");
    }
    call.require(domain::kModifyCustomers);
    auto customer = call.db.customers().find(*customer_id);
    if (!customer || !caller.sees(customer->scope())) throw not_found("customer");
    return {std::nullopt, customer_id, customer->scope()};
  }
  if (account_id && caller.customer) throw not_found("account");
  if (account_id && caller.account->id != *account_id) {
    call.require(domain::kManagePartners);
    auto account = call.db.accounts().find(*account_id);
    if (!account || !caller.sees(account->path)) throw not_found("account");
    return {account_id, std::nullopt, account->path};
  }
  if (caller.account) return {caller.account->id, std::nullopt, caller.scope};
  return {std::nullopt, caller.customer->id, caller.scope};
}

UserHome home_of(const AdminCall& call, const domain::User& user) {
  return manageable_home(call, user.account_id, user.customer_id);
}

json::object issued(const std::string& token, const domain::Token& row) {
  json::object out;
  out["id"] = row.id;
  out["user"] = row.user_id;
  out["token"] = token;
  out["created"] = row.created_at_ms / 1000;
  return out;
}

json::value create_user(AdminCall& call) {
  const std::string name = call.text("name");
  auto home = manageable_home(call, call.optional_id("account"), call.optional_id("customer"));
  auto user = call.db.users().create(name, home.account_id, home.customer_id, call.now_ms);
  auto [row, token] = domain::issue_token(call.db, user.id, call.now_ms);
  auto after = domain::user_json(user);
  call.audit("user.create", "user:" + std::to_string(user.id), home.scope, {},
             domain::to_text(after));
  json::object out;
  out["user"] = std::move(after);
  out["token"] = issued(token, row);
  return out;
}

json::value list_users(AdminCall& call) {
  const auto& caller = call.caller;
  std::optional<std::int64_t> account, customer;
  if (caller.account)
    account = caller.account->id;
  else
    customer = caller.customer->id;
  auto rows = call.db.users().list(account, customer, call.lookahead());
  return page_of(rows, call.page(), domain::user_json);
}

// A user the caller may manage. Every other user, unknown or out of reach, is 404: a 403 for a
// known user the caller lacks the permission for would tell that the id exists.
domain::User manageable_user(const AdminCall& call, std::int64_t id, UserHome& home) {
  auto user = call.db.users().find(id);
  if (!user) throw not_found("user");
  try {
    home = home_of(call, *user);
  } catch (const ApiError&) {
    throw not_found("user");
  } catch (const domain::DomainError&) {
    throw not_found("user");
  }
  return *user;
}

json::value create_token(AdminCall& call) {
  UserHome home;
  auto user = manageable_user(call, call.path_id(0, "user"), home);
  auto [row, token] = domain::issue_token(call.db, user.id, call.now_ms);
  json::object recorded;
  recorded["id"] = row.id;
  recorded["user"] = user.id;
  call.audit("token.create", "token:" + std::to_string(row.id), home.scope, {},
             domain::to_text(recorded));
  return issued(token, row);
}

json::value revoke_token(AdminCall& call) {
  auto token = call.db.users().find_token(call.path_id(0, "token"));
  if (!token) throw not_found("token");
  UserHome home;
  manageable_user(call, token->user_id, home);
  if (!token->revoked_at_ms) {
    call.db.users().revoke_token(token->id, call.now_ms);
    json::object recorded;
    recorded["id"] = token->id;
    recorded["user"] = token->user_id;
    recorded["revoked"] = call.now_ms / 1000;
    call.audit("token.revoke", "token:" + std::to_string(token->id), home.scope, {},
               domain::to_text(recorded));
  }
  return json::object();
}

}  // namespace

void add_user_routes(AdminRoutes& routes) {
  routes.add("POST", "/v1/users", Mode::write, create_user);
  routes.add("GET", "/v1/users", Mode::read, list_users);
  routes.add("POST", "/v1/users/{}/tokens", Mode::write, create_token);
  routes.add("DELETE", "/v1/tokens/{}", Mode::write, revoke_token);
}

}  // namespace lmp::http
