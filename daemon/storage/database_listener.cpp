// DatabaseListener: libpq directly, not SOCI, which has no interface to notifications. The
// connection is made without blocking so that stop() never waits for an unreachable server, and
// with TCP keepalives so that a connection lost without a word is noticed within a minute.
#include "storage/database_listener.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <string_view>
#include <system_error>
#include <thread>

#include "core/log.hpp"

namespace lmp::storage {

namespace {

constexpr int kRetryMs = 1000;
constexpr int kConnectTimeoutMs = 10'000;

std::string message_of(const PGconn* connection) {
  std::string text = connection != nullptr ? PQerrorMessage(connection) : "out of memory";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

struct DatabaseListener::State {
  std::string connection;
  UnitsFreed units_freed;
  std::shared_ptr<DatabaseNews> news;
  int wake_read = -1;  // a byte written to wake_write ends the thread
  int wake_write = -1;
  std::atomic<bool> stopping{false};
  bool failing = false;  // the last attempt failed: logged once, until one succeeds
  std::thread thread;

  // Waits until `fd` is ready for `events` or `timeout_ms` passed (-1: no limit). False when
  // stopping (or the wait failed).
  bool wait(int fd, short events, int timeout_ms, bool* ready) {
    pollfd fds[2] = {{wake_read, POLLIN, 0}, {fd, events, 0}};
    const nfds_t count = fd >= 0 ? 2 : 1;
    for (;;) {
      const int n = ::poll(fds, count, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[0].revents & POLLIN) != 0 || stopping.load()) return false;
      *ready = count == 2 && fds[1].revents != 0;
      return true;
    }
  }

  void failed(std::string_view what, const std::string& error) {
    if (!failing)
      log::warning("database_listener_failed",
                   {{"step", std::string(what)},
                    {"error", error},
                    {"effect",
                     "until it reconnects (retried every second) waiters are offered "
                     "units freed elsewhere at each sweep, and every batch reads the "
                     "rows it would otherwise keep"}});
    failing = true;
  }

  // A connection that listens, or null (stopping, or failed: logged).
  PGconn* connect() {
    // Later keywords override what the connection string says (expand_dbname).
    const char* const keywords[] = {"dbname",           "keepalives",
                                    "keepalives_idle",  "keepalives_interval",
                                    "keepalives_count", nullptr};
    const char* const values[] = {connection.c_str(), "1", "30", "10", "3", nullptr};
    PGconn* conn = PQconnectStartParams(keywords, values, 1);
    if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
      failed("connect", message_of(conn));
      PQfinish(conn);
      return nullptr;
    }
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
      if (status == PGRES_POLLING_FAILED) {
        failed("connect", message_of(conn));
        PQfinish(conn);
        return nullptr;
      }
      bool ready = false;
      if (!wait(PQsocket(conn), status == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                kConnectTimeoutMs, &ready)) {
        PQfinish(conn);
        return nullptr;
      }
      if (!ready) {
        failed("connect", "no answer within 10 s");
        PQfinish(conn);
        return nullptr;
      }
      status = PQconnectPoll(conn);
    }
    PGresult* result = PQexec(
        conn, (std::string("LISTEN ") + kUnitsFreedChannel + "; LISTEN " + kNewsChannel).c_str());
    const bool listening = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!listening) {
      failed("listen", message_of(conn));
      PQfinish(conn);
      return nullptr;
    }
    if (failing) log::info("database_listener_recovered");
    failing = false;
    return conn;
  }

  // Hands on what arrives until the connection fails (false) or stop() (true).
  bool listen(PGconn* conn) {
    for (;;) {
      bool ready = false;
      if (!wait(PQsocket(conn), POLLIN, -1, &ready)) return true;
      if (PQconsumeInput(conn) == 0) {
        failed("receive", message_of(conn));
        return false;
      }
      while (PGnotify* notice = PQnotifies(conn)) {
        heard(notice->relname, notice->extra);
        PQfreemem(notice);
      }
    }
  }

  // Only the triggers notify on these channels; anything else is news of nothing.
  void heard(std::string_view channel, std::string_view payload) {
    if (channel == kNewsChannel) {
      if (auto topic = DatabaseNews::topic_named(payload)) news->heard(*topic);
      return;
    }
    std::int64_t license = 0;
    const auto [end, error] =
        std::from_chars(payload.data(), payload.data() + payload.size(), license);
    if (error == std::errc() && end == payload.data() + payload.size() && license > 0)
      units_freed(license);
  }

  void run() {
    while (!stopping.load()) {
      PGconn* conn = connect();
      if (conn != nullptr) {
        // Whatever was freed or changed while nobody listened: every waiter is offered units
        // once, and every kept row is read again.
        news->listening();
        units_freed(kMissed);
        const bool stopped = listen(conn);
        news->deaf();
        PQfinish(conn);
        if (stopped) return;
      }
      bool ready = false;
      if (!wait(-1, 0, kRetryMs, &ready)) return;
    }
  }
};

DatabaseListener::DatabaseListener(std::string connection, UnitsFreed units_freed,
                                   std::shared_ptr<DatabaseNews> news)
    : state_(std::make_unique<State>()) {
  state_->connection = std::move(connection);
  state_->units_freed = std::move(units_freed);
  state_->news = std::move(news);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "units freed listener: pipe");
  state_->wake_read = fds[0];
  state_->wake_write = fds[1];
  state_->thread = std::thread([state = state_.get()] { state->run(); });
}

DatabaseListener::~DatabaseListener() {
  stop();
  ::close(state_->wake_read);
  ::close(state_->wake_write);
}

void DatabaseListener::stop() {
  if (!state_->stopping.exchange(true)) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(state_->wake_write, &byte, 1);
  }
  if (state_->thread.joinable() && state_->thread.get_id() != std::this_thread::get_id())
    state_->thread.join();
}

}  // namespace lmp::storage
