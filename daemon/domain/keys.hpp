// The registration key operations: issue keys from a service plan (drawing from the issuer's
// pool), list, read, void, and redeem one into a customer's license with a fresh activation code.
// Key texts and activation codes are shown once and never stored or audited; only their hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/credentials.hpp"
#include "domain/customer.hpp"
#include "domain/license.hpp"
#include "domain/page.hpp"
#include "domain/registration_key.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

struct IssueKeys {
  std::optional<std::int64_t> plan_id;
  std::optional<std::int64_t> units;  // of each key
  std::optional<std::int64_t> count;  // default 1
};

struct IssuedKey {
  RegistrationKey key;
  std::string text;  // formatted, "AB-XXXX-XXXX-XXXX-XXXX"; shown once
};

struct RedeemKey {
  std::optional<std::string> key;
  // Without a token: the customer to create, and the name of its first user (default "admin").
  std::optional<std::string> customer;
  std::optional<std::string> user;
};

struct Redemption {
  Customer customer;
  // A customer created by the redemption, with its first user and token; none when a customer's
  // user redeemed for its own customer.
  std::optional<User> user;
  std::optional<IssuedToken> token;
  std::int64_t license_id = 0;
  NewLicense license;
  std::string code;  // the activation code's 20 digits, unformatted; shown once
  RegistrationKey key;
};

// Needs create_registration_keys; the plan must be the caller's or from an account above or below
// it, its product for sale; the whole batch draws from the caller's pool at once.
std::vector<IssuedKey> issue_keys(const Context& ctx, const IssueKeys& request);
std::vector<RegistrationKey> list_keys(const Context& ctx, Page page);
RegistrationKey get_key(const Context& ctx, std::int64_t id);
// Only an issued key is voided (key_redeemed, key_voided otherwise); its units go back to the
// issuer's pool.
RegistrationKey void_key(const Context& ctx, std::int64_t id);
// Product `product` reached End of Life: no key of it can be redeemed any more, so each one still
// issued is voided as void_key would (its units back to the issuer's pool, a `key.void` record by
// the context's caller). Returns how many. REQUIRES the context's write transaction.
std::int64_t void_keys_of_ended_product(const Context& ctx, const std::string& product);
// By a customer's user (for its customer) or without a token (a new customer under the key's
// issuer); a key with a bad format or check character is invalid_key, an unknown one
// key_unknown: both are wrong guesses.
Redemption redeem_key(const Context& ctx, const RedeemKey& request);

}  // namespace lmp::domain
