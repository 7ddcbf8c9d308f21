// One connection's share of the torture load: random batches of pipelined CHECKOUT, HEARTBEAT and
// CHECKIN requests, and the client's own record of what the server acknowledged, which the
// checks after each restart hold the database to.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace lmp::torture {

struct TortureLicense {
  std::string code;
  std::int64_t id = 0;
  std::int64_t units = 0;
  // Units of the leases that were acknowledged and for which no CHECKIN was sent, across all
  // clients: each of them is live at the server, so this may never pass `units`.
  std::atomic<std::int64_t> acknowledged_units{0};
};

struct KnownLease {
  std::size_t license = 0;  // index into the licenses
  std::int64_t units = 0;
  std::int64_t acknowledged_expires = 0;  // Unix seconds in the last OK for this lease
  bool checkin_unanswered = false;        // a CHECKIN was sent and the daemon died before answering
};

struct LoadCounters {
  std::int64_t checkouts_ok = 0;
  std::int64_t no_seats = 0;
  std::int64_t heartbeats_ok = 0;
  std::int64_t checkins_ok = 0;
  std::int64_t unanswered_checkouts = 0;
  std::int64_t unanswered_heartbeats = 0;
  std::int64_t unanswered_checkins = 0;

  LoadCounters& operator+=(const LoadCounters& other);
};

class LoadClient {
 public:
  LoadClient(std::vector<TortureLicense>& licenses, std::uint64_t seed)
      : licenses_(licenses), random_(seed) {}

  // Sends batches over one connection until it breaks (the daemon was killed) or `stop` is set.
  // Returns the number of requests that were unanswered when the connection broke.
  int run(std::uint16_t port, const std::atomic<bool>& stop);

  std::map<std::string, KnownLease>& leases() { return leases_; }
  const LoadCounters& counters() const { return counters_; }
  // Answers that break a promise of the protocol, in words.
  const std::vector<std::string>& failures() const { return failures_; }
  // The lease is settled as checked in: forgotten, and remembered as released.
  void checked_in(const std::string& lease);
  // The leases whose CHECKIN was acknowledged since the last call.
  std::vector<std::string> take_released() { return std::exchange(released_, {}); }

 private:
  struct Request {
    enum class Op { checkout, heartbeat, checkin } op = Op::checkout;
    std::size_t license = 0;
    std::int64_t units = 1;
    std::string lease;
    std::string line;
  };

  std::vector<Request> next_batch();
  void unanswered(const Request& request);
  void answered(const Request& request, const std::string& answer);

  std::vector<TortureLicense>& licenses_;
  std::mt19937_64 random_;
  std::map<std::string, KnownLease> leases_;
  LoadCounters counters_;
  std::vector<std::string> failures_;
  std::vector<std::string> released_;
};

}  // namespace lmp::torture
