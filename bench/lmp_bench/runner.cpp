// The run: connect and set up, then one event-loop thread per --threads along a fixed timeline
// (warmup, measured window, drain, cleanup), then the per-thread counters merged into the report.
#include "runner.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <thread>

#include "driver.hpp"

namespace lmp::bench {
namespace detail {

Loop::Loop() : stop_timer_(io_), hurry_timer_(io_), close_timer_(io_) {}

void Loop::add(std::unique_ptr<BenchConnection> connection) {
  connections_.push_back(std::move(connection));
  ++open_;
}

void Loop::arm(const RunContext& run) {
  if (open_ == 0) return;
  boost::asio::post(io_, [this] {
    Clock::time_point now = Clock::now();
    for (auto& c : connections_) c->start(now);
  });
  auto each = [this](void (BenchConnection::*step)()) {
    return [this, step](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: every connection closed early
      for (auto& c : connections_) ((*c).*step)();
    };
  };
  Clock::time_point end = run.timeline.measure_until;
  stop_timer_.expires_at(end);
  stop_timer_.async_wait(each(&BenchConnection::stop));
  hurry_timer_.expires_at(end + run.drain);
  hurry_timer_.async_wait(each(&BenchConnection::hurry));
  close_timer_.expires_at(end + run.drain + run.cleanup);
  close_timer_.async_wait(each(&BenchConnection::close));
}

void Loop::connection_closed() {
  if (open_ > 0 && --open_ == 0) {
    stop_timer_.cancel();
    hurry_timer_.cancel();
    close_timer_.cancel();
  }
}

void Loop::note_transport_error(const std::string& what) {
  if (first_transport_error_.empty()) first_transport_error_ = what;
}

}  // namespace detail

int run_bench(const Options& options, Report& report, std::ostream& diagnostics) {
  using detail::Clock;
  report = report_for(options);
  detail::RunContext run;
  run.options = &options;

  // A loop without connections would only burn a thread.
  int threads = std::min(options.threads, options.connections);
  std::vector<std::unique_ptr<detail::Loop>> loops;
  for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<detail::Loop>());

  std::string host;
  int port = 0;
  try {
    if (options.target == Target::postgres) {
      detail::connect_postgres_target(run, loops, host, port);
      report.host = host;
      report.port = port;
      report.ports = {port};
    } else {
      detail::connect_stream_target(run, loops, host, port);
    }
  } catch (const detail::SetupError& e) {
    diagnostics << "lmp-bench: " << e.what() << "\n";
    return 1;
  }

  auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  run.timeline.start = Clock::now();
  run.timeline.start_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  run.timeline.measure_from = run.timeline.start + seconds(options.warmup_s);
  run.timeline.measure_until = run.timeline.measure_from + seconds(options.duration_s);
  for (auto& loop : loops) loop->arm(run);

  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < loops.size(); ++i) {
    workers.emplace_back([&loop = *loops[i]] { loop.io().run(); });
  }
  loops[0]->io().run();
  for (auto& w : workers) w.join();

  Stats total;
  for (auto& loop : loops) {
    total.merge(loop->stats());
    if (!loop->first_transport_error().empty()) {
      diagnostics << "lmp-bench: connection lost: " << loop->first_transport_error() << "\n";
    }
  }
  fill_results(report, total);
  report.started_at_unix_ms = run.timeline.start_unix_ms;
  report.started_at = format_utc(run.timeline.start_unix_ms);
  return 0;
}

}  // namespace lmp::bench
