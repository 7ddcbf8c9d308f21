// Inside the runner: the event loops, the run's timeline and the connection interface that the
// stream (lmpd, echo, redis) and PostgreSQL drivers implement.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "options.hpp"
#include "workload.hpp"

namespace lmp::bench::detail {

using Clock = std::chrono::steady_clock;

// A run that cannot start: nothing to connect to, or the target refused the setup.
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Timeline {
  Clock::time_point start;
  Clock::time_point measure_from;   // start + warmup
  Clock::time_point measure_until;  // measure_from + duration
  std::int64_t start_unix_ms = 0;

  bool measured(Clock::time_point t) const { return t >= measure_from && t < measure_until; }
};

// What every connection of a run reads; filled before the loops start and never written after.
struct RunContext {
  const Options* options = nullptr;
  Timeline timeline;
  // How long in-flight answers may take after the end, and then the checkins of held leases.
  Clock::duration drain = std::chrono::seconds(2);
  Clock::duration cleanup = std::chrono::seconds(3);
};

class Loop;

class BenchConnection {
 public:
  explicit BenchConnection(Loop& loop) : loop_(loop) {}
  virtual ~BenchConnection() = default;
  BenchConnection(const BenchConnection&) = delete;
  BenchConnection& operator=(const BenchConnection&) = delete;

  // Sends the first request of every slot.
  virtual void start(Clock::time_point now) = 0;
  // The measured window is over: send nothing new, take the answers in flight, then check in
  // what is held and close.
  virtual void stop() = 0;
  // The drain time is up: check in what is held now, whatever is still in flight.
  virtual void hurry() = 0;
  // Time is up: close.
  virtual void close() = 0;

 protected:
  Loop& loop_;
};

// One client event-loop thread: its io_context, its connections and its counters.
class Loop {
 public:
  Loop();

  boost::asio::io_context& io() { return io_; }
  Stats& stats() { return stats_; }
  void add(std::unique_ptr<BenchConnection> connection);
  // Schedules start, stop, hurry and close along `run`'s timeline.
  void arm(const RunContext& run);
  // Called once by each connection when it closes; the loop ends with the last one.
  void connection_closed();
  // The first transport failure, for the diagnostics after the run.
  void note_transport_error(const std::string& what);
  const std::string& first_transport_error() const { return first_transport_error_; }

 private:
  boost::asio::io_context io_{1};  // one thread per loop: no locking inside Asio
  Stats stats_;
  std::vector<std::unique_ptr<BenchConnection>> connections_;
  std::size_t open_ = 0;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer hurry_timer_;
  boost::asio::steady_timer close_timer_;
  std::string first_transport_error_;
};

// Opens --connections TCP connections to the target spread over `loops` round-robin, runs the
// target's setup (redis: scripts), and adds the connections. Throws SetupError.
void connect_stream_target(const RunContext& run, std::vector<std::unique_ptr<Loop>>& loops,
                           std::string& resolved_host, int& resolved_port);
// The same for PostgreSQL through libpq.
void connect_postgres_target(const RunContext& run, std::vector<std::unique_ptr<Loop>>& loops,
                             std::string& resolved_host, int& resolved_port);

}  // namespace lmp::bench::detail
