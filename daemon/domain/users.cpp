// The user and token operations and their rules.
#include "domain/users.hpp"

namespace lmp::domain {

Me describe_me(const Context& ctx) {
  const auto& caller = ctx.caller;
  Me me;
  me.user = *ctx.db.users().find(caller.user_id);
  me.token_id = caller.token_id;
  if (caller.account)
    me.account = view_of(ctx, *caller.account);
  else
    me.customer = caller.customer;
  me.permissions = caller.permissions;
  me.read_only = caller.read_only;
  return me;
}

}  // namespace lmp::domain
