// Failover across the server list and reuse of idle connections.
#include "server_pool.hpp"

#include "client_error.hpp"
#include "tcp_transport.hpp"
#include "version.hpp"

namespace lmp::client {
namespace {

// Connections kept open beyond this many idle ones are closed: a client rarely has more
// requests in flight at once (a waiting CHECKOUT, heartbeats of a few leases).
constexpr std::size_t kMaxIdle = 4;

const std::string& hello_line() {
  static const std::string line =
      RequestLine("HELLO").field("proto", 1).field("client", "liblmpclient/" + version()).text() +
      "\n";
  return line;
}

void check_hello(const Answer& hello) {
  if (!hello.ok)
    throw ClientError(LMP_ERR_PROTOCOL, "the server refused HELLO proto=1: " + hello.describe());
}

}  // namespace

ServerPool::ServerPool(std::vector<ServerAddress> servers) : servers_(std::move(servers)) {
  for (const auto& server : servers_)
    if (server.tls && !tls_) tls_ = std::make_shared<TlsSettings>("", "", "");
}

void ServerPool::set_tls(std::shared_ptr<const TlsSettings> settings) {
  std::lock_guard lock(mutex_);
  if (!tls_)
    throw ClientError(LMP_ERR_INVALID_ARGUMENT,
                      "no server of the list is a tls:// one, so TLS settings would go unused");
  tls_ = std::move(settings);
}

std::unique_ptr<Transport> ServerPool::connect(std::size_t server, Deadline deadline) {
  if (!servers_[server].tls) return connect_tcp(servers_[server], deadline);
  std::shared_ptr<const TlsSettings> tls;
  {
    std::lock_guard lock(mutex_);
    tls = tls_;
  }
  return connect_tls(servers_[server], *tls, deadline);
}

void ServerPool::set_timeout(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  timeout_ = timeout;
}

std::chrono::milliseconds ServerPool::timeout() {
  std::lock_guard lock(mutex_);
  return timeout_;
}

std::optional<ServerPool::Connection> ServerPool::take_idle(std::size_t server) {
  std::lock_guard lock(mutex_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (it->server != server) {
      ++it;
    } else if (it->transport->unusable_while_idle()) {
      it = idle_.erase(it);
    } else {
      Connection found = std::move(*it);
      idle_.erase(it);
      return found;
    }
  }
  return std::nullopt;
}

void ServerPool::give_back(Connection connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

Answer ServerPool::request(const std::string& line, RetryPolicy policy,
                           std::chrono::seconds extra) {
  std::chrono::milliseconds timeout;
  {
    std::lock_guard lock(mutex_);
    timeout = timeout_;
  }
  std::string failures;
  auto note = [&failures](const std::string& what) {
    failures += (failures.empty() ? "" : "; ") + what;
  };
  if (servers_.empty())
    throw ClientError(LMP_ERR_UNREACHABLE,
                      "this client has no server (it was made with an empty list, for offline "
                      "checks)");
  bool unavailable = false;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    auto start = std::chrono::steady_clock::now();
    Connection connection;
    bool fresh = false;
    if (auto idle = take_idle(i)) {
      connection = std::move(*idle);
    } else {
      try {
        connection = {i, connect(i, start + timeout)};
        fresh = true;
      } catch (const ClientError& e) {
        note(e.what());
        continue;  // nothing was sent: the next server may safely get it
      }
    }
    try {
      auto deadline = start + timeout + extra;
      connection.transport->write(fresh ? hello_line() + line + "\n" : line + "\n", deadline);
      if (fresh) check_hello(parse_answer(connection.transport->read_line(deadline)));
      auto answer = parse_answer(connection.transport->read_line(deadline));
      give_back(std::move(connection));
      if (!answer.ok && answer.error == "unavailable") {
        // The server did nothing with it (stopping, or its storage failed): ask the next.
        unavailable = true;
        note(servers_[i].to_string() + ": " + answer.describe());
        continue;
      }
      return answer;
    } catch (const ClientError& e) {
      if (e.code() != LMP_ERR_UNREACHABLE) throw;
      if (policy == RetryPolicy::unsent_only)
        throw ClientError(LMP_ERR_UNREACHABLE,
                          std::string(e.what()) +
                              " (the request was sent but its answer was lost; it is not sent "
                              "again, since a second copy could take a second unit)");
      note(e.what());
    }
  }
  if (unavailable) throw ClientError(LMP_ERR_UNAVAILABLE, "no server could serve: " + failures);
  throw ClientError(LMP_ERR_UNREACHABLE, "no server answered: " + failures);
}

}  // namespace lmp::client
