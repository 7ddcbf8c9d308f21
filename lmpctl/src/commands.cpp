// The commands of lmpctl, one entry per endpoint of docs/admin-api.md. A new endpoint is a new
// entry here: the parser, the usage text, the request and the output follow from it.
#include "command_spec.hpp"

namespace lmpctl {

namespace {

using T = ParamType;

// An ID positional filling the path's {id}.
constexpr Param kId = arg("id", T::integer);

const std::vector<std::string_view> kAccountColumns = {"id",     "kind",   "name",
                                                       "parent", "status", "created"};
const std::vector<std::string_view> kCustomerColumns = {"id", "name", "account", "status",
                                                        "created"};

// `RESOURCE VERB ID`: POST `path` with the fixed body `status` ({"status":"..."}).
CommandSpec status_change(std::string_view resource, std::string_view verb, std::string_view path,
                          std::string_view status, std::string_view summary) {
  return {.words = {resource, verb},
          .method = "POST",
          .path = path,
          .params = {kId},
          .fixed_body = status,
          .summary = summary};
}

}  // namespace

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> kCommands = {
      {.words = {"me"}, .method = "GET", .path = "/v1/me", .summary = "who the token belongs to"},

      {.words = {"partners", "list"},
       .method = "GET",
       .path = "/v1/partners",
       .columns = kAccountColumns,
       .paged = true,
       .summary = "the partners below the caller"},
      {.words = {"partners", "get"},
       .method = "GET",
       .path = "/v1/partners/{id}",
       .params = {kId},
       .summary = "one partner"},
      {.words = {"partners", "create"},
       .method = "POST",
       .path = "/v1/partners",
       .params = {required_opt("name"), required_opt("kind")},
       .summary = "a new partner; --kind msp or reseller"},
      {.words = {"partners", "set-permissions"},
       .method = "PUT",
       .path = "/v1/partners/{id}/permissions",
       .params = {kId, Param{.name = "permission",
                             .source = ParamSource::positional,
                             .type = T::list,
                             .key = "permissions"}},
       .summary = "replace a partner's permissions (the parent only; none given: none left)"},
      status_change("partners", "activate", "/v1/partners/{id}/status", R"({"status":"active"})",
                    "lift a suspension"),
      status_change("partners", "suspend", "/v1/partners/{id}/status", R"({"status":"suspended"})",
                    "make a partner read-only"),
      status_change("partners", "cancel", "/v1/partners/{id}/status", R"({"status":"canceled"})",
                    "cancel a partner for good: its customers' licenses end now"),

      {.words = {"customers", "list"},
       .method = "GET",
       .path = "/v1/customers",
       .columns = kCustomerColumns,
       .paged = true,
       .summary = "the customers of the caller's subtree"},
      {.words = {"customers", "get"},
       .method = "GET",
       .path = "/v1/customers/{id}",
       .params = {kId},
       .summary = "one customer, with its number of licenses"},
      {.words = {"customers", "create"},
       .method = "POST",
       .path = "/v1/customers",
       .params = {required_opt("name"), opt("account", T::integer)},
       .summary = "a new customer under the caller or the account --account"},
      status_change("customers", "enable", "/v1/customers/{id}/status", R"({"status":"enabled"})",
                    "licenses run on their own dates again"),
      status_change("customers", "disable", "/v1/customers/{id}/status", R"({"status":"disabled"})",
                    "every license of the customer expires now"),

      {.words = {"users", "list"},
       .method = "GET",
       .path = "/v1/users",
       .columns = {"id", "name", "account", "customer", "created"},
       .paged = true,
       .summary = "the users of the caller's own account or customer"},
      {.words = {"users", "create"},
       .method = "POST",
       .path = "/v1/users",
       .params = {required_opt("name"), opt("account", T::integer), opt("customer", T::integer)},
       .summary = "a new user and its first token (shown once)"},

      {.words = {"tokens", "create"},
       .method = "POST",
       .path = "/v1/users/{user}/tokens",
       .params = {arg("user", T::integer)},
       .summary = "another token for a user (shown once)"},
      {.words = {"tokens", "revoke"},
       .method = "DELETE",
       .path = "/v1/tokens/{id}",
       .params = {kId},
       .summary = "revoke a token"},

      {.words = {"audit"},
       .method = "GET",
       .path = "/v1/audit",
       .params = {opt("account", T::integer), opt("customer", T::integer), opt("action"),
                  opt("object"), opt("from", T::integer), opt("to", T::integer)},
       .columns = {"id", "time", "actor.user", "action", "object"},
       .paged = true,
       .summary = "the audit log; --from/--to in Unix seconds (from <= time < to)"},

      {.words = {"seat", "activate"},
       .method = "POST",
       .path = "/v1/seat/activate",
       .params = {required_opt("code"), opt("host"), opt("user")},
       .auth = false,
       .summary = "record an activation, describe the license"},
      {.words = {"seat", "checkout"},
       .method = "POST",
       .path = "/v1/seat/checkout",
       .params = {required_opt("code"), opt("product"), opt("units", T::integer), opt("host"),
                  opt("user"), Param{.name = "wait", .type = T::integer, .adds_to_timeout = true}},
       .auth = false,
       .summary = "take units of a license (a lease)"},
      {.words = {"seat", "heartbeat"},
       .method = "POST",
       .path = "/v1/seat/heartbeat",
       .params = {arg("lease")},
       .auth = false,
       .summary = "extend a lease"},
      {.words = {"seat", "checkin"},
       .method = "POST",
       .path = "/v1/seat/checkin",
       .params = {arg("lease")},
       .auth = false,
       .summary = "give a lease back"},
      {.words = {"seat", "status"},
       .method = "POST",
       .path = "/v1/seat/status",
       .params = {required_opt("code"), opt("product")},
       .auth = false,
       .summary = "a license's state and usage"},

      {.words = {"health"},
       .method = "GET",
       .path = "/healthz",
       .auth = false,
       .summary = "liveness (/healthz)"},
      {.words = {"ready"},
       .method = "GET",
       .path = "/readyz",
       .auth = false,
       .summary = "readiness (/readyz); exit 3 while the server drains"},

      // The escape hatch: any endpoint, the token sent when there is one.
      {.words = {"api"},
       .params = {arg("method"), arg("path"), opt("data"), opt("field", T::list)},
       .auth = false,
       .summary = "any call: --data '{...}' or --field k=v / k:=JSON (repeatable)"},
  };
  return kCommands;
}

}  // namespace lmpctl
