// PostgreSQL as a seat store, driven through libpq's pipeline mode so that --pipeline means what
// it means for the other targets: each slot's request is one prepared statement followed by a
// sync (one implicit transaction, committed and so durable on its own), and many slots' requests
// share the connection without waiting for each other. Asio only waits for the socket to be
// readable or writable; libpq does all reading and writing.
#include <libpq-fe.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <charconv>
#include <chrono>

#include "driver.hpp"
#include "ring.hpp"

namespace lmp::bench::detail {
namespace asio = boost::asio;

namespace {

constexpr std::int64_t kLeaseMs = 300000;  // like lmpd's default lease

constexpr const char* kCheckoutStatement = "lmpbench_checkout";
constexpr const char* kHeartbeatStatement = "lmpbench_heartbeat";
constexpr const char* kCheckinStatement = "lmpbench_checkin";

// The seat is taken and the lease row written in one statement: the insert happens only when
// the conditional update found a free seat, which two statements in one pipeline cannot express
// without a round trip in between.
constexpr const char* kCheckoutSql =
    "WITH seat AS (UPDATE bench_license SET used = used + 1 WHERE id = 1 AND used < total "
    "RETURNING id) INSERT INTO bench_lease(id, expires) SELECT $1, $2 FROM seat";
constexpr const char* kHeartbeatSql = "UPDATE bench_lease SET expires = $2 WHERE id = $1";
// Only a lease that still exists gives its seat back.
constexpr const char* kCheckinSql =
    "WITH gone AS (DELETE FROM bench_lease WHERE id = $1 RETURNING id) "
    "UPDATE bench_license SET used = used - 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM gone)";

std::string pq_error(PGconn* conn) {
  // libpq's messages span lines with tab indents; diagnostics are one line each.
  std::string text;
  for (const char* p = PQerrorMessage(conn); *p; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      text += *p;
    } else if (!text.empty() && text.back() != ' ') {
      text += ' ';
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

void exec_or_throw(PGconn* conn, std::string_view what, const std::string& sql) {
  PgResultPtr result(PQexec(conn, sql.c_str()));
  auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw SetupError("postgres setup: " + std::string(what) + ": " + pq_error(conn));
  }
}

void prepare_or_throw(PGconn* conn, const char* name, const char* sql, int params) {
  PgResultPtr result(PQprepare(conn, name, sql, params, nullptr));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw SetupError(std::string("postgres setup: prepare ") + name + ": " + pq_error(conn));
  }
}

struct PgInFlight {
  std::uint32_t slot = 0;
  Op op = Op::checkout;
  Clock::time_point sent;
};

class PgConnection final : public BenchConnection {
 public:
  PgConnection(Loop& loop, const RunContext& run, PgConnPtr conn, int index)
      : BenchConnection(loop),
        run_(run),
        conn_(std::move(conn)),
        // A duplicate, so that closing the descriptor leaves libpq's own socket to PQfinish.
        socket_(loop.io(), ::dup(PQsocket(conn_.get()))),
        slots_(static_cast<std::size_t>(run.options->pipeline)) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].set_name("c" + std::to_string(index) + "s" + std::to_string(i));
    }
  }

  void start(Clock::time_point now) override {
    if (closed_) return;
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      if (!send_next(i, now)) return;
    }
    flush();
    wait_readable();
  }

  void stop() override {
    if (closed_ || stopping_) return;
    stopping_ = true;
    if (in_flight_.empty()) close();
  }

  // Seats held at the end are not given back: setup resets the table for the next run.
  void hurry() override { close(); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    loop_.connection_closed();
  }

 private:
  bool send_next(std::uint32_t index, Clock::time_point now) {
    Slot& slot = slots_[index];
    Op op = slot.next(run_.options->mix);
    // Wall-clock expiry without a system clock read per request.
    std::int64_t now_ms =
        run_.timeline.start_unix_ms +
        std::chrono::duration_cast<std::chrono::milliseconds>(now - run_.timeline.start).count();
    auto [end, ec] = std::to_chars(expires_, expires_ + sizeof expires_ - 1, now_ms + kLeaseMs);
    *end = '\0';
    const char* params[2] = {nullptr, expires_};
    int sent = 0;
    switch (op) {
      case Op::checkout: {
        std::string& lease = slot.pending_lease();
        lease.assign(slot.name());
        lease += ':';
        lease += std::to_string(slot.next_sequence());
        params[0] = lease.c_str();
        sent = PQsendQueryPrepared(conn_.get(), kCheckoutStatement, 2, params, nullptr, nullptr, 0);
        break;
      }
      case Op::heartbeat:
        params[0] = slot.lease().c_str();
        sent =
            PQsendQueryPrepared(conn_.get(), kHeartbeatStatement, 2, params, nullptr, nullptr, 0);
        break;
      case Op::checkin:
        params[0] = slot.lease().c_str();
        sent = PQsendQueryPrepared(conn_.get(), kCheckinStatement, 1, params, nullptr, nullptr, 0);
        break;
    }
    // The sync ends the implicit transaction: each request commits on its own.
    if (!sent || !PQpipelineSync(conn_.get())) {
      fail("send", pq_error(conn_.get()));
      return false;
    }
    in_flight_.push(PgInFlight{index, op, now});
    return true;
  }

  // Pushes libpq's output buffer; when the socket is full, waits until it is writable.
  void flush() {
    if (closed_) return;
    int left = PQflush(conn_.get());
    if (left < 0) return fail("write", pq_error(conn_.get()));
    if (left > 0 && !waiting_writable_) {
      waiting_writable_ = true;
      socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                         [this](const boost::system::error_code& ec) {
                           waiting_writable_ = false;
                           if (ec) return fail("write", ec.message());
                           flush();
                         });
    }
  }

  void wait_readable() {
    socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) { on_readable(ec); });
  }

  void on_readable(const boost::system::error_code& ec) {
    if (ec) return fail("read", ec.message());
    if (!PQconsumeInput(conn_.get())) return fail("read", pq_error(conn_.get()));
    Clock::time_point now = Clock::now();
    take_results(now);
    if (closed_) return;
    flush();
    if (stopping_ && in_flight_.empty()) return close();
    if (!closed_) wait_readable();
  }

  // Reads every result libpq has complete. Per request: the statement's result, a null pointer
  // that ends it, then the sync's PGRES_PIPELINE_SYNC, which completes the request.
  void take_results(Clock::time_point now) {
    int nulls_in_a_row = 0;
    while (!in_flight_.empty() && !closed_) {
      if (PQisBusy(conn_.get())) return;
      PgResultPtr result(PQgetResult(conn_.get()));
      if (!result) {
        // Two in a row: nothing more has arrived (libpq would block on the next call).
        if (++nulls_in_a_row > 1) return;
        continue;
      }
      nulls_in_a_row = 0;
      switch (PQresultStatus(result.get())) {
        case PGRES_PIPELINE_SYNC:
          complete(now);
          break;
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
          if (std::string_view(PQcmdTuples(result.get())) == "0") {
            head_outcome_.ok = false;
            head_outcome_.error =
                in_flight_.front().op == Op::checkout ? "no_seats" : "lease_unknown";
          } else {
            head_outcome_.ok = true;
          }
          break;
        case PGRES_FATAL_ERROR: {
          const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
          head_error_.assign("pg_");
          head_error_ += state ? state : "error";
          head_outcome_.ok = false;
          head_outcome_.error = head_error_;
          break;
        }
        case PGRES_PIPELINE_ABORTED:
          head_outcome_.ok = false;
          head_outcome_.error = "pg_pipeline_aborted";
          break;
        default:
          head_outcome_.ok = false;
          head_outcome_.error = "pg_unexpected_result";
          break;
      }
    }
  }

  void complete(Clock::time_point now) {
    PgInFlight done = in_flight_.front();
    in_flight_.pop();
    Slot& slot = slots_[done.slot];
    Outcome outcome = head_outcome_;
    if (outcome.ok && done.op == Op::checkout) outcome.lease = slot.pending_lease();
    loop_.stats().answer(
        outcome,
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - done.sent).count()),
        run_.timeline.measured(now));
    slot.complete(done.op, outcome);
    head_outcome_ = Outcome{false, "pg_no_result", {}};
    if (!stopping_) send_next(done.slot, now);
  }

  void fail(const char* where, const std::string& what) {
    if (closed_) return;
    ++loop_.stats().transport_errors;
    loop_.note_transport_error(std::string("postgres ") + where + ": " + what);
    close();
  }

  const RunContext& run_;
  PgConnPtr conn_;
  asio::posix::stream_descriptor socket_;
  std::vector<Slot> slots_;
  Ring<PgInFlight> in_flight_;
  Outcome head_outcome_{false, "pg_no_result", {}};  // of the request at the head, until its sync
  std::string head_error_;
  char expires_[24] = {};
  bool waiting_writable_ = false;
  bool stopping_ = false;
  bool closed_ = false;
};

PgConnPtr open_connection(const std::string& conninfo) {
  PgConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (!conn) throw SetupError("postgres: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw SetupError("cannot connect to postgres: " + pq_error(conn.get()));
  }
  return conn;
}

}  // namespace

void connect_postgres_target(const RunContext& run, std::vector<std::unique_ptr<Loop>>& loops,
                             std::string& resolved_host, int& resolved_port) {
  const Options& o = *run.options;
  std::vector<PgConnPtr> conns;
  for (int i = 0; i < o.connections; ++i) conns.push_back(open_connection(o.pg_conninfo));

  PGconn* first = conns.front().get();
  resolved_host = PQhost(first) ? PQhost(first) : "";
  resolved_port = PQport(first) ? std::atoi(PQport(first)) : 0;
  // Idempotent, so repeated runs start from the same state: all seats free, no leases.
  exec_or_throw(first, "create bench_license",
                "CREATE TABLE IF NOT EXISTS bench_license(id int primary key, total bigint, "
                "used bigint)");
  exec_or_throw(first, "create bench_lease",
                "CREATE TABLE IF NOT EXISTS bench_lease(id text primary key, expires bigint)");
  exec_or_throw(first, "reset bench_license",
                "INSERT INTO bench_license(id, total, used) VALUES (1, " + std::to_string(o.units) +
                    ", 0) ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total, used = 0");
  exec_or_throw(first, "truncate bench_lease", "TRUNCATE bench_lease");

  for (std::size_t i = 0; i < conns.size(); ++i) {
    PGconn* conn = conns[i].get();
    prepare_or_throw(conn, kCheckoutStatement, kCheckoutSql, 2);
    prepare_or_throw(conn, kHeartbeatStatement, kHeartbeatSql, 2);
    prepare_or_throw(conn, kCheckinStatement, kCheckinSql, 1);
    // Pipeline mode wants a nonblocking connection: blocking sends can deadlock against a
    // server that is itself blocked writing results.
    if (PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1) {
      throw SetupError("postgres setup: cannot enter pipeline mode: " + pq_error(conn));
    }
    Loop& loop = *loops[i % loops.size()];
    loop.add(std::make_unique<PgConnection>(loop, run, std::move(conns[i]), static_cast<int>(i)));
  }
}

}  // namespace lmp::bench::detail
