// Console sessions: drawn from the kernel CSPRNG, stored as a SHA-256, tied to a bearer token.
#include "domain/console_sessions.hpp"

#include "core/secure_random.hpp"
#include "core/sha256.hpp"
#include "domain/caller.hpp"
#include "domain/credentials.hpp"
#include "domain/domain_error.hpp"

namespace lmp::domain {

namespace {

constexpr std::size_t kSessionIdBytes = 20;

std::string session_hash(std::string_view session_id) {
  return sha256_hex(session_id);
}

}  // namespace

OpenedSession open_console_session(UnitOfWork& db, std::string_view token, std::int64_t now_ms) {
  // The same refusal for each reason, as the API's 401 (an expired token is told so there, to
  // a holder who already proved it has it; a login form would tell a guesser).
  const auto row = db.users().find_token_by_hash(token_hash(token));
  if (!row || !load_caller(db, row->id, now_ms))
    throw DomainError(ErrorCode::unauthorized, "the token is not valid");
  db.console_sessions().remove_expired(now_ms);
  // A session never outlives its token.
  std::int64_t expires = now_ms + kConsoleSessionMs;
  if (row->expires_at_ms && *row->expires_at_ms < expires) expires = *row->expires_at_ms;
  for (int attempt = 0;; ++attempt) {
    std::string id = random_hex(kSessionIdBytes);
    try {
      db.console_sessions().create(ConsoleSession{session_hash(id), row->id, now_ms, expires});
      std::string csrf = console_csrf_token(id);
      return {std::move(id), std::move(csrf), expires};
    } catch (const DuplicateError&) {
      if (attempt >= 3) throw;
    }
  }
}

std::optional<std::int64_t> console_session_token(UnitOfWork& db, std::string_view session_id,
                                                  std::int64_t now_ms) {
  if (!is_console_session_id(session_id)) return std::nullopt;
  const auto session = db.console_sessions().find(session_hash(session_id));
  if (!session || now_ms >= session->expires_at_ms) return std::nullopt;
  return session->token_id;
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
