// The statuses and error codes of the domain's refusals (docs/admin-api.md, errors).
#include "http/domain_errors.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "http/json_response.hpp"

namespace lmp::http {
namespace json = boost::json;

namespace {

using domain::ErrorCode;

struct Entry {
  ErrorCode domain;
  HttpRefusal http;
};

constexpr Entry kTable[] = {
    {ErrorCode::bad_request, {400, "bad_request"}},
    {ErrorCode::not_found, {404, "not_found"}},
    // A token typed into the console's login: charged to the address's budget as a guess.
    {ErrorCode::unauthorized, {401, "unauthorized", true}},
    {ErrorCode::forbidden, {403, "forbidden"}},
    {ErrorCode::account_suspended, {403, "account_suspended"}},
    {ErrorCode::name_taken, {409, "name_taken"}},
    {ErrorCode::customer_in_use, {409, "customer_in_use"}},
    {ErrorCode::account_not_active, {409, "account_not_active"}},
    {ErrorCode::partner_canceled, {409, "partner_canceled"}},
    {ErrorCode::customer_disabled, {409, "customer_disabled"}},
    {ErrorCode::end_of_sale, {409, "end_of_sale"}},
    // Acting on a product that is gone is forbidden, as on the seat path; a key of such a
    // product is a conflict of the key's state.
    {ErrorCode::end_of_life, {403, "end_of_life"}},
    {ErrorCode::key_end_of_life, {409, "end_of_life"}},
    {ErrorCode::not_trial, {409, "not_trial"}},
    {ErrorCode::invalid_key, {400, "invalid_key", true}},
    {ErrorCode::key_unknown, {404, "key_unknown", true}},
    {ErrorCode::key_redeemed, {409, "key_redeemed"}},
    {ErrorCode::key_voided, {409, "key_voided"}},
    {ErrorCode::pool_exhausted, {409, "pool_exhausted"}},
    {ErrorCode::pool_below_drawn, {409, "pool_below_drawn"}},
    {ErrorCode::already_initialised, {409, "already_initialised"}},
    {ErrorCode::policy_from_file, {409, "policy_from_file"}},
    // Entitlements: what cannot be read is a bad request; what is read but not trusted, or does
    // not fit this site, is unprocessable; a serial the site holds already is a conflict.
    {ErrorCode::site_server, {409, "site_server"}},
    {ErrorCode::not_site_server, {409, "not_site_server"}},
    {ErrorCode::entitlement_malformed, {400, "entitlement_malformed"}},
    {ErrorCode::entitlement_unknown_key, {422, "entitlement_unknown_key"}},
    {ErrorCode::entitlement_bad_signature, {422, "entitlement_bad_signature"}},
    {ErrorCode::entitlement_other_site, {422, "entitlement_other_site"}},
    {ErrorCode::entitlement_not_newer, {409, "entitlement_not_newer"}},
    {ErrorCode::entitlement_expired, {422, "entitlement_expired"}},
    {ErrorCode::entitlement_unknown_product, {422, "entitlement_unknown_product"}},
};

}  // namespace

const HttpRefusal& http_refusal(ErrorCode code) {
  for (const auto& entry : kTable)
    if (entry.domain == code) return entry.http;
  static constexpr HttpRefusal kInternal{500, "internal"};
  return kInternal;
}

HttpResponse error_response(const domain::DomainError& error) {
  const auto& refusal = http_refusal(error.code());
  if (error.problems().empty()) return error_response(refusal.status, refusal.code, error.what());
  // A refused document: each problem at its JSON path too, beside the message that names them all.
  json::array problems;
  for (const auto& p : error.problems())
    problems.push_back(json::object{{"path", p.path}, {"message", p.message}});
  return json_response(refusal.status,
                       json::object{{"error", json::object{{"code", refusal.code},
                                                           {"message", error.what()},
                                                           {"problems", std::move(problems)}}}});
}

}  // namespace lmp::http
