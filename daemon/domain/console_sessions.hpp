// The web console's login: a session opened with a bearer token or a user's password, held by the
// browser as an HttpOnly cookie, and the CSRF token bound to it that every change sent with the
// cookie carries (docs/console.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/context.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// How long a session lasts from its login (12 hours): a working day, after which the browser
// asks for the token again.
inline constexpr std::int64_t kConsoleSessionMs = 12 * 3'600'000;

struct OpenedSession {
  std::string id;          // the cookie's value: 160 random bits, never stored
  std::string csrf_token;  // what the console sends in X-CSRF-Token with every change
  std::int64_t expires_at_ms = 0;
};

// Opens a session for the holder of bearer token `token`. Throws DomainError unauthorized for
// a token that would not be accepted as a bearer token (unknown, revoked, expired, of a canceled
// account): a wrong guess. REQUIRES: inside the unit of work's write transaction.
OpenedSession open_console_session(UnitOfWork& db, std::string_view token, std::int64_t now_ms);

// Opens a session acting as the user whose login is `login`, when `password` is its password
// (domain/passwords.hpp). nullopt for every wrong guess alike (no such login, no password set,
// a wrong password, a canceled account), after the same time: the dummy hash is checked when
// there is no hash to check. Audits "console.login" (the user as actor) and, for a user that
// exists, "console.login_failed" (anonymous actor, in the user's scope): the caller commits both.
// A hash made at a lower cost than the current one is made again. REQUIRES: inside the unit of
// work's write transaction.
std::optional<OpenedSession> open_password_session(const Context& ctx, std::string_view login,
                                                   std::string_view password);

// Who a live session acts as: the token it was opened with (checked as a bearer token is by the
// caller) or, for a password login, its user alone.
struct SessionHolder {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> token_id;
};
// nullopt for an unknown or expired session.
std::optional<SessionHolder> console_session_holder(UnitOfWork& db, std::string_view session_id,
                                                    std::int64_t now_ms);

// Ends the session (logout); nothing happens for an unknown one.
void close_console_session(UnitOfWork& db, std::string_view session_id);

// The CSRF token of a session: derived from its id, which only the browser holds (HttpOnly), so
// another site can neither read nor compute it.
std::string console_csrf_token(std::string_view session_id);
// True when `sent` is the session's CSRF token (compared in constant time).
bool console_csrf_matches(std::string_view session_id, std::string_view sent);

// A session id's form (40 lowercase hex digits); anything else is no session.
bool is_console_session_id(std::string_view text);

}  // namespace lmp::domain
