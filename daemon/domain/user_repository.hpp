// The users and their bearer tokens (a port: storage implements it). Every method REQUIRES the
// unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/token.hpp"
#include "domain/user.hpp"

namespace lmp::domain {

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  // REQUIRES: exactly one of account_id and customer_id.
  virtual User create(const std::string& name, std::optional<std::int64_t> account_id,
                      std::optional<std::int64_t> customer_id, std::int64_t now_ms) = 0;
  virtual std::optional<User> find(std::int64_t id) = 0;
  // The users of the account (or, without one, of the customer).
  virtual std::vector<User> list(std::optional<std::int64_t> account_id,
                                 std::optional<std::int64_t> customer_id, Page page) = 0;

  // Stores the token's hash; DuplicateError when it exists (the caller draws again).
  virtual Token create_token(std::int64_t user_id, const std::string& token_hash,
                             std::int64_t now_ms, std::optional<std::int64_t> expires_at_ms) = 0;
  // The token with this hash, revoked or not.
  virtual std::optional<Token> find_token_by_hash(const std::string& token_hash) = 0;
  virtual std::optional<Token> find_token(std::int64_t id) = 0;
  virtual void revoke_token(std::int64_t id, std::int64_t now_ms) = 0;
  // The user's tokens, revoked and expired ones too, by id.
  virtual std::vector<Token> list_tokens(std::int64_t user_id, Page page) = 0;
  virtual void rename(std::int64_t id, const std::string& name) = 0;
  // The user with this login name (domain/passwords.hpp normalized_login).
  virtual std::optional<User> find_by_login(const std::string& login) = 0;
  // The stored password hash of the user; nullopt when it has none.
  virtual std::optional<std::string> password_hash(std::int64_t id) = 0;
  // Sets the user's login name and password hash; DuplicateError when another user has the
  // login.
  virtual void set_password(std::int64_t id, const std::string& login,
                            const std::string& password_hash, std::int64_t now_ms) = 0;
  // Deletes the user and its tokens.
  virtual void remove(std::int64_t id) = 0;
};

}  // namespace lmp::domain
