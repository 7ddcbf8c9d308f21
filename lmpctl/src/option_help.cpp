// What each option of lmpctl's commands means, for `lmpctl COMMAND --help` and the manual page:
// one description per option name, since a name means the same in every command that takes it.
#include "option_help.hpp"

#include <map>

namespace lmpctl {

namespace {

const std::map<std::string_view, std::string_view>& descriptions() {
  static const std::map<std::string_view, std::string_view> kDescriptions = {
      {"account", "the account (a partner) it concerns"},
      {"action", "only records of this action (customer.disable, ...)"},
      {"address", "the endpoint's IP address"},
      {"after", "start after this cursor (the `next` of the page before)"},
      {"at", "when it takes effect (default: now)"},
      {"auto-renew", "renew at the end of each period"},
      {"borrowed", "only borrowed leases (true) or only the others (false)"},
      {"code", "the license's activation code"},
      {"count", "how many (default 1)"},
      {"customer", "the customer"},
      {"data", "the request's JSON body"},
      {"days", "a term of this many days"},
      {"display-name", "the name shown to customers"},
      {"dry-run", "count what would happen, changing nothing"},
      {"expires", "when it expires"},
      {"field", "a body field (or query parameter): k=v for text, k:=JSON for any JSON value"},
      {"from", "the start of the range (included)"},
      {"grace-days", "days a license keeps working after it expires"},
      {"group", "what the rows are counted by"},
      {"host", "the endpoint's host name"},
      {"key", "the registration key"},
      {"kind", "msp or reseller"},
      {"license", "the license's id"},
      {"limit", "at most N items (the server's default 100, at most 1000)"},
      {"logo-url", "the logo's URL"},
      {"name", "the name"},
      {"notice-days", "days before expiry the renewal notice goes out"},
      {"object", "only records about this object (customer:7, ...)"},
      {"partner", "the partner (an account below the caller)"},
      {"period", "the rows' period: all, hour, day or month"},
      {"period-days", "the length of one period, in days"},
      {"plan", "the service plan"},
      {"primary-color", "the primary color (#RRGGBB)"},
      {"product", "the product"},
      {"reason", "why, for the audit log"},
      {"site", "the site id of the server it is for (`lmpd admin site-id` there)"},
      {"starts", "when it starts (default: now)"},
      {"state", "only licenses in this state"},
      {"support-email", "the support e-mail address"},
      {"support-url", "the support web address"},
      {"to", "the end of the range (excluded; default: now)"},
      {"trial", "a trial (true) or a full (false) license or plan"},
      {"type", "only events of this type"},
      {"units", "a number of units"},
      {"url", "the address events are posted to"},
      {"user", "the user"},
      {"valid-days", "how many days the entitlement is valid"},
      {"wait", "wait up to this many seconds for a free unit"},
  };
  return kDescriptions;
}

}  // namespace

std::string option_help(const Param& param) {
  const auto found = descriptions().find(param.name);
  std::string out = found == descriptions().end() ? std::string() : std::string(found->second);
  if (param.names != Names::nothing)
    out += param.names == Names::product ? ": its code or name" : ": its name or id";
  if (param.type == ParamType::time) out += " (Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z)";
  if (param.type == ParamType::boolean) out += " (true or false)";
  if (param.type == ParamType::list) out += " (again for more)";
  return out;
}

}  // namespace lmpctl
