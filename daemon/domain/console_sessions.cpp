// Console sessions: drawn from the kernel CSPRNG, stored as a SHA-256, tied to a bearer token or
// to a user who logged in with its password.
#include "domain/console_sessions.hpp"

#include <boost/json/object.hpp>

#include "core/secure_random.hpp"
#include "core/sha256.hpp"
#include "domain/caller.hpp"
#include "domain/credentials.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/passwords.hpp"

namespace lmp::domain {

namespace {

constexpr std::size_t kSessionIdBytes = 20;

std::string session_hash(std::string_view session_id) {
  return sha256_hex(session_id);
}

// Draws the session's id (again on the astronomically rare clash) and stores its hash; expired
// sessions are deleted on the way.
OpenedSession create_session(UnitOfWork& db, std::int64_t user_id,
                             std::optional<std::int64_t> token_id, std::int64_t expires,
                             std::int64_t now_ms) {
  db.console_sessions().remove_expired(now_ms);
  for (int attempt = 0;; ++attempt) {
    std::string id = random_hex(kSessionIdBytes);
    try {
      db.console_sessions().create(
          ConsoleSession{session_hash(id), user_id, token_id, now_ms, expires});
      std::string csrf = console_csrf_token(id);
      return {std::move(id), std::move(csrf), expires};
    } catch (const DuplicateError&) {
      if (attempt >= 3) throw;
    }
  }
}

}  // namespace

OpenedSession open_console_session(UnitOfWork& db, std::string_view token, std::int64_t now_ms) {
  // The same refusal for each reason, as the API's 401 (an expired token is told so there, to
  // a holder who already proved it has it; a login form would tell a guesser).
  const auto row = db.users().find_token_by_hash(token_hash(token));
  if (!row || !load_caller(db, row->id, now_ms))
    throw DomainError(ErrorCode::unauthorized, "the token is not valid");
  // A session never outlives its token.
  std::int64_t expires = now_ms + kConsoleSessionMs;
  if (row->expires_at_ms && *row->expires_at_ms < expires) expires = *row->expires_at_ms;
  return create_session(db, row->user_id, row->id, expires, now_ms);
}

std::optional<OpenedSession> open_password_session(const Context& ctx, std::string_view login,
                                                   std::string_view password) {
  // A login that is not one of the rule's form cannot exist: it is looked up all the same as an
  // unknown one, for the same answer and time.
  std::optional<User> user;
  try {
    user = ctx.db.users().find_by_login(normalized_login(login));
  } catch (const DomainError&) {
  }
  const auto hash = user ? ctx.db.users().password_hash(user->id) : std::nullopt;
  const bool matches = hash ? password_matches(*hash, password) : false;
  if (!hash) spend_password_check(password);
  const auto caller = user ? load_user_caller(ctx.db, user->id) : std::nullopt;
  const std::string object = user ? "user:" + std::to_string(user->id) : std::string();
  if (!matches || !caller) {
    // Recorded where the user's managers see it; a login nobody has leaves no record (the
    // address's guessing budget is what stops a guesser).
    if (user && caller)
      ctx.audit("console.login_failed", object, caller->scope, {},
                to_text(boost::json::object{{"login", *user->login}}));
    return std::nullopt;
  }
  if (password_needs_rehash(*hash))
    ctx.db.users().set_password(user->id, *user->login, hash_password(password),
                                user->password_set_at_ms.value_or(ctx.now_ms));
  const Context as_user{ctx.db, *caller, ctx.now_ms, ctx.products, ctx.seats, ctx.trust};
  as_user.audit("console.login", object, caller->scope, {},
                to_text(boost::json::object{{"login", *user->login}}));
  return create_session(ctx.db, user->id, std::nullopt, ctx.now_ms + kConsoleSessionMs, ctx.now_ms);
}

std::optional<SessionHolder> console_session_holder(UnitOfWork& db, std::string_view session_id,
                                                    std::int64_t now_ms) {
  if (!is_console_session_id(session_id)) return std::nullopt;
  const auto session = db.console_sessions().find(session_hash(session_id));
  if (!session || now_ms >= session->expires_at_ms) return std::nullopt;
  return SessionHolder{session->user_id, session->token_id};
}

void close_console_session(UnitOfWork& db, std::string_view session_id) {
  if (is_console_session_id(session_id)) db.console_sessions().remove(session_hash(session_id));
}

std::string console_csrf_token(std::string_view session_id) {
  // A domain-separated digest: never equal to the stored hash of the id.
  return sha256_hex("lmp-console-csrf:" + std::string(session_id));
}

bool console_csrf_matches(std::string_view session_id, std::string_view sent) {
  // Digests of both compared: how long a comparison takes tells nothing about the token.
  return sha256_hex(sent) == sha256_hex(console_csrf_token(session_id));
}

bool is_console_session_id(std::string_view text) {
  if (text.size() != kSessionIdBytes * 2) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace lmp::domain
