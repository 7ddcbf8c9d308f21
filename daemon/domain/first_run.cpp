// The first-run step and token issuing.
#include "domain/first_run.hpp"

#include <boost/json/object.hpp>

#include "domain/cli_changes.hpp"
#include "domain/credentials.hpp"
#include "domain/domain_json.hpp"
#include "storage/seat_store.hpp"

namespace lmp::domain {

std::pair<std::string, storage::Token> issue_token(storage::DomainStore& store,
                                                   std::int64_t user_id, std::int64_t now_ms) {
  for (int attempt = 0;; ++attempt) {
    std::string token = new_token();
    try {
      auto row = store.create_token(user_id, token_hash(token), now_ms);
      return {std::move(token), row};
    } catch (const storage::DuplicateError&) {
      if (attempt >= 3) throw;
    }
  }
}

FirstRun initialise(storage::DomainStore& store, const std::string& account_name,
                    const std::string& user_name, std::int64_t now_ms) {
  store.begin();
  try {
    if (auto existing = store.root_account())
      throw AlreadyInitialised("already initialised: the parent account '" + existing->name +
                               "' exists");
    FirstRun out;
    out.parent = store.create_account(AccountKind::parent, account_name, nullptr, now_ms);
    store.adopt_orphan_customers(out.parent.id);
    out.admin = store.create_user(user_name, out.parent.id, std::nullopt, now_ms);
    auto issued = issue_token(store, out.admin.id, now_ms);
    out.token = std::move(issued.first);
    auto after = account_json(out.parent, {});
    after["admin_user"] = user_json(out.admin);
    store.append_audit(cli_record(now_ms, "account.initialise",
                                  "account:" + std::to_string(out.parent.id), out.parent.path,
                                  to_text(after)));
    store.commit();
    return out;
  } catch (...) {
    store.rollback();
    throw;
  }
}

}  // namespace lmp::domain
