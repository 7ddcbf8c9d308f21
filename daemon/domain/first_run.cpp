// The first-run step and token issuing.
#include "domain/first_run.hpp"

#include <boost/json/object.hpp>

#include "domain/cli_changes.hpp"
#include "domain/credentials.hpp"
#include "domain/domain_json.hpp"

namespace lmp::domain {

FirstRun initialise(UnitOfWork& db, const std::string& account_name, const std::string& user_name,
                    std::int64_t now_ms) {
  Transaction transaction(db, TransactionMode::write);
  if (auto existing = db.accounts().root())
    throw AlreadyInitialised("already initialised: the parent account '" + existing->name +
                             "' exists");
  FirstRun out;
  out.parent = db.accounts().create(AccountKind::parent, account_name, nullptr, now_ms);
  db.customers().adopt_orphans(out.parent.id);
  out.admin = db.users().create(user_name, out.parent.id, std::nullopt, now_ms);
  out.token = issue_token(db, out.admin.id, now_ms).text;
  auto after = account_json(out.parent, {});
  after["admin_user"] = user_json(out.admin);
  db.audit().append(cli_record(now_ms, "account.initialise",
                               "account:" + std::to_string(out.parent.id), out.parent.path,
                               to_text(after)));
  transaction.commit();
  return out;
}

}  // namespace lmp::domain
