// The partner account operations and their rules.
#include "domain/partners.hpp"

#include <boost/json/object.hpp>

#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/permissions.hpp"
#include "domain/request_checks.hpp"
#include "domain/unique_names.hpp"

namespace lmp::domain {
namespace {

std::string object_of(const Account& account) {
  return "account:" + std::to_string(account.id);
}

std::string json_of(const AccountView& view) {
  return to_text(account_json(view.account, view.permissions));
}

// A partner account strictly below the caller; not_found otherwise (the caller's own included).
Account visible_partner(const Context& ctx, std::int64_t id) {
  auto account = ctx.db.accounts().find(id);
  if (!account || !ctx.caller.account || !ctx.caller.sees(account->path) ||
      account->id == ctx.caller.account->id)
    throw not_found("partner");
  return *account;
}

std::string_view status_action(AccountStatus status) {
  switch (status) {
    case AccountStatus::active:
      return "partner.activate";
    case AccountStatus::suspended:
      return "partner.suspend";
    case AccountStatus::canceled:
      return "partner.cancel";
  }
  return "partner.cancel";
}

}  // namespace

AccountView view_of(const Context& ctx, const Account& account) {
  return {account,
          account.parent_id ? ctx.db.accounts().permissions(account.id) : std::set<std::string>{}};
}

AccountView create_partner(const Context& ctx, const CreatePartner& request) {
  ctx.require(kManagePartners);
  const std::string name = required_text("name", request.name);
  const auto kind = parse<AccountKind>(required_text("kind", request.kind));
  if (!kind || *kind == AccountKind::parent)
    throw bad_request("kind must be \"msp\" or \"reseller\"");
  auto account = unique_name([&] {
    return ctx.db.accounts().create(
        *kind, name, ctx.caller.account ? &*ctx.caller.account : nullptr, ctx.now_ms);
  });
  ctx.db.accounts().set_permissions(account.id, default_permissions(*kind));
  auto after = view_of(ctx, account);
  ctx.audit("partner.create", object_of(account), account.path, {}, json_of(after));
  return after;
}

std::vector<AccountView> list_partners(const Context& ctx, Page page) {
  ctx.require(kManagePartners);
  std::vector<AccountView> out;
  for (const auto& account : ctx.db.accounts().list_below(ctx.caller.scope, page))
    out.push_back(view_of(ctx, account));
  return out;
}

AccountView get_partner(const Context& ctx, std::int64_t id) {
  ctx.require(kManagePartners);
  return view_of(ctx, visible_partner(ctx, id));
}

AccountView set_partner_permissions(const Context& ctx, const SetPartnerPermissions& request) {
  if (!ctx.caller.is_parent()) throw forbidden("only the parent account sets permissions");
  auto account = visible_partner(ctx, request.id);
  if (!request.permissions)
    throw bad_request("permissions must be a JSON array of permission names");
  std::set<std::string> names;
  for (const auto& name : *request.permissions) {
    if (!is_permission(name)) throw bad_request("unknown permission: \"" + name + "\"");
    names.insert(name);
  }
  auto before = view_of(ctx, account);
  ctx.db.accounts().set_permissions(account.id, names);
  auto after = view_of(ctx, account);
  ctx.audit("partner.permissions", object_of(account), account.path, json_of(before),
            json_of(after));
  return after;
}

AccountView set_partner_status(const Context& ctx, const SetPartnerStatus& request) {
  ctx.require(kManagePartners);
  auto account = visible_partner(ctx, request.id);
  const auto status = parse<AccountStatus>(required_text("status", request.status));
  if (!status) throw bad_request("status must be \"active\", \"suspended\" or \"canceled\"");
  const bool cancel = *status == AccountStatus::canceled;
  if (account.status == AccountStatus::canceled && !cancel)
    throw DomainError(ErrorCode::partner_canceled, "a canceled partner cannot be reactivated");
  if (account.status == *status) return view_of(ctx, account);
  auto before = view_of(ctx, account);
  ctx.db.accounts().set_status(account.id, *status, ctx.now_ms);
  std::int64_t cut_off = 0;
  // Final: every license of every customer below ends now (docs/admin-api.md).
  if (cancel) cut_off = ctx.db.licenses().cut_off_under(account.path, ctx.now_ms);
  auto after = view_of(ctx, *ctx.db.accounts().find(account.id));
  auto recorded = account_json(after.account, after.permissions);
  if (cancel) recorded["licenses_ended"] = cut_off;
  ctx.audit(status_action(*status), object_of(account), account.path, json_of(before),
            to_text(recorded));
  return after;
}

}  // namespace lmp::domain
