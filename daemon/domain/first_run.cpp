// The first-run step.
#include "domain/first_run.hpp"

#include <boost/json/object.hpp>

#include "domain/caller.hpp"
#include "domain/context.hpp"
#include "domain/credentials.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/request_checks.hpp"

namespace lmp::domain {

FirstRun initialise(UnitOfWork& db, const std::string& account_name, const std::string& user_name,
                    std::int64_t now_ms, const TokenExpiry& token_expiry) {
  required_text("name", account_name);
  required_text("user", user_name);
  const auto expires = domain::token_expiry(token_expiry, now_ms);
  Transaction transaction(db, TransactionMode::write);
  if (auto existing = db.accounts().root())
    throw DomainError(ErrorCode::already_initialised,
                      "already initialised: the parent account '" + existing->name + "' exists");
  const Caller local_operator = Caller::local_operator(std::nullopt);
  const Products no_products;
  const Context ctx{db, local_operator, now_ms, no_products};
  FirstRun out;
  out.parent = db.accounts().create(AccountKind::parent, account_name, nullptr, now_ms);
  db.customers().adopt_orphans(out.parent.id);
  out.admin = db.users().create(user_name, out.parent.id, std::nullopt, now_ms);
  auto issued = issue_token(db, out.admin.id, now_ms, expires);
  out.token = std::move(issued.text);
  out.token_expires_at_ms = issued.token.expires_at_ms;
  auto after = account_json(out.parent, {});
  after["admin_user"] = user_json(out.admin);
  ctx.audit("account.initialise", "account:" + std::to_string(out.parent.id), out.parent.path, {},
            to_text(after));
  transaction.commit();
  return out;
}

}  // namespace lmp::domain
