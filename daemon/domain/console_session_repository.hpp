// The web console's login sessions (a port: storage implements it). Every method REQUIRES the
// unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/console_session.hpp"

namespace lmp::domain {

class ConsoleSessionRepository {
 public:
  virtual ~ConsoleSessionRepository() = default;

  // DuplicateError when a session with this id hash exists (the caller draws again).
  virtual void create(const ConsoleSession& session) = 0;
  virtual std::optional<ConsoleSession> find(const std::string& id_hash) = 0;
  virtual void remove(const std::string& id_hash) = 0;
  // Deletes the sessions that expired before `now_ms`.
  virtual void remove_expired(std::int64_t now_ms) = 0;
  // Deletes the user's sessions opened with its password (its password changed).
  virtual void remove_password_sessions(std::int64_t user_id) = 0;
};

}  // namespace lmp::domain
