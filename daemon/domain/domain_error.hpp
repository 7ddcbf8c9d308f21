// Why the domain refuses an operation: one enum of reasons, each with a message for people. The
// HTTP API maps each reason to its status and error code in one table (http/domain_errors.cpp);
// `lmpd admin` prints the reason and the message. Thrown by operations; it rolls the caller's
// transaction back.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/enum_names.hpp"

namespace lmp::domain {

enum class ErrorCode {
  bad_request,         // a field is missing, malformed or out of range
  not_found,           // no such object, or not in the caller's subtree (never told apart)
  unauthorized,        // a console login with a token that is not valid (a wrong guess)
  forbidden,           // the caller lacks the permission, or its kind may not do this
  account_suspended,   // a write by an account that is suspended (or below one): read-only
  name_taken,          // a name that must be unique exists
  account_not_active,  // the account (or one above it) or the customer is not active
  partner_canceled,    // the customer's partner is canceled, which is final
  customer_disabled,   // a disabled customer redeems a key
  end_of_sale,         // nothing new is sold of the product
  end_of_life,         // the product is gone: nothing about it is served or changed
  key_end_of_life,     // a key of a product past its End of Life: the key cannot be redeemed
  not_trial,           // converting a license that is already full
  invalid_key,         // not a registration key (format or check character)
  key_unknown,         // a well-formed registration key that was never issued
  key_redeemed,
  key_voided,
  pool_exhausted,    // the partner's pool has too few units left
  pool_below_drawn,  // a pool set below what the partner's keys already hold
  already_initialised,
  policy_from_file,  // a site policy kept in the policy file: changed there, not through the API
  customer_in_use,   // deleting a customer that still holds licenses
  // Entitlements from the vendor (docs/entitlements.md): each refusal of an import its own.
  site_server,                  // a site server makes no licenses of its own: it imports them
  not_site_server,              // an import on a server that trusts no vendor key
  entitlement_malformed,        // not a compact EdDSA JWS of an entitlement's JSON
  entitlement_unknown_key,      // signed with a key (kid) the site does not trust
  entitlement_bad_signature,    // the signature does not verify with the trusted key
  entitlement_other_site,       // bound to another site id
  entitlement_not_newer,        // a serial older than, or equal to (with other terms), the one held
  entitlement_expired,          // past its own expiry (`exp`): import a fresh one
  entitlement_unknown_product,  // a product the site's config does not have (or of another unit)
};

template <>
struct EnumNames<ErrorCode> {
  static constexpr EnumName<ErrorCode> kNames[] = {
      {ErrorCode::bad_request, "bad_request"},
      {ErrorCode::not_found, "not_found"},
      {ErrorCode::unauthorized, "unauthorized"},
      {ErrorCode::forbidden, "forbidden"},
      {ErrorCode::account_suspended, "account_suspended"},
      {ErrorCode::name_taken, "name_taken"},
      {ErrorCode::account_not_active, "account_not_active"},
      {ErrorCode::partner_canceled, "partner_canceled"},
      {ErrorCode::customer_disabled, "customer_disabled"},
      {ErrorCode::end_of_sale, "end_of_sale"},
      {ErrorCode::end_of_life, "end_of_life"},
      {ErrorCode::key_end_of_life, "key_end_of_life"},
      {ErrorCode::not_trial, "not_trial"},
      {ErrorCode::invalid_key, "invalid_key"},
      {ErrorCode::key_unknown, "key_unknown"},
      {ErrorCode::key_redeemed, "key_redeemed"},
      {ErrorCode::key_voided, "key_voided"},
      {ErrorCode::pool_exhausted, "pool_exhausted"},
      {ErrorCode::pool_below_drawn, "pool_below_drawn"},
      {ErrorCode::already_initialised, "already_initialised"},
      {ErrorCode::policy_from_file, "policy_from_file"},
      {ErrorCode::customer_in_use, "customer_in_use"},
      {ErrorCode::site_server, "site_server"},
      {ErrorCode::not_site_server, "not_site_server"},
      {ErrorCode::entitlement_malformed, "entitlement_malformed"},
      {ErrorCode::entitlement_unknown_key, "entitlement_unknown_key"},
      {ErrorCode::entitlement_bad_signature, "entitlement_bad_signature"},
      {ErrorCode::entitlement_other_site, "entitlement_other_site"},
      {ErrorCode::entitlement_not_newer, "entitlement_not_newer"},
      {ErrorCode::entitlement_expired, "entitlement_expired"},
      {ErrorCode::entitlement_unknown_product, "entitlement_unknown_product"}};
};

// One thing wrong with a document at its JSON path (a site policy's `max[0].units`), with what.
struct PathProblem {
  std::string path;
  std::string message;
};

class DomainError : public std::runtime_error {
 public:
  DomainError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  // A refusal of a whole document: the message names every problem, and `problems` lists them
  // one by one, so that a client (the web console) can show each at its path.
  DomainError(ErrorCode code, const std::string& message, std::vector<PathProblem> problems)
      : std::runtime_error(message), code_(code), problems_(std::move(problems)) {}
  ErrorCode code() const { return code_; }
  const std::vector<PathProblem>& problems() const { return problems_; }

 private:
  ErrorCode code_;
  std::vector<PathProblem> problems_;
};

inline DomainError bad_request(const std::string& message) {
  return DomainError(ErrorCode::bad_request, message);
}
// The same answer for what does not exist and for what lies outside the caller's subtree.
inline DomainError not_found(std::string_view what) {
  return DomainError(ErrorCode::not_found, "no such " + std::string(what));
}
inline DomainError forbidden(const std::string& message) {
  return DomainError(ErrorCode::forbidden, message);
}

}  // namespace lmp::domain
