// UnitsFreedListener: libpq directly, not SOCI, which has no interface to notifications. The
// connection is made without blocking so that stop() never waits for an unreachable server.
#include "storage/units_freed_listener.hpp"

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

struct UnitsFreedListener::State {
  std::string connection;
  Heard heard;
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
      log::warning("units_freed_listener_failed",
                   {{"step", std::string(what)},
                    {"error", error},
                    {"effect",
                     "waiters freed elsewhere are served at each sweep until it "
                     "reconnects (retried every second)"}});
    failing = true;
  }

  // A connection that listens, or null (stopping, or failed: logged).
  PGconn* connect() {
    PGconn* conn = PQconnectStart(connection.c_str());
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
    PGresult* result = PQexec(conn, (std::string("LISTEN ") + kUnitsFreedChannel).c_str());
    const bool listening = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!listening) {
      failed("listen", message_of(conn));
      PQfinish(conn);
      return nullptr;
    }
    if (failing) log::info("units_freed_listener_recovered");
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
        const std::string_view payload(notice->extra);
        std::int64_t license = 0;
        const auto [end, error] =
            std::from_chars(payload.data(), payload.data() + payload.size(), license);
        // Only the trigger notifies on this channel; anything else is news of nothing.
        if (error == std::errc() && end == payload.data() + payload.size() && license > 0)
          heard(license);
        PQfreemem(notice);
      }
    }
  }

  void run() {
    while (!stopping.load()) {
      PGconn* conn = connect();
      if (conn != nullptr) {
        // Whatever was freed while nobody listened is offered to every waiter once.
        heard(kMissed);
        const bool stopped = listen(conn);
        PQfinish(conn);
        if (stopped) return;
      }
      bool ready = false;
      if (!wait(-1, 0, kRetryMs, &ready)) return;
    }
  }
};

UnitsFreedListener::UnitsFreedListener(std::string connection, Heard heard)
    : state_(std::make_unique<State>()) {
  state_->connection = std::move(connection);
  state_->heard = std::move(heard);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "units freed listener: pipe");
  state_->wake_read = fds[0];
  state_->wake_write = fds[1];
  state_->thread = std::thread([state = state_.get()] { state->run(); });
}

UnitsFreedListener::~UnitsFreedListener() {
  stop();
  ::close(state_->wake_read);
  ::close(state_->wake_write);
}

void UnitsFreedListener::stop() {
  if (!state_->stopping.exchange(true)) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(state_->wake_write, &byte, 1);
  }
  if (state_->thread.joinable() && state_->thread.get_id() != std::this_thread::get_id())
    state_->thread.join();
}

}  // namespace lmp::storage
